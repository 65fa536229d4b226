"""The instructor dashboard: DIR/index.html, read from what `grader grade --out DIR` left on disk.

Sources: DIR/gradebook.sqlite (tables `submissions` and `questions`, grader/gradebook.py) for
scores, statuses, durations and messages; DIR/<student>/report.json for what the gradebook does
not hold (run-level notices such as "the kernel died"); DIR/grades.csv is linked for download.
One self-contained HTML file: plots drawn with matplotlib (Agg) and inlined as PNG data URLs, a
small inline script to sort the table (the table is usable, sorted by student, without it).
"""

from __future__ import annotations

import json
import re
import sqlite3
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .html import ICONS, LABELS, environment
from .pictures import new_figure, png_data_url

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
    link: str = ""

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


def write_dashboard(out: str | Path) -> Path:
    """Write DIR/index.html from DIR/gradebook.sqlite (and the reports); returns its path."""
    out = Path(out)
    rows, exercise, question_ids = read_gradebook(out / "gradebook.sqlite")
    for row in rows:
        row.notices = _notices(out / row.student / "report.json")
        if (out / row.student / "report.html").is_file():
            row.link = f"{quote(row.student)}/report.html"
    html = environment().get_template("dashboard.html.j2").render(
        exercise=exercise, rows=rows, question_ids=question_ids, icons=ICONS, labels=LABELS,
        summary=_summary(rows), questions=question_stats(rows, question_ids),
        problems=problem_rows(rows), slowest=sorted(rows, key=lambda r: -r.duration_s)[:SLOWEST],
        csv="grades.csv" if (out / "grades.csv").is_file() else None,
        histogram=_histogram(rows), pass_rates=_pass_rate_plot(rows, question_ids))
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


def _notices(report: Path) -> tuple[str, ...]:
    try:
        return tuple(str(n) for n in json.loads(report.read_text(encoding="utf-8"))["notices"])
    except (OSError, ValueError, KeyError, TypeError):
        return ()


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


def _histogram(rows: list[Row]) -> str | None:
    if not rows:
        return None
    top = max(r.max_score for r in rows) or 1.0
    fig, (ax,) = new_figure(1, height=2.8, width=7.0, fitted=True)
    bins = min(20, max(5, int(top) + 1))
    ax.hist([r.score for r in rows], bins=bins, range=(0, top), color="#0969da",
            edgecolor="white")
    ax.set_xlabel("score (points)")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return png_data_url(fig)


def _pass_rate_plot(rows: list[Row], question_ids: list[str]) -> str | None:
    stats = question_stats(rows, question_ids)
    if not stats:
        return None
    fig, (ax,) = new_figure(1, height=0.4 * len(stats) + 1.0, width=7.0, fitted=True)
    names = [s["id"] for s in stats][::-1]
    ax.barh(names, [s["rate"] for s in stats][::-1], color="#1a7f37")
    ax.set_xlim(0, 100)
    ax.set_xlabel("passed (% of submissions)")
    return png_data_url(fig)
