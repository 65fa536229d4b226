"""Plain, frozen results: what grading produces and every output format reads."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, replace

from ..checks.outcome import NO_DETAIL, Comparison


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"          # the answer is there and wrong
    MISSING = "missing"        # the answer was never defined (or still the stub)
    ERROR = "error"            # the student's code raised before defining the answer
    TIMEOUT = "timeout"        # a cell or the whole notebook ran out of time
    GRADER_ERROR = "grader-error"  # our fault, or the instructor's: never the student's


@dataclass(frozen=True)
class CheckResult:
    """One check of one answer. Its numbers are `comparison` (fields: got, expected, atol,
    rtol...); `detail` is the same as one line of text, always ``str(comparison)``. Built from a
    detail alone (text), the comparison is ``Comparison(text=detail)``; built from the JSON, the
    comparison may come as a dict (or null for a detail of words only)."""

    check: str            # name of the check in the registry, e.g. "same_partition"
    answer: str           # the answer it looked at
    passed: bool
    message: str          # safe to show to the student, even for hidden checks
    detail: str = ""      # numbers (expected vs got); shown only for public checks
    visibility: str = "public"
    comparison: Comparison = NO_DETAIL   # the detail's numbers as fields; public checks only
    points: float = 0.0       # what it earned: its share when it passed (and its gates did)
    max_points: float = 0.0   # its share of the question's points; 0 for a gate (a check of
                              # form that guards the scored checks of the same answers)

    def __post_init__(self):
        comparison = self.comparison
        if isinstance(comparison, dict):
            comparison = Comparison.from_dict(comparison)
        elif comparison is None or comparison == NO_DETAIL:
            comparison = Comparison(text=self.detail)
        object.__setattr__(self, "comparison", comparison)
        object.__setattr__(self, "detail", str(comparison))

    def to_dict(self) -> dict:
        """JSON data: the fields, with `comparison` as a dict, or None when the detail is words
        only (or empty)."""
        data = {k: v for k, v in asdict(self).items() if k != "comparison"}
        data["comparison"] = self.comparison.to_dict() if self.comparison.numbers else None
        return data


@dataclass(frozen=True)
class Picture:
    """An image for the HTML report, ready to inline (works offline, no files beside it)."""

    title: str
    alt: str              # what the image shows, for screen readers (never reference values
                          # of hidden checks: only public questions get reference pictures)
    data_url: str         # data:image/png;base64,...
    note: str = ""        # e.g. "an image over 300 KB was left out"


@dataclass(frozen=True)
class CellError:
    index: int            # position of the cell in the submission (0-based)
    ename: str
    evalue: str
    traceback: str        # plain text, ANSI colours removed
    source: str           # the cell's source, shortened


@dataclass(frozen=True)
class QuestionResult:
    id: str
    title: str
    score: float
    max_score: float
    status: Status
    message: str
    hint: str = ""
    visibility: str = "public"
    checks: tuple[CheckResult, ...] = ()
    cell_error: CellError | None = None
    pictures: tuple[Picture, ...] = ()   # HTML only: not in the JSON (see Report.to_dict)


@dataclass(frozen=True)
class Report:
    exercise: str
    submission: str
    score: float
    max_score: float
    questions: tuple[QuestionResult, ...]
    environment: dict
    seed: int | None
    duration_s: float
    parameters: dict = field(default_factory=dict)
    cell_errors: tuple[CellError, ...] = ()
    notices: tuple[str, ...] = ()   # e.g. "ran unisolated", "the kernel died in cell 4"
    pictures: tuple[Picture, ...] = ()  # the student's own figures (HTML only)
    release_changes: tuple[str, ...] = ()   # files of the course release the student's
                                            # repository changed (grading.release_check)

    @property
    def all_passed(self) -> bool:
        return all(q.status == Status.PASSED for q in self.questions)

    @property
    def stray_errors(self) -> tuple[CellError, ...]:
        """Cell errors no question mentions: a typo in a set-up cell still deserves a word."""
        shown = {q.cell_error.index for q in self.questions if q.cell_error}
        return tuple(e for e in self.cell_errors
                     if e.index not in shown and e.ename != "NotImplementedError")

    def to_dict(self) -> dict:
        """The canonical JSON shape (README, "JSON report")."""
        # Pictures are inline images for the HTML report: kept out of the JSON (and so of the
        # gradebook), which stays small and the same shape as before. (Emptied before asdict,
        # which would copy every check and picture only for them to be replaced.)
        data = asdict(replace(self, questions=(), pictures=()))
        del data["pictures"]
        data["questions"] = [_question_dict(q) for q in self.questions]
        return data


def _question_dict(q: QuestionResult) -> dict:
    data = asdict(replace(q, checks=(), pictures=()))
    del data["pictures"]
    data["status"] = str(q.status)
    data["checks"] = [c.to_dict() for c in q.checks]
    return data
