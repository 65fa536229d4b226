"""What `grader grade` shows while a class is graded.

On a terminal: a progress bar with the count, the elapsed time and an ETA (rich), with one line
per finished submission printed above it. Anywhere else (a pipe, a file, CI logs): only the
plain per-submission lines, one each, in the order they finish; logs and tests read them.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .core.results import Report


def student_line(student: str, report: Report) -> str:
    """`  alice                13/13  passed passed ...`: the line each submission gets."""
    statuses = " ".join(str(q.status) for q in report.questions)
    return f"  {student:<20} {report.score:g}/{report.max_score:g}  {statuses}"


class PlainProgress:
    """One line per submission as it finishes; nothing that redraws."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def start(self, total: int) -> None:
        pass

    def done(self, student: str, report: Report) -> None:
        print(student_line(student, report), file=self.stream, flush=True)


class BarProgress(PlainProgress):
    """A bar with an ETA at the bottom of the terminal; the per-submission lines above it."""

    def __init__(self, stream: TextIO | None = None, *, force_terminal: bool | None = None):
        super().__init__(stream)
        console = Console(file=self.stream, force_terminal=force_terminal, highlight=False)
        self.bar = Progress(TextColumn("Grading"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                            console=console, transient=False)
        self.task = None

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def start(self, total: int) -> None:
        self.task = self.bar.add_task("grading", total=total)
        self.bar.start()

    def done(self, student: str, report: Report) -> None:
        self.bar.console.print(student_line(student, report), markup=False)
        if self.task is not None:
            self.bar.advance(self.task)


def progress_for(stream: TextIO | None = None) -> PlainProgress:
    """The bar on a terminal, plain lines everywhere else."""
    stream = stream or sys.stdout
    return BarProgress(stream) if stream.isatty() else PlainProgress(stream)
