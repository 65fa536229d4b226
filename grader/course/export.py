"""`grader export`: grades from a graded folder into the file an LMS imports, overrides applied.

The gradebook keeps what the grader measured; the override file is applied on every export, and
the report files of the students it concerns are written again with the override notice (and
written back without it once an override is removed from the file). The file given is kept as
GRADED/overrides.csv: later exports apply it without being told; edit that copy to change it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..core.overrides import (
    OVERRIDE_NOTICE,
    apply_overrides,
    load_overrides,
    unknown_students,
)
from ..errors import UsageError
from ..formats import lms, write_reports

FORMATS = ("grades", "canvas", "moodle")
KEPT = "overrides.csv"


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    rewritten: tuple[str, ...]     # students whose report files were written again
    unmatched: tuple[str, ...]     # graded students the roster does not list


def export_graded(graded: str | Path, fmt: str = "grades", *, overrides: str | Path | None = None,
                  roster: str | Path | None = None, match: str | None = None,
                  column: str | None = None, out: str | Path | None = None,
                  reports: dict | None = None) -> Exported:
    """Write `fmt` for the class graded into `graded`; `reports` (student -> Report, fresh from
    grading) are used for the rewritten report files when given."""
    graded = Path(graded)
    db = _open(graded / "gradebook.sqlite")
    source = Path(overrides) if overrides else graded / KEPT
    try:
        exercise = _exercise(db)
        table = load_overrides(source) if source.is_file() or overrides else ()
        rows = lms.gradebook_rows(db, exercise, table)
    finally:
        db.close()
    strays = unknown_students(table, [r.student for r in rows])
    if strays:
        raise UsageError(f"{source}: no graded submission for {', '.join(strays)}",
                         f"student ids are those in {graded / 'grades.csv'}")
    if overrides and source.resolve() != (graded / KEPT).resolve():
        shutil.copyfile(source, graded / KEPT)  # checked: later exports apply it too
    rewritten = _rewrite_reports(graded, rows, table, reports or {})
    path = Path(out) if out else graded / ("grades.csv" if fmt == "grades" else f"{fmt}.csv")
    unmatched: list[str] = []
    if fmt == "grades":
        question_ids = [q.id for q in rows[0].report.questions] if rows else []
        lms.write_grades_csv(rows, question_ids, path)
    else:
        match = match or lms.DEFAULT_MATCH[fmt]
        people = lms.read_roster(Path(roster), match) if roster else None
        header, body, unmatched = lms.lms_table(rows, fmt, column or exercise, people, match)
        lms.write_table(header, body, path)
    return Exported(path, len(rows), tuple(rewritten), tuple(unmatched))


def _open(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise UsageError(f"{path}: no gradebook here", "give the --out folder of `grader grade`")
    return sqlite3.connect(path)


def _exercise(db: sqlite3.Connection) -> str:
    found = [e for (e,) in db.execute("SELECT DISTINCT exercise FROM submissions")]
    if len(found) != 1:
        raise UsageError(f"the gradebook holds {len(found)} exercises ({', '.join(found)})",
                         "grade one exercise per --out folder")
    return found[0]


def _rewrite_reports(graded: Path, rows, table, fresh: dict) -> list[str]:
    """Report files of students with an override now, or with one written before."""
    named = {o.student for o in table}
    rewritten = []
    for row in rows:
        folder = graded / row.student
        if row.student not in named and not _has_override(folder / "report.json"):
            continue
        report = row.report
        if row.student in fresh:  # the in-memory report keeps what the JSON leaves out
            report = apply_overrides(fresh[row.student], row.student, table)
        write_reports(report, folder)
        rewritten.append(row.student)
    return rewritten


def _has_override(path: Path) -> bool:
    try:
        notices = json.loads(path.read_text(encoding="utf-8")).get("notices", [])
    except (OSError, ValueError):
        return False
    return any(n.startswith(OVERRIDE_NOTICE) for n in notices)
