"""GitHub Actions outputs, checked against GitHub's own rules: the classroom reporter's parsing
and summing (tests/classroom_reporter.py), @actions/core's escaping, and line numbers in the
notebook file as GitHub shows it. Pure: no kernel."""

from __future__ import annotations

import json
from dataclasses import replace

import classroom_reporter as reporter
import jsonschema
import nbformat
import pytest
from helpers import ROOT

from grader.core.overrides import Override, apply_overrides
from grader.core.results import QuestionResult, Report, Status
from grader.platforms import github


def _report(points_and_status, exercise="ex") -> Report:
    questions = tuple(QuestionResult(f"q{i}", f"Question {i}", p if s == Status.PASSED else 0.0,
                                     p, s, "msg, with: punctuation\nand lines")
                      for i, (p, s) in enumerate(points_and_status, start=1))
    return Report(exercise, "ex.ipynb", sum(q.score for q in questions),
                  sum(q.max_score for q in questions), questions, {"grader": "0"}, 1, 0.5)


@pytest.mark.parametrize("points", [
    [(3, Status.PASSED), (2, Status.FAILED), (3, Status.PASSED)],
    [(1.5, Status.PASSED), (2.5, Status.MISSING), (1, Status.PASSED)],
    [(0.25, Status.PASSED), (0.75, Status.ERROR), (2, Status.PASSED)],
])
def test_reporter_console_and_points_equal_our_total(points):
    report = _report(points)
    result = github.classroom_result([("ex.ipynb", report)])
    jsonschema.validate(result, reporter.RESULT_SCHEMA)
    env = {"GRADER_RESULTS": github.encode_result(result)}
    runs = reporter.decode("grader", env)
    assert reporter.console_score(runs[0]["results"]) == pytest.approx(report.score)
    assert reporter.src_score(runs[0]["results"]) == report.score
    assert reporter.notify(runs) == (f"Points {reporter.js_number(report.score)}/"
                                     f"{reporter.js_number(report.max_score)}")
    assert reporter.step_failed(runs) == "Some tests failed."


def test_partial_credit_from_an_override_is_counted_the_same_by_both_sums():
    report = apply_overrides(_report([(3, Status.FAILED), (2, Status.PASSED)]), "ann",
                             (Override("ann", "q1", 2, "partial credit by hand"),))
    result = github.classroom_result([("ex.ipynb", report)])
    assert report.score == 4
    assert reporter.console_score(result) == reporter.src_score(result) == 4


def test_partial_credit_in_tenths_makes_both_sums_agree():
    """2.4 of 3 (four checks of five): tests of 0.2 points, so the console and the points agree."""
    q1 = QuestionResult("q1", "Question 1", 2.4, 3.0, Status.FAILED, "msg")
    q2 = QuestionResult("q2", "Question 2", 2.0, 2.0, Status.PASSED, "msg")
    report = Report("ex", "ex.ipynb", 4.4, 5.0, (q1, q2), {"grader": "0"}, 1, 0.5)
    result = github.classroom_result([("ex.ipynb", report)])
    assert len(result["tests"]) == 25
    assert reporter.src_score(result) == pytest.approx(4.4)
    assert reporter.console_score(result) == pytest.approx(4.4)


def test_partial_credit_of_checks_is_recorded_exactly_by_classroom():
    """1.34 of 2 points (two checks of three) would need tests of 0.01 points: the points
    Classroom records are still ours; the console table counts the whole units only."""
    q1 = QuestionResult("q1", "Question 1", 1.34, 2.0, Status.FAILED, "msg")
    q2 = QuestionResult("q2", "Question 2", 3.0, 3.0, Status.PASSED, "msg")
    report = Report("ex", "ex.ipynb", 4.34, 5.0, (q1, q2), {"grader": "0"}, 1, 0.5)
    result = github.classroom_result([("ex.ipynb", report)])
    jsonschema.validate(result, reporter.RESULT_SCHEMA)
    assert reporter.src_score(result) == pytest.approx(4.34)
    assert reporter.console_score(result) == pytest.approx(4)
    assert [t["status"] for t in result["tests"][:2]] == ["pass", "fail"]


def test_all_passed_is_pass_and_a_grader_error_is_error():
    passed = github.classroom_result([("a.ipynb", _report([(2, Status.PASSED)]))])
    broken = github.classroom_result([("a.ipynb", _report([(2, Status.GRADER_ERROR)]))])
    unreadable = github.classroom_result([("a.ipynb", _report([(2, Status.PASSED)]))], failed=1)
    assert reporter.step_failed([{"results": passed}]) is None
    assert broken["status"] == unreadable["status"] == "error"


def test_annotations_escape_like_actions_core_and_point_at_the_answer_cell():
    nb = nbformat.read(ROOT / "examples" / "kmeans_basics" / "bob.ipynb", as_version=4)
    report = replace(_report([(3, Status.FAILED)]), questions=(
        replace(_report([(3, Status.FAILED)]).questions[0], id="q2_inertia", hint="50% off"),))
    for text in (nbformat.writes(nb), json.dumps(nb, indent=None), json.dumps(nb, indent=4)):
        (line,) = github.annotations(report, "dir, with comma/bob.ipynb", text)
        props, message = line[len("::error "):].split("::", 1)
        assert "\n" not in line and "%0A" in message and "50%25 off" in message
        assert props.startswith("file=dir%2C with comma/bob.ipynb,line=")
        number = int(props.split(",line=")[1].split(",")[0])
        cell = next(c for c in nb.cells if c.metadata.get("grader", {}).get("question")
                    == "q2_inertia")
        first = json.dumps(cell.source.splitlines()[0])[:-1]  # the string as the file holds it
        if "\n" in text.strip():  # a one-line file has the whole notebook on line 1
            assert first in text.splitlines()[number - 1]
        else:
            assert number == 1


def test_summary_markdown_has_a_row_per_question_and_the_total():
    report = _report([(2, Status.PASSED), (1, Status.FAILED)])
    report = replace(report, questions=(report.questions[0],
                                        replace(report.questions[1], message="a | b")))
    text = github.summary_markdown([("a.ipynb", report)])
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 3 and "a \\| b" in rows[2] and "**Total: 2/3**" in text
