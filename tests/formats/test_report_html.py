"""The student report as students get it from `grader grade`: passing, failing, erroring and
relabelled submissions (the conftest class), and no hidden reference value anywhere in it."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from helpers import EXERCISE, report_of

from grader.checks import Comparison
from grader.core.catalog import get_exercise
from grader.core.overrides import report_from_dict
from grader.core.records import Limits
from grader.core.results import CheckResult, QuestionResult, Report, Status
from grader.formats.html import render
from grader.formats.json_report import to_json
from grader.grading.public import public_checks
from grader.grading.reference import reference_answers

pytestmark = pytest.mark.kernel


def html_of(out, student: str) -> str:
    return (out / student / "report.html").read_text(encoding="utf-8")


def test_failing_report_says_what_to_fix_first_with_the_numbers(graded_class):
    out = graded_class[0]
    html = html_of(out, "bob")
    first = report_of(out, "bob")["questions"][0]
    assert re.search(r'Fix this first:</strong> <a href="#q1_fit">', html)
    assert first["status"] == "failed" and "✘</span> Failed" in html
    # The tolerance rule is filled in with the numbers of the public check.
    assert re.search(r"got 224\.07\d*, expected 211\.59\d*: \|224\.07\d* − 211\.59\d*\| = "
                     r"12\.4\d* &gt; 1e-09 \+ 1e-06 × 211\.59\d* = 0\.000211", html)
    # Bob's clusters next to the reference's, with a text alternative.
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Two scatter plots of X '
                     r'[^"]*in a different cluster', html)


def test_passing_and_relabelled_reports_say_so_and_draw_matching_colours(graded_class):
    out = graded_class[0]
    for student in ("alice", "dan"):
        html = html_of(out, student)
        assert "Every question passed." in html and "Fix this first" not in html
        assert "every point is in the same cluster" in html   # dan renumbered his clusters


def test_erroring_report_shows_the_cell_the_exception_and_a_traceback(graded_class):
    html = html_of(graded_class[0], "carol")
    assert re.search(r"Cell \d+ raised</strong> <code class=\"exc\">KeyError: ", html)
    assert "labelsiz=14" in html                     # the failing cell's source
    assert "<summary>Traceback of cell" in html
    assert "kernel_side" not in html and "__grader_" not in html


def test_every_report_is_self_contained_and_accessible(graded_class):
    out = graded_class[0]
    for path in out.glob("*/report.html"):
        html = path.read_text(encoding="utf-8")
        assert '<html lang="en">' in html and 'name="viewport"' in html
        assert 'class="skip" href="#questions"' in html
        assert not re.search(r'<(?:link|script)\b|src="(?!data:)', html), path
        assert all(alt.strip() for alt in re.findall(r'<img [^>]*alt="([^"]*)"', html))
        levels = [int(h) for h in re.findall(r"<h([1-6])\b", html)]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), path


def hidden_values(spec, reference) -> dict[str, list[str]]:
    """Reference values only hidden checks see, formatted the ways a report could print them.
    Integers and short numbers are left out: 5 or 0.5 appear in any text for other reasons."""
    # A report shows the student's own values of what public checks read (a `consistent`
    # check reads `score`): for the solution's submission those equal the reference's.
    shown = {n for _, c in public_checks(spec) for n in c.answer_names}
    names = {n for q in spec.questions for c in q.checks for n in c.answer_names
             if n not in shown and n in reference.values}
    found = {}
    for name in names:
        values = np.ravel(np.asarray(reference.values[name], dtype=object))
        floats = [float(v) for v in values[:200] if isinstance(v, (float, np.floating))
                  and not float(v).is_integer()]
        texts = {fmt.format(v) for v in floats for fmt in ("{:.7g}", "{:.6g}", "{:.5g}", "{!r}")}
        found[name] = sorted(t for t in texts if len(t.strip("-0.")) >= 4)
    return found


def test_no_hidden_reference_value_appears_in_any_report(graded_class):
    out = graded_class[0]
    spec = get_exercise(EXERCISE)
    reference = reference_answers(spec, spec.parameters, Limits())
    hidden = hidden_values(spec, reference)
    assert sum(map(len, hidden.values())) > 10   # the test has something to look for
    reports = list(out.glob("*/report.html")) + list(out.glob("*/report.json"))
    assert len(reports) >= 16
    for path in reports:
        text = path.read_text(encoding="utf-8")
        leaks = [(name, v) for name, values in hidden.items() for v in values if v in text]
        assert not leaks, f"{path} shows hidden reference values: {leaks[:5]}"


@pytest.mark.parametrize("student", ["bob"])
def test_pictures_stay_out_of_the_json(graded_class, student):
    text = (graded_class[0] / student / "report.json").read_text()
    assert "data:image" not in text and '"pictures"' not in text


# ------------------------------------------------------------------ the numbers table


def report_with(*checks: CheckResult) -> Report:
    question = QuestionResult("q2", "Inertia", 0.0, 2.0, Status.FAILED, "`inertia`: differs",
                              checks=checks)
    return Report("kmeans_basics", "bob.ipynb", 0.0, 2.0, (question,), {}, 42, 1.0)


def inertia_check(**numbers) -> CheckResult:
    return CheckResult("close", "inertia", False, "Your value differs.",
                       comparison=Comparison(**numbers))


def test_the_numbers_table_comes_from_the_fields_not_the_wording(monkeypatch):
    # Reword the detail's text completely: the table must not change, it reads the fields.
    monkeypatch.setattr(Comparison, "__str__", lambda self: "reworded, nothing to parse")
    scalar = inertia_check(got=224.0743, expected=211.5985, difference=12.47579, atol=1e-9,
                           rtol=1e-6)
    array = inertia_check(got=-0.066884, expected=-2.803896, difference=2.737012, atol=1e-6,
                          rtol=1e-5, index=(1, 0), mismatches=8, size=10,
                          first_mismatches=((1, 0), (1, 1), (2, 0)))
    assert scalar.detail == array.detail == "reworded, nothing to parse"
    html = render(report_with(scalar, array))
    assert "reworded" not in html
    assert html.count("<dt>Passes when</dt>") == 2
    assert "with atol = 1e-09 and rtol = 1e-06" in html
    assert ("<dt>Your value</dt><dd>got 224.0743, expected 211.5985: |224.0743 − 211.5985| = "
            "12.47579 &gt; 1e-09 + 1e-06 × 211.5985 = 0.0002116</dd>") in html
    assert ("<dt>Worst value, at index (1, 0)</dt><dd>got -0.066884, expected -2.803896: "
            "|-0.066884 − (-2.803896)| = 2.737012 &gt; 1e-06 + 1e-05 × 2.803896 = 2.904e-05"
            "</dd>") in html
    assert '<dd class="plain">8 of 10 values differ</dd>' in html


def test_words_of_a_detail_are_plain_rows_and_hidden_checks_show_none():
    words = CheckResult("same_partition", "labels", False, "Differs.",
                        detail="602 of 2000 points differ; first differing indices [0, 5]")
    hidden = CheckResult("close", "centroids", False, "Differs.", visibility="hidden")
    html = render(report_with(words, hidden))
    assert '<dd class="plain">602 of 2000 points differ</dd>' in html
    assert '<dd class="plain">first differing indices [0, 5]</dd>' in html
    assert "Passes when" not in html
    assert "Hidden check: the expected values are not shown." in html


def test_a_report_read_back_from_its_json_keeps_the_numbers():
    report = report_with(inertia_check(got=float("nan"), expected=211.5985, atol=1e-9,
                                       rtol=1e-6))
    again = report_from_dict(json.loads(to_json(report)))
    assert again.questions[0].checks[0].detail == report.questions[0].checks[0].detail
    assert again.questions[0].checks[0].comparison.to_dict() == \
        report.questions[0].checks[0].comparison.to_dict()
    assert render(again) == render(report)
    assert "got nan, expected 211.5985: |nan − 211.5985|" in render(again)
