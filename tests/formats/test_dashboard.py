"""The instructor dashboard `grader grade` writes next to the gradebook (DIR/index.html)."""

from __future__ import annotations

import csv
import random
import re
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT

from grader.formats.dashboard import (
    Row,
    count_ticks,
    score_bins,
    score_ticks,
    write_dashboard,
)
from grader.grading import gradebook

CHART = re.compile(r'<svg class="chart" role="img" aria-labelledby="([\w-]+)".*?</svg>', re.S)


@pytest.mark.kernel
def test_grade_writes_a_dashboard_that_links_every_report_and_the_csv(graded_class):
    out, proc = graded_class
    assert f"Dashboard:  {out / 'index.html'}" in proc.stdout
    html = (out / "index.html").read_text(encoding="utf-8")
    students = [row["student"] for row in csv.DictReader((out / "grades.csv").open())]
    for student in students:
        assert f'<a href="{student}/report.html">{student}</a>' in html
    assert '<a href="grades.csv" download>' in html
    assert len(re.findall(r'<svg[^>]* role="img"', html)) == 2   # histogram, pass rates
    assert "data:image/png" not in html
    # rows, header, questions, header
    assert len(re.findall(r"<tr[ >]", html)) == len(students) + 1 + 5 + 1


@pytest.mark.kernel
def test_dashboard_lists_problem_submissions_and_common_failures(graded_class):
    out = graded_class[0]
    html = (out / "index.html").read_text(encoding="utf-8")
    problems = html.split("Submissions that errored, timed out or hit a limit")[1].split("<h2")[0]
    assert ">broken</a> <span class=\"st unreadable\">unreadable" in problems
    assert ">carol</a>" in problems and "q3_scratch: error" in problems
    assert ">alice</a>" not in problems
    # eve forgot `inertia`: q2's most common failure names the missing answer.
    q2 = html.split("<code>q2_inertia</code>")[1].split("</tr>")[0]
    assert "`inertia`" in q2 and "(×" in q2


@pytest.mark.kernel
def test_dashboard_can_be_rewritten_from_disk_alone(graded_class, tmp_path):
    out = graded_class[0]
    before = (out / "index.html").read_text(encoding="utf-8")
    assert write_dashboard(out) == out / "index.html"
    assert (out / "index.html").read_text(encoding="utf-8") == before


def charts(html: str) -> dict[str, str]:
    """The dashboard's SVG charts by the id of the title that names them."""
    return {m.group(1): m.group(0) for m in CHART.finditer(html)}


@pytest.mark.kernel
def test_dashboard_charts_are_svg_drawn_from_the_gradebook(graded_class):
    out = graded_class[0]
    html = (out / "index.html").read_text(encoding="utf-8")
    found = charts(html)
    assert sorted(found) == ["rates-title", "scores-title"]
    db = sqlite3.connect(out / "gradebook.sqlite")
    submissions = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    rates = db.execute("SELECT question, SUM(status = 'passed'), COUNT(*) FROM questions "
                       "GROUP BY question").fetchall()
    db.close()
    assert submissions == len(list(csv.DictReader((out / "grades.csv").open())))

    histogram = found["scores-title"]
    assert (f'<title id="scores-title">Histogram of the scores of {submissions} submissions, '
            f"from 0 to 13 points; mean ") in histogram
    counts = [int(n) for n in re.findall(r"points: (\d+) submissions?</title>", histogram)]
    assert sum(counts) == submissions and 0 not in counts       # empty bins are not drawn
    assert 'fill="#0969da"' in histogram
    assert ">score (points)</text>" in histogram and ">submissions</text>" in histogram

    bars = found["rates-title"]
    assert len(rates) == 5 and 'fill="#1a7f37"' in bars
    for question, passed, count in rates:
        rate = round(100 * passed / count)
        assert f"<title>{question}: {passed}/{count} passed ({rate}%)</title>" in bars
        assert f"{question} {rate}%" in bars.split("</title>")[0]     # the accessible name
        assert f'dy=".35em" text-anchor="end">{question}</text>' in bars   # the axis label
    assert ">100%</text>" in bars and ">passed (% of submissions)</text>" in bars


@pytest.mark.kernel
def test_writing_a_dashboard_does_not_import_matplotlib(graded_class, tmp_path):
    source, copy = (sqlite3.connect(folder / "gradebook.sqlite")
                    for folder in (graded_class[0], tmp_path))
    source.backup(copy)
    source.close(), copy.close()
    code = ("import sys; from grader.formats.dashboard import write_dashboard; "
            "write_dashboard(sys.argv[1]); print([m for m in sys.modules if 'matplotlib' in m])")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert len(charts((tmp_path / "index.html").read_text(encoding="utf-8"))) == 2


