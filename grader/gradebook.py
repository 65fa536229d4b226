"""The gradebook: SQLite (WAL), one row per submission and one per question, written as each
submission finishes. The CSV exports for an LMS are in grader/formats/lms.py."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from .results import Report

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
"""


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db


def record(db: sqlite3.Connection, student: str, sha256: str, status: str,
           report: Report) -> None:
    """Replace this student's rows with the new result, in one transaction."""
    message = "; ".join(report.notices) if status != "graded" else ""
    with db:
        db.execute("DELETE FROM questions WHERE exercise = ? AND student = ?",
                   (report.exercise, student))
        db.execute("INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (report.exercise, student, report.submission, sha256, report.score,
                    report.max_score, status, message, report.duration_s,
                    dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    json.dumps(report.to_dict(), default=str)))
        db.executemany("INSERT INTO questions VALUES (?,?,?,?,?,?,?)",
                       [(report.exercise, student, q.id, q.score, q.max_score, str(q.status),
                         q.message) for q in report.questions])
