"""One submission of a class: grade it and never raise for a student's file (a batch, local or
on Dask workers, records whatever comes back)."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..core import timings
from ..core.environment import environment
from ..core.results import QuestionResult, Report, Status
from ..core.settings import GradeSettings
from ..core.spec import Exercise
from ..errors import GraderError, SubmissionError, UsageError
from ..kernel.sandbox import bubblewrap, isolation_problem
from .pipeline import grade

# Control characters, format characters (bidirectional overrides) and line separators.
UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def student_id(name: str) -> str:
    """A student id made from a file or folder name, safe everywhere it goes: a folder name
    under OUT (never `..` or hidden), a terminal line (no control or bidirectional characters),
    a CSV cell (formulas are escaped where CSV is written, grader.formats.lms)."""
    clean = "".join("_" if unicodedata.category(ch) in UNSAFE_CATEGORIES or ch in "/\\" else ch
                    for ch in name)
    if clean.startswith("."):
        clean = "_" + clean[1:]
    return clean or "_"


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    repository: Path | None = None   # the student's own folder, when the class is folders


def unisolated_reason(isolate: bool | None, allow_unisolated: bool) -> str | None:
    """Why student code would run unisolated here, unless that is allowed (None: it won't)."""
    if allow_unisolated or (isolate is not False and bubblewrap() is not None):
        return None
    return "isolation was turned off" if isolate is False else isolation_problem()


def refuse_unisolated(isolate: bool | None, allow_unisolated: bool) -> None:
    why = unisolated_reason(isolate, allow_unisolated)
    if why:
        raise UsageError(f"refusing to grade a class unisolated: {why}",
                         "install bubblewrap (Debian/Ubuntu: apt install bubblewrap), or pass "
                         "--allow-unisolated if every submission is trusted")


def grade_one(sub: Submission, spec: Exercise, settings: GradeSettings) -> tuple[str, Report]:
    """(gradebook status, report) for one submission; never raises for a student's file. Where
    its time went is written to GRADER_TIMINGS, when set (grader.core.timings)."""
    started = time.perf_counter()
    with timings.measuring() as steps:
        try:
            return _grade_one(sub, spec, settings)
        finally:
            timings.write(sub.student, steps, time.perf_counter() - started)


def _grade_one(sub: Submission, spec: Exercise, settings: GradeSettings) -> tuple[str, Report]:
    try:
        return "graded", grade(sub.path, spec.id, settings)
    except SubmissionError as exc:
        return "unreadable", unreadable_report(spec, sub.path, Status.ERROR, str(exc))
    except GraderError as exc:
        return "grader-error", unreadable_report(spec, sub.path, Status.GRADER_ERROR, str(exc))
    except Exception as exc:  # our fault: record it for this student, go on with the others
        return "grader-error", unreadable_report(
            spec, sub.path, Status.GRADER_ERROR, f"internal error ({type(exc).__name__}: {exc})")


def unreadable_report(spec: Exercise, path: Path, status: Status, message: str) -> Report:
    """A report for a submission that could not be graded at all: every question says why."""
    questions = tuple(QuestionResult(q.id, q.title, 0.0, q.points, status, message,
                                     visibility=q.visibility) for q in spec.questions)
    return Report(spec.id, str(path), 0.0, spec.max_score, questions, environment(),
                  spec.seed, 0.0, {}, notices=(message,))
