"""The gradebook: SQLite (WAL), one row per submission and one per question, written as each
submission finishes. The CSV exports for an LMS are in grader/formats/lms.py.

A batch can be killed at any moment and resumed: a row is committed in one transaction after
its reports are on disk, so a row is final and a submission without one is graded again.
"Identical" gradebooks (a resumed batch and an uninterrupted one) agree on every column of both
tables except the timing ones, `duration_s` and `graded_at`, and on the stored report except
its own `duration_s` (README, "Resuming a killed batch").
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from ..core.results import Report
from ..errors import UsageError

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    exercise TEXT NOT NULL, student TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
    duration_s REAL NOT NULL, graded_at TEXT NOT NULL, report_json TEXT NOT NULL,
    PRIMARY KEY (exercise, student));
CREATE TABLE IF NOT EXISTS questions (
    exercise TEXT NOT NULL, student TEXT NOT NULL, question TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
    PRIMARY KEY (exercise, student, question));
CREATE TABLE IF NOT EXISTS batches (
    exercise TEXT PRIMARY KEY, settings TEXT NOT NULL, started_at TEXT NOT NULL);
"""


def connect(path: Path) -> sqlite3.Connection:
    """The gradebook at `path`, made if new; UsageError naming the file if it is not one."""
    try:
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        # WAL without an fsync per row: a crash of the machine may lose the last rows (a
        # --resume grades them again), never corrupt the file. One fsync per student was
        # ~5 ms of a batch's time per submission.
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path} is not a readable gradebook ({exc})",
                         f"move it aside (mv {path} {path}.broken) and grade again with "
                         f"--fresh; the reports in {path.parent} are kept") from None
    return db


def recorded(db: sqlite3.Connection, exercise: str) -> dict[str, str]:
    """student -> sha256 of the file their recorded row was graded from."""
    return dict(db.execute("SELECT student, sha256 FROM submissions WHERE exercise = ?",
                           (exercise,)))


def batch_settings(db: sqlite3.Connection, exercise: str) -> dict | None:
    """The settings the recorded rows were graded with (None: no batch recorded them)."""
    row = db.execute("SELECT settings FROM batches WHERE exercise = ?", (exercise,)).fetchone()
    return json.loads(row[0]) if row else None


def start_batch(db: sqlite3.Connection, exercise: str, settings: dict) -> None:
    with db:
        db.execute("INSERT OR REPLACE INTO batches VALUES (?,?,?)",
                   (exercise, json.dumps(settings, sort_keys=True, default=str), _now()))


def forget(db: sqlite3.Connection, exercise: str) -> list[str]:
    """Delete every row of `exercise` (a fresh start); returns the students it held."""
    students = sorted(recorded(db, exercise))
    with db:
        for table in ("questions", "submissions", "batches"):
            db.execute(f"DELETE FROM {table} WHERE exercise = ?", (exercise,))
    return students


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def record(db: sqlite3.Connection, student: str, sha256: str, status: str,
           report: Report) -> None:
    """Replace this student's rows with the new result, in one transaction."""
    message = "; ".join(report.notices) if status != "graded" else ""
    with db:
        db.execute("DELETE FROM questions WHERE exercise = ? AND student = ?",
                   (report.exercise, student))
        db.execute("INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (report.exercise, student, report.submission, sha256, report.score,
                    report.max_score, status, message, report.duration_s, _now(),
                    json.dumps(report.to_dict(), default=str)))
        db.executemany("INSERT INTO questions VALUES (?,?,?,?,?,?,?)",
                       [(report.exercise, student, q.id, q.score, q.max_score, str(q.status),
                         q.message) for q in report.questions])
