"""The instructor dashboard: DIR/index.html, read from what `grader grade --out DIR` left on disk.

Sources: DIR/gradebook.sqlite (tables `submissions` and `questions`, grader/gradebook.py) for
scores, statuses, durations and messages; DIR/<student>/report.json for what the gradebook does
not hold (run-level notices such as "the kernel died"); DIR/grades.csv is linked for download.
One self-contained HTML file: the two charts (score histogram, pass rate per question) are inline
SVG, drawn by the template from plain numbers computed here (no matplotlib: importing it and
drawing added ~0.4 s to the end of every `grader grade`); a small inline script sorts the table
(the table is usable, sorted by student, without it).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import statistics
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .html import ICONS, LABELS, environment

SLOWEST = 5               # submissions listed as the slowest
COMMON_FAILURES = 3       # failure messages listed per question
LIMIT_WORDS = ("time", "died", "memory", "limit", "interrupted", "stopped", "truncated")


@dataclass
class Row:
    student: str
    score: float
    max_score: float
    status: str                  # graded | unreadable | grader-error
    message: str
    duration_s: float
    questions: dict = field(default_factory=dict)    # question id -> (status, score, message)
    notices: tuple = ()
    release_changes: tuple = ()   # files of the course release the student's repository changed
    link: str = ""

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


def write_dashboard(out: str | Path) -> Path:
    """Write DIR/index.html from DIR/gradebook.sqlite (and the reports); returns its path."""
    out = Path(out)
    rows, exercise, question_ids = read_gradebook(out / "gradebook.sqlite")
    for row in rows:
        row.notices, row.release_changes = _from_report(out / row.student / "report.json")
        if (out / row.student / "report.html").is_file():
            row.link = f"{quote(row.student)}/report.html"
    bins = score_bins(rows)
    html = environment().get_template("dashboard.html.j2").render(
        exercise=exercise, rows=rows, question_ids=question_ids, icons=ICONS, labels=LABELS,
        summary=_summary(rows), questions=question_stats(rows, question_ids),
        problems=problem_rows(rows), tampered=[r for r in rows if r.release_changes],
        slowest=sorted(rows, key=lambda r: -r.duration_s)[:SLOWEST],
        csv="grades.csv" if (out / "grades.csv").is_file() else None,
        bins=bins, score_axis=score_ticks(bins[-1]["hi"]) if bins else [],
        count_axis=count_ticks(max((b["count"] for b in bins), default=0)))
    path = out / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


def read_gradebook(path: Path) -> tuple[list[Row], str, list[str]]:
    """The rows of the gradebook, one per student, with their questions; read-only."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = {r[0]: Row(*r) for r in db.execute(
            "SELECT student, score, max_score, status, message, duration_s FROM submissions "
            "ORDER BY student")}
        exercise = next(iter(db.execute("SELECT exercise FROM submissions LIMIT 1")), [""])[0]
        question_ids: list[str] = []
        for student, question, status, score, message in db.execute(
                "SELECT student, question, status, score, message FROM questions "
                "ORDER BY rowid"):
            if question not in question_ids:
                question_ids.append(question)
            if student in rows:
                rows[student].questions[question] = (status, score, message)
    finally:
        db.close()
    return list(rows.values()), exercise, question_ids


def _from_report(report: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(notices, release changes) of a student's report.json, () where it cannot be read."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return (), ()
    return _strings(data, "notices"), _strings(data, "release_changes")


def _strings(data, key: str) -> tuple[str, ...]:
    value = data.get(key, ()) if isinstance(data, dict) else ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _summary(rows: list[Row]) -> dict:
    scores = [r.score for r in rows]
    return {"count": len(rows), "max_score": max((r.max_score for r in rows), default=0),
            "mean": statistics.fmean(scores) if scores else 0.0,
            "median": statistics.median(scores) if scores else 0.0,
            "full": sum(r.score == r.max_score and r.max_score > 0 for r in rows),
            "graded": sum(r.status == "graded" for r in rows)}


def _pattern(message: str) -> str:
    """Messages that differ only in their numbers count as one ("602 of 2000 points differ")."""
    return re.sub(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?", "N", message)


def question_stats(rows: list[Row], question_ids: list[str]) -> list[dict]:
    """Per question: pass rate, statuses, the most common failure messages (one example each)."""
    stats = []
    for qid in question_ids:
        results = [r.questions[qid] for r in rows if qid in r.questions]
        failures = [message for status, _, message in results if status != "passed"]
        examples = {}
        for message in failures:
            examples.setdefault(_pattern(message), message)
        common = Counter(_pattern(m) for m in failures).most_common(COMMON_FAILURES)
        passed = sum(status == "passed" for status, _, _ in results)
        stats.append({"id": qid, "passed": passed, "count": len(results),
                      "rate": 100 * passed / len(results) if results else 0.0,
                      "statuses": Counter(status for status, _, _ in results),
                      "failures": [(examples[p], n) for p, n in common]})
    return stats


def problem_rows(rows: list[Row]) -> list[tuple[Row, str]]:
    """Submissions that could not be graded, raised, timed out or hit a limit, with why."""
    found = []
    for row in rows:
        why = []
        if row.status != "graded":
            why.append(row.message or row.status)
        why += [n for n in row.notices if any(w in n.lower() for w in LIMIT_WORDS)]
        stuck = [q for q, (status, _, _) in row.questions.items()
                 if status in ("error", "timeout", "grader-error")]
        if stuck and row.status == "graded":
            why.append(", ".join(f"{q}: {row.questions[q][0]}" for q in stuck))
        if why:
            found.append((row, "; ".join(dict.fromkeys(why))))
    return found


# ---------------------------------------------------------------------------------------------
# The charts' numbers (the template draws them as SVG)
# ---------------------------------------------------------------------------------------------

def score_bins(rows: list[Row]) -> list[dict]:
    """The score histogram: bins {lo, hi, count} of equal width from 0 to the highest max_score
    (1 if that is 0), one per whole point plus one, 5 to 20 of them. numpy.histogram's rules:
    a bin holds lo <= score < hi, the last one its right edge too; scores outside, none."""
    if not rows:
        return []
    top = max(r.max_score for r in rows) or 1.0
    count = min(20, max(5, int(top) + 1))
    edges = [i * (top / count) for i in range(count)] + [top]
    counts = [0] * count
    for row in rows:
        if 0 <= row.score <= top:
            counts[min(bisect_right(edges, row.score) - 1, count - 1)] += 1
    return [{"lo": edges[i], "hi": edges[i + 1], "count": n} for i, n in enumerate(counts)]


def _step(span: float, most: int, steps=(1, 2, 5)) -> float:
    """The smallest of 1, 2, 5 times a power of ten that cuts 0..span into at most `most` steps."""
    power = 10.0 ** math.floor(math.log10(span / most))
    return next(power * m for m in (*steps, 10) if span / (power * m) <= most + 1e-9)


def score_ticks(top: float, most: int = 7) -> list[float]:
    """The score axis's tick values: 0, then round steps up to `top` (not beyond)."""
    step = _step(top, most)
    return [round(i * step, 10) for i in range(int(top / step + 1e-9) + 1)]


def count_ticks(highest: int, most: int = 5) -> list[int]:
    """The count axis's tick values: 0, then whole round steps up to at least `highest`."""
    step = max(1, int(_step(max(highest, 1), most)))
    return list(range(0, -(-max(highest, 1) // step) * step + 1, step))
