"""A failed question says what to fix: a known wrong value or a check's own hint replaces the
generic advice, and a question built on an earlier failed question says to fix that one first."""

from __future__ import annotations

from helpers import spec_from_text

from grader.checks.toolkit import CHECK_HINT
from grader.core.answers import Extracted
from grader.core.records import CellRun, Execution
from grader.core.results import Status
from grader.grading.score import score_questions

SPEC = """schema_version = 1
id = "ex"
title = "Ex"

[[questions]]
id = "q1_fit"
points = 2
  [[questions.checks]]
  check = "close"
  answer = "centre"

[[questions]]
id = "q2_inertia"
points = 2
  [[questions.checks]]
  check = "close"
  answer = "inertia"
  traps = [{ value = 224.07, message = "224.07 is a local optimum: did you use n_init=1?" }]
"""
REFERENCE = Extracted({"centre": 1.0, "inertia": 211.6})


def grade(tmp_path, values, q1_source="centre = fit(X)",
          q2_source="import numpy as np\ninertia = np.sum(centre * X)"):
    exercise = spec_from_text(tmp_path, SPEC)
    cells = (CellRun(0, "X = load()", "ok"), CellRun(1, q1_source, "ok", question="q1_fit"),
             CellRun(2, q2_source, "ok", question="q2_inertia"))
    results = score_questions(exercise, Execution(cells, Extracted(values), (), 1.0), REFERENCE)
    return {r.id: r for r in results}


def test_a_trap_replaces_the_generic_advice(tmp_path):
    q2 = grade(tmp_path, {"centre": 1.0, "inertia": 224.07})["q2_inertia"]
    assert q2.status == Status.FAILED
    assert "local optimum" in q2.message and CHECK_HINT not in q2.message


def test_a_question_built_on_a_failed_question_says_to_fix_that_first(tmp_path):
    q2 = grade(tmp_path, {"centre": 2.0, "inertia": 300.0})["q2_inertia"]
    assert CHECK_HINT not in q2.message
    assert "`centre` from question q1_fit, which did not pass: fix that question first" \
        in q2.message
    assert "fix that question first" in q2.checks[0].message


def test_no_blame_when_the_earlier_question_passed_or_is_not_used(tmp_path):
    passed_before = grade(tmp_path, {"centre": 1.0, "inertia": 300.0})["q2_inertia"]
    unrelated = grade(tmp_path, {"centre": 2.0, "inertia": 300.0},
                      q2_source="inertia = np.sum(X)")["q2_inertia"]
    imported = grade(tmp_path, {"centre": 2.0, "inertia": 300.0},
                     q1_source="import numpy as np\ncentre = fit(X)",
                     q2_source="inertia = np.sum(X)")["q2_inertia"]
    for result in (passed_before, unrelated, imported):
        assert CHECK_HINT in result.message and "fix that question first" not in result.message
