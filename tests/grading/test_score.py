"""Status attribution, as a pure function of an execution record (no kernels needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grader.checks import Comparison
from grader.core.answers import Extracted, Problem
from grader.core.records import CellRun, Execution
from grader.core.results import CellError, Status
from grader.core.spec import CheckSpec, Question
from grader.grading.score import defined_names, score_question

QUESTION = Question("q1", "Inertia", 2.0, "public", "a hint",
                    (CheckSpec("close", "inertia", {"rtol": 1e-6}),))
REFERENCE = Extracted({"inertia": 211.6})


def execution(cells, values=None, problems=None, answers=True):
    extracted = Extracted(values or {}, problems or {}) if answers else None
    return Execution(tuple(cells), extracted, (), 1.0)


def error(index, ename="ValueError", evalue="bad"):
    return CellError(index, ename, evalue, "", "src")


def test_passes_and_fails_on_the_value():
    result = score_question(QUESTION, execution([], {"inertia": 211.6}), REFERENCE)
    assert result.status == Status.PASSED
    failed = score_question(QUESTION, execution([], {"inertia": 224.07}), REFERENCE)
    assert failed.status == Status.FAILED and failed.score == 0 and "211.6" not in failed.message


def test_a_cell_that_timed_out_while_defining_the_answer():
    cells = [CellRun(0, "inertia = slow()", "timeout", error(0, "CellTimeoutError"))]
    missing = {"inertia": Problem("missing", "")}
    result = score_question(QUESTION, execution(cells, problems=missing),
                            REFERENCE)
    assert result.status == Status.TIMEOUT and "cell 1 ran out of time" in result.message


def test_cells_not_run_because_of_the_deadline():
    cells = [CellRun(3, "inertia = 1", "not-run")]
    missing = {"inertia": Problem("missing", "")}
    result = score_question(QUESTION, execution(cells, problems=missing),
                            REFERENCE)
    assert result.status == Status.TIMEOUT and "before cell 4" in result.message


def test_a_dead_kernel_is_an_error_of_the_submission():
    cells = [CellRun(0, "import os; os._exit(1)", "error", error(0, "KernelDied", "died"))]
    result = score_question(QUESTION, execution(cells, answers=False), REFERENCE)
    assert result.status == Status.ERROR and "died in cell 1" in result.message


def test_the_stub_placeholder_is_missing_not_error():
    cells = [CellRun(2, "# YOUR CODE HERE\nraise NotImplementedError()", "error",
                     error(2, "NotImplementedError", ""), question="q1")]
    missing = {"inertia": Problem("missing", "")}
    result = score_question(QUESTION, execution(cells, problems=missing),
                            REFERENCE)
    assert result.status == Status.MISSING and "not answered yet" in result.message


def test_a_reference_without_the_answer_is_a_grader_error():
    result = score_question(QUESTION, execution([], {"inertia": 1.0}), Extracted({}))
    assert result.status == Status.GRADER_ERROR and "tell your instructor" in result.message


def test_a_crashing_check_is_a_grader_error(monkeypatch):
    from grader import checks

    def boom(got, expected, **options):
        raise RuntimeError("bug")
    monkeypatch.setitem(checks.CHECKS, "close", boom)
    result = score_question(QUESTION, execution([], {"inertia": 211.6}), REFERENCE)
    assert result.status == Status.GRADER_ERROR


def test_hidden_checks_carry_no_numbers():
    hidden = Question("q1", "Inertia", 2.0, "hidden", "",
                      (CheckSpec("close", "inertia", {"rtol": 1e-6}, visibility="hidden"),))
    result = score_question(hidden, execution([], {"inertia": np.float64(224.07)}), REFERENCE)
    assert result.checks[0].detail == "" and "211" not in result.message
    # Nor any field of the structured detail, in memory or in the JSON.
    assert result.checks[0].comparison == Comparison()
    assert result.checks[0].to_dict()["comparison"] is None
    assert "211" not in json.dumps(result.checks[0].to_dict())


def test_public_checks_carry_their_numbers_as_fields():
    result = score_question(QUESTION, execution([], {"inertia": np.float64(224.07)}), REFERENCE)
    comparison = result.checks[0].comparison
    assert (comparison.got, comparison.expected, comparison.rtol) == (224.07, 211.6, 1e-6)
    assert comparison.difference == pytest.approx(12.47) and comparison.atol == 1e-9
    assert result.checks[0].detail == str(comparison) and "211.6" in result.checks[0].detail
    assert result.checks[0].to_dict()["comparison"]["expected"] == 211.6


@pytest.mark.parametrize("source, names", [
    ("a = 1\nb, c = f()", {"a", "b", "c"}),
    ("def f(): pass\nclass K: pass", {"f", "K"}),
    ("import numpy as np\nfrom x import y", {"np", "y"}),
    ("%matplotlib inline\nx = 2", {"x"}),
    ("this is not python", set()),
])
def test_defined_names(source, names):
    assert defined_names(source) >= names and (names or not defined_names(source))


def test_missing_answer_mentions_only_errors_before_the_question():
    missing = {"inertia": Problem("missing", "")}
    cells = [CellRun(1, "x = 1/0", "error", error(1, "ZeroDivisionError")),
             CellRun(4, "inertia_by_hand = 3", "ok", question="q1"),
             CellRun(6, "use(inertia)", "error", error(6, "NameError"))]
    result = score_question(QUESTION, execution(cells, problems=missing), REFERENCE)
    assert result.status == Status.MISSING
    assert "cell 2 raised ZeroDivisionError earlier" in result.message
    assert "NameError" not in result.message


def test_a_reference_without_an_answer_only_checked_for_its_range_is_fine():
    """A student bundle releases only values a check compares with (issue 15, §5)."""
    question = Question("q1", "Excess", 2.0, "public", "",
                        (CheckSpec("in_range", "excess", {"low": 0}),))
    result = score_question(question, execution([], {"excess": 0.5}), Extracted({}))
    assert result.status == Status.PASSED
