"""Grades for an LMS: grades.csv, and CSV files Canvas and Moodle import as they are.

Every export reads the gradebook (one JSON report per student), applies the instructor's
overrides (grader/overrides.py) and writes one row per student:

* `grades.csv`: student, one column of points per question, total, max_score, status;
* Canvas (Grades > Import): the identity columns of a Canvas gradebook export given as the
  roster (Student, ID, SIS User ID, SIS Login ID, Section), a "Points Possible" row, and one
  assignment column holding the total. Canvas matches students on ID / SIS User ID / SIS Login ID
  and creates the assignment when no column of that name exists;
* Moodle (Grade administration > Import > CSV file): the roster's identity columns, the total
  and a feedback column; at import map "Identify user by" to the identity column (e.g. Email
  address -> email address) and the two columns to the grade item and its feedback.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..core.overrides import (
    OVERRIDE_NOTICE,
    Override,
    apply_overrides,
    report_from_dict,
)
from ..core.results import Report
from ..errors import UsageError

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_NAMES = ("First name", "Last name", "Surname")
DEFAULT_MATCH = {"canvas": "SIS Login ID", "moodle": "Username"}
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")   # what a spreadsheet would evaluate


@dataclass(frozen=True)
class Row:
    student: str
    status: str        # graded | unreadable | grader-error
    report: Report     # overrides applied


def gradebook_rows(db: sqlite3.Connection, exercise: str,
                   overrides: tuple[Override, ...] = ()) -> list[Row]:
    """Every student of `exercise` in the gradebook, by id, with the overrides applied."""
    found = db.execute("SELECT student, status, report_json FROM submissions "
                       "WHERE exercise = ? ORDER BY student", (exercise,)).fetchall()
    return [Row(student, status, apply_overrides(report_from_dict(json.loads(text)), student,
                                                  overrides))
            for student, status, text in found]


def export_csv(db: sqlite3.Connection, exercise: str, question_ids: list[str], path: Path,
               overrides: tuple[Override, ...] = ()) -> None:
    """grades.csv: student, one column of points per question, total, max_score, status."""
    write_grades_csv(gradebook_rows(db, exercise, overrides), question_ids, path)


def write_grades_csv(rows: list[Row], question_ids: list[str], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = _Writer(f)
        out.writerow(["student", *question_ids, "total", "max_score", "status"])
        for row in rows:
            points = {q.id: q.score for q in row.report.questions}
            out.writerow([row.student, *(f"{points.get(q, 0):g}" for q in question_ids),
                          f"{row.report.score:g}", f"{row.report.max_score:g}", row.status])


def read_roster(path: Path, match: str) -> tuple[list[str], list[dict]]:
    """The roster's columns and rows; `match` names the column that holds our student ids."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            columns = list(reader.fieldnames or [])
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the roster ({exc.strerror})",
                         "give the CSV exported from your LMS gradebook") from exc
    if match not in columns:
        raise UsageError(f"{path}: no column {match!r} to match student ids against",
                         f"its columns are: {', '.join(columns) or 'none'}; pass --match COLUMN "
                         "naming the one that holds the ids graded here (file names)")
    return columns, rows


def lms_table(rows: list[Row], lms: str, title: str, roster: tuple[list[str], list[dict]] | None,
              match: str) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, rows, graded students the roster does not know) for Canvas or Moodle."""
    if roster is None:
        roster = ([match], [{match: r.student} for r in rows])
        if lms == "canvas":
            roster = (["Student", match], [{"Student": r.student, match: r.student}
                                           for r in rows])
    columns, people = roster
    wanted = CANVAS_IDENTITY if lms == "canvas" else MOODLE_NAMES
    identity = [c for c in columns if c in wanted or c == match]
    by_id = {r.student.casefold(): r for r in rows}
    header = identity + ([title] if lms == "canvas" else [title, f"{title} feedback"])
    table = [_points_possible(identity, rows)] if lms == "canvas" and rows else []
    for person in people:
        if lms == "canvas" and person.get("Student", "").strip() == "Points Possible":
            continue
        row = by_id.get((person.get(match) or "").strip().casefold())
        cells = [person.get(c, "") for c in identity]
        grade = [f"{row.report.score:g}" if row else ""]
        table.append(cells + grade + ([] if lms == "canvas" else [feedback(row) if row else ""]))
    known = {(p.get(match) or "").strip().casefold() for p in people}
    return header, table, [r.student for r in rows if r.student.casefold() not in known]


def _points_possible(identity: list[str], rows: list[Row]) -> list[str]:
    # Canvas reads this row as the new assignment's points possible.
    return ["Points Possible" if c == "Student" else "" for c in identity] + \
        [f"{rows[0].report.max_score:g}"]


def feedback(row: Row) -> str:
    """A short per-question summary for an LMS feedback column."""
    parts = [f"{q.id} {q.score:g}/{q.max_score:g} {q.status}" for q in row.report.questions]
    notes = [n for n in row.report.notices if n.startswith(OVERRIDE_NOTICE)]
    return "; ".join(parts + notes)


def write_table(header: list[str], table: list[list[str]], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = _Writer(f)
        out.writerow(header)
        out.writerows(table)


class _Writer:
    """csv.writer whose text cells cannot run as spreadsheet formulas: a cell that starts with
    = + - @ (or a tab or carriage return) is written with a leading apostrophe, as OWASP
    advises; numbers are written as they are."""

    def __init__(self, f) -> None:
        self._out = csv.writer(f)

    def writerow(self, row) -> None:
        self._out.writerow([_cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def _cell(value):
    if isinstance(value, str) and value[:1] in FORMULA_LEADERS and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