def small_gradebook(folder, scores, questions) -> None:
    """A gradebook of students s0, s1, ... with these scores (of 4 points) and, per question
    id, which students passed it."""
    db = gradebook.connect(folder / "gradebook.sqlite")
    with db:
        for i, score in enumerate(scores):
            db.execute("INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       ("ex", f"s{i}", "", "", score, 4.0, "graded", "", 1.0, "", "{}"))
            for qid, passed in questions.items():
                db.execute("INSERT INTO questions VALUES (?,?,?,?,?,?,?)",
                           ("ex", f"s{i}", qid, 0, 1, "passed" if i in passed else "failed", ""))
    db.close()


def test_chart_labels_from_user_files_are_escaped_and_long_ids_shortened(tmp_path):
    hostile, long = "<img src=x onerror=alert(1)>", "q2_" + "x" * 40
    small_gradebook(tmp_path, [0, 1.5, 4], {hostile: {0, 1, 2}, long: set()})
    html = write_dashboard(tmp_path).read_text(encoding="utf-8")
    assert "<img" not in html
    bars = charts(html)["rates-title"]
    assert "<title>&lt;img src=x onerror=alert(1)&gt;: 3/3 passed (100%)</title>" in bars
    assert f"<title>{long}: 0/3 passed (0%)</title>" in bars       # the tooltip: all of it
    assert f">{long[:19]}…</text>" in bars                          # the axis label: cut
    assert 'width="0.0"' in bars and ">0%</text>" in bars


def test_an_empty_class_has_no_charts(tmp_path):
    small_gradebook(tmp_path, [], {})
    html = write_dashboard(tmp_path).read_text(encoding="utf-8")
    assert "<svg" not in html and "<figure>" not in html


def rows(*scores, top=10.0) -> list[Row]:
    return [Row(f"s{i}", score, top, "graded", "", 1.0) for i, score in enumerate(scores)]


def test_score_bins():
    assert score_bins([]) == []
    bins = score_bins(rows(0, 5, 9.99, 10, 10))     # 11 bins of 10/11 points
    assert len(bins) == 11 and bins[0]["lo"] == 0 and bins[-1]["hi"] == 10
    assert [b["count"] for b in bins] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3]  # max: the last bin
    # No points to give: one point's worth of axis, every score 0 in the first bin.
    bins = score_bins(rows(0, 0, top=0.0))
    assert [b["count"] for b in bins] == [2, 0, 0, 0, 0] and bins[-1]["hi"] == 1.0
    # Fractional points: 2.5 points in 5 bins of 0.5; a score on an edge opens the next bin.
    bins = score_bins(rows(0.5, 1.25, 2.49, 2.5, top=2.5))
    assert [(b["lo"], b["hi"]) for b in bins] == [(0, .5), (.5, 1), (1, 1.5), (1.5, 2), (2, 2.5)]
    assert [b["count"] for b in bins] == [0, 1, 1, 0, 2]
    assert len(score_bins(rows(1, top=47.5))) == 20                  # at most 20 bins
    assert sum(b["count"] for b in score_bins(rows(-1, 2, 11))) == 1  # outside 0..top: none
    # The same bins as numpy.histogram (what the matplotlib histogram drew), edges included.
    rng = random.Random(0)
    for top in (1.0, 2.5, 7.0, 13.0, 47.5, 100.0):
        scores = [round(rng.uniform(0, top) * 4) / 4 for _ in range(200)] + [0.0, top]
        bins = score_bins(rows(*scores, top=top))
        counts, edges = np.histogram(scores, bins=len(bins), range=(0, top))
        assert [b["count"] for b in bins] == counts.tolist()
        assert [b["lo"] for b in bins] + [top] == edges.tolist()


def test_axis_ticks():
    assert score_ticks(13) == [0, 2, 4, 6, 8, 10, 12]
    assert score_ticks(2.5) == [0, 0.5, 1, 1.5, 2, 2.5]
    assert score_ticks(1) == [0, 0.2, 0.4, 0.6, 0.8, 1]
    assert count_ticks(0) == [0, 1] and count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(10) == [0, 2, 4, 6, 8, 10] and count_ticks(11) == [0, 5, 10, 15]
    for top in (0.5, 3, 9.5, 13, 47.5, 130, 1000):
        ticks = score_ticks(top)
        assert ticks[0] == 0 and ticks[-1] <= top and 2 <= len(ticks) <= 8
    for highest in range(0, 300, 7):
        ticks = count_ticks(highest)
        assert ticks[-1] >= highest and len(ticks) <= 6 and all(isinstance(t, int) for t in ticks)

