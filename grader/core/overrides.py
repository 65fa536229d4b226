"""Manual overrides: an instructor's last word on a question's points, with the reason.

The override file is a CSV an instructor edits in any spreadsheet:

    student,question,points,reason
    alice,q3_scratch,2,"right idea; off-by-one in the stopping rule (regraded by hand)"

Overrides never change the gradebook (it keeps what the grader measured, for audit): they are a
pure transformation Report -> Report applied on export (grades.csv, Canvas, Moodle) and to the
student's report files, where a notice says what was changed and why.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UsageError
from .results import CellError, CheckResult, QuestionResult, Report, Status

COLUMNS = ("student", "question", "points", "reason")
OVERRIDE_NOTICE = "Instructor override"


@dataclass(frozen=True)
class Override:
    student: str
    question: str
    points: float
    reason: str


def load_overrides(path: str | Path) -> tuple[Override, ...]:
    """Read and check the override CSV; every problem names the file and the line."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
            header = rows[0].keys() if rows else COLUMNS
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the overrides ({exc.strerror})",
                         "give the path of a CSV file") from exc
    if set(COLUMNS) - set(header):
        raise UsageError(f"{path}: expected the columns {', '.join(COLUMNS)}, got "
                         f"{', '.join(h for h in header if h) or 'none'}",
                         "the first line must be: student,question,points,reason")
    overrides = tuple(_override(row, f"{path}, line {n}") for n, row in enumerate(rows, start=2))
    _reject_duplicates(overrides, path)
    return overrides


def _override(row: dict, where: str) -> Override:
    student, question = (row.get("student") or "").strip(), (row.get("question") or "").strip()
    reason = (row.get("reason") or "").strip()
    try:
        points = float(row.get("points") or "")
    except ValueError:
        raise UsageError(f"{where}: points must be a number, got {row.get('points')!r}",
                         "write e.g. 2 or 1.5") from None
    if not student or not question or not reason:
        raise UsageError(f"{where}: student, question and reason are required",
                         "say who, which question, and why: the student sees the reason")
    return Override(student, question, points, reason)


def _reject_duplicates(overrides: tuple[Override, ...], path: Path) -> None:
    seen = set()
    for o in overrides:
        if (o.student, o.question) in seen:
            raise UsageError(f"{path}: two overrides for {o.student}'s {o.question}",
                             "keep one line per student and question")
        seen.add((o.student, o.question))


def apply_overrides(report: Report, student: str, overrides: tuple[Override, ...]) -> Report:
    """The report with this student's overrides applied: scores replaced, a notice each."""
    mine = {o.question: o for o in overrides if o.student == student}
    if not mine:
        return report
    known = {q.id for q in report.questions}
    unknown = sorted(set(mine) - known)
    if unknown:
        raise UsageError(f"override for {student}: {report.exercise!r} has no question "
                         f"{unknown[0]!r}", f"its questions are: {', '.join(sorted(known))}")
    questions = tuple(_overridden(q, mine[q.id], student) if q.id in mine else q
                      for q in report.questions)
    notices = tuple(f"{OVERRIDE_NOTICE}: {o.question} set to {o.points:g}/"
                    f"{_max_of(report, o.question):g} ({o.reason})" for o in mine.values())
    return replace(report, questions=questions, score=round(sum(q.score for q in questions), 2),
                   notices=report.notices + notices)


def _overridden(question: QuestionResult, override: Override, student: str) -> QuestionResult:
    if not 0 <= override.points <= question.max_score:
        raise UsageError(f"override for {student}'s {question.id}: {override.points:g} points is "
                         f"outside 0..{question.max_score:g}", "give points within the "
                         "question's range")
    return replace(question, score=override.points)


def _max_of(report: Report, question_id: str) -> float:
    return next(q.max_score for q in report.questions if q.id == question_id)


def unknown_students(overrides: tuple[Override, ...], students) -> list[str]:
    """Students named in the overrides but absent from the gradebook (a typo, usually)."""
    return sorted({o.student for o in overrides} - set(students))


def report_from_dict(data: dict) -> Report:
    """Rebuild a Report from its canonical JSON (the gradebook keeps it for every student)."""
    questions = tuple(QuestionResult(**{
        **q, "status": Status(q["status"]),
        "checks": tuple(CheckResult(**c) for c in q.get("checks", ())),
        "cell_error": CellError(**q["cell_error"]) if q.get("cell_error") else None})
        for q in data["questions"])
    return Report(**{**data, "questions": questions,
                     "cell_errors": tuple(CellError(**e) for e in data.get("cell_errors", ())),
                     "notices": tuple(data.get("notices", ()))})
