"""Every error the grader raises on purpose, grouped by whose problem it is.

    GraderError                  base: has .message (what happened) and .hint (what to try)
    ├── UsageError               the command was asked for something that does not exist or
    │                            cannot work (unknown exercise, bad option)      exit 2
    ├── SubmissionError          the student's file cannot be graded at all
    │                            (not a notebook, truncated JSON, empty)          exit 2
    ├── SpecError                the instructor's exercise is broken (invalid spec,
    │                            solution that fails, unknown check)             exit 3
    └── InternalError            a fault of the grader itself                    exit 3

A mistake inside a student's code (a cell that raises, a wrong answer) is never an exception
here: it becomes a question status (failed / missing / error / timeout) in the report.
Any exception that is not a GraderError is a grader fault and is reported as such.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class: a message that says what happened and a hint that says what to try."""

    exit_code = 3

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(GraderError):
    """The command asked for something that does not exist (an unknown exercise, a bad option)."""

    exit_code = 2


class SubmissionError(GraderError):
    """The submitted file cannot be graded at all: the student (or whoever submits) must fix it."""

    exit_code = 2


class SpecError(GraderError):
    """The exercise itself is broken: its spec is invalid or its solution does not run."""

    exit_code = 3


class InternalError(GraderError):
    """A fault of the grader: never the student's or the instructor's doing."""

    exit_code = 3
