"""Partial credit: each check earns its share of the question's points, gates of form guard the
scored checks of their answers, and an instructor can keep a question all or nothing."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import spec_from_text

from grader.core.answers import Extracted, Problem
from grader.core.records import Execution
from grader.core.results import Status
from grader.errors import SpecError
from grader.grading.score import score_question

HEAD = 'schema_version = 1\nid = "ex"\ntitle = "Ex"\n'
THREE_CHECKS = HEAD + """
[[questions]]
id = "q1"
points = 2
{scoring}
  [[questions.checks]]
  check = "shape"
  answer = "centers"
  [[questions.checks]]
  check = "close"
  answer = "centers"
  {points_a}
  [[questions.checks]]
  check = "close"
  answer = "inertia"
  {points_b}
  [[questions.checks]]
  check = "close"
  answer = "score"
"""
REFERENCE = Extracted({"centers": np.ones((3, 2)), "inertia": 10.0, "score": 0.5})


def question(tmp_path, scoring="", points_a="", points_b="", text=THREE_CHECKS):
    return spec_from_text(tmp_path, text.format(scoring=scoring, points_a=points_a,
                                                points_b=points_b)).questions[0]


def grade(q, values, problems=None):
    return score_question(q, Execution((), Extracted(values, problems or {}), (), 1.0), REFERENCE)


def test_points_are_shared_evenly_over_the_scored_checks_in_hundredths(tmp_path):
    q = question(tmp_path)
    assert [(c.check, c.gate, c.points) for c in q.checks] == [
        ("shape", True, 0.0), ("close", False, 0.67), ("close", False, 0.67),
        ("close", False, 0.66)]


def test_two_right_checks_of_three_earn_their_share(tmp_path):
    result = grade(question(tmp_path), {"centers": np.ones((3, 2)), "inertia": 10.0,
                                        "score": 0.9})
    assert result.status == Status.FAILED
    assert result.score == pytest.approx(1.34)
    assert [c.points for c in result.checks] == [0.0, 0.67, 0.67, 0.0]
    assert [c.max_points for c in result.checks] == [0.0, 0.67, 0.67, 0.66]
    assert "`score`" in result.message


def test_a_failed_gate_takes_the_points_of_its_answers_only(tmp_path):
    # centers of the wrong shape: the values check of centers earns nothing, inertia still does
    result = grade(question(tmp_path), {"centers": np.ones((2, 2)), "inertia": 10.0,
                                        "score": 0.5})
    assert result.score == pytest.approx(1.33)
    assert [c.points for c in result.checks] == [0.0, 0.0, 0.67, 0.66]


def test_all_or_nothing_keeps_a_question_whole(tmp_path):
    q = question(tmp_path, scoring='scoring = "all-or-nothing"')
    wrong = grade(q, {"centers": np.ones((3, 2)), "inertia": 10.0, "score": 0.9})
    assert wrong.status == Status.FAILED and wrong.score == 0
    right = grade(q, {"centers": np.ones((3, 2)), "inertia": 10.0, "score": 0.5})
    assert right.status == Status.PASSED and right.score == 2


def test_explicit_points_and_the_rest_shared(tmp_path):
    q = question(tmp_path, points_a="points = 1.5")
    assert [c.points for c in q.checks] == [0.0, 1.5, 0.25, 0.25]
    result = grade(q, {"centers": np.ones((3, 2)), "inertia": 11.0, "score": 0.9})
    assert result.score == 1.5


def test_a_missing_answer_leaves_the_others_their_points(tmp_path):
    result = grade(question(tmp_path), {"centers": np.ones((3, 2)), "inertia": 10.0},
                   {"score": Problem("not-implemented", "")})
    assert result.status == Status.MISSING and result.score == pytest.approx(1.34)
    assert "not answered yet" in result.message
    assert result.checks[-1].message.startswith("not checked: ")


def test_nothing_answered_but_a_gate_earns_nothing(tmp_path):
    result = grade(question(tmp_path), {"centers": np.ones((3, 2))},
                   {"inertia": Problem("missing", ""), "score": Problem("missing", "")})
    # centers' value check is there and right; the gate alone would earn nothing
    assert result.score == pytest.approx(0.67)
    alone = grade(question(tmp_path), {}, {n: Problem("missing", "") for n in
                                           ("centers", "inertia", "score")})
    assert alone.score == 0 and alone.checks == ()


def test_a_gate_that_guards_nothing_is_scored(tmp_path):
    text = HEAD + """
[[questions]]
id = "q1"
points = 1
  [[questions.checks]]
  check = "shape"
  answer = "X_train"
  [[questions.checks]]
  check = "close"
  answer = "score"
"""
    q = question(tmp_path, text=text)
    assert [(c.gate, c.points) for c in q.checks] == [(False, 0.5), (False, 0.5)]


@pytest.mark.parametrize("change, said", [
    ({"points_a": "points = 1.5", "points_b": "points = 1"}, "add up to 2.5"),
    ({"points_a": "points = 0"}, "positive number of points"),
    ({"points_a": "points = 1", "scoring": 'scoring = "all-or-nothing"'}, "per-check scoring"),
    ({"scoring": 'scoring = "some"'}, "'all-or-nothing'"),
])
def test_points_that_cannot_add_up_are_spec_errors(tmp_path, change, said):
    with pytest.raises(SpecError) as caught:
        question(tmp_path, **change)
    assert said in str(caught.value) and "'q1'" in str(caught.value)
