"""The instructor dashboard `grader grade` writes next to the gradebook (DIR/index.html)."""

from __future__ import annotations

import csv
import re

from grader.formats.dashboard import write_dashboard


def test_grade_writes_a_dashboard_that_links_every_report_and_the_csv(graded_class):
    out, proc = graded_class
    assert f"Dashboard:  {out / 'index.html'}" in proc.stdout
    html = (out / "index.html").read_text(encoding="utf-8")
    students = [row["student"] for row in csv.DictReader((out / "grades.csv").open())]
    for student in students:
        assert f'<a href="{student}/report.html">{student}</a>' in html
    assert '<a href="grades.csv" download>' in html
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 2  # histogram, rates
    assert html.count("<tr>") == len(students) + 1 + 5 + 1   # rows, header, questions, header


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


def test_dashboard_can_be_rewritten_from_disk_alone(graded_class, tmp_path):
    out = graded_class[0]
    before = (out / "index.html").read_text(encoding="utf-8")
    assert write_dashboard(out) == out / "index.html"
    assert (out / "index.html").read_text(encoding="utf-8") == before
