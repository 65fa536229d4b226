"""Consistency rules of grader/faces_checks.py: anomalies below/above real items, and a choice
that has the best score among the student's own options."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import CHECKS, RULES

consistent = CHECKS["consistent"]


def rule(name, **inputs):
    return consistent(inputs, None, rule=name)


def test_rules_are_registered():
    assert {"anomalies_score_lower", "anomalies_error_higher", "choice_has_best_score",
            "choice_has_lowest_score"} <= set(RULES)


def test_anomalies_must_score_below_every_real_item():
    real = np.array([1040.4, 1117.4, 1080.0])
    assert rule("anomalies_score_lower", normal=real, anomalies=[-8.4e7, -3.2e6]).passed
    outcome = rule("anomalies_score_lower", normal=real, anomalies=[-3.2e6, 1050.0])
    assert not outcome.passed
    assert "1 of 2 modified items" in outcome.message and "pca.transform" in outcome.message
    assert "1040.4" not in outcome.message and "1040.4" in outcome.detail


def test_anomalies_must_reconstruct_worse_than_the_real_items():
    assert rule("anomalies_error_higher", normal=6.29e-5, anomalies=[1.56e-4, 1.2e-3]).passed
    assert rule("anomalies_error_higher", normal=[5e-5, 9.5e-5], anomalies=[1.56e-4]).passed
    outcome = rule("anomalies_error_higher", normal=6.29e-5, anomalies=[1.56e-4, 6.0e-5])
    assert not outcome.passed and "inverse_transform" in outcome.message
    equal = rule("anomalies_error_higher", normal=1e-4, anomalies=[1e-4])
    assert not equal.passed  # "above" is strict


def test_choice_with_the_best_score_and_ties():
    assert rule("choice_has_best_score", options=[60, 90, 120], scores=[0.15, 0.17, 0.16],
                choice=90).passed
    assert rule("choice_has_best_score", options=[50, 100], scores=[0.7, 0.7], choice=100).passed
    wrong = rule("choice_has_best_score", options=[60, 90, 120], scores=[0.15, 0.17, 0.16],
                 choice=60)
    assert not wrong.passed and "np.argmax" in wrong.message
    absent = rule("choice_has_best_score", options=[60, 90], scores=[0.1, 0.2], choice=75)
    assert not absent.passed and "not one of the values you tried" in absent.message


def test_choice_with_the_lowest_score():
    aics = [-185121.7, -222286.3, -233592.9, -203947.6]
    assert rule("choice_has_lowest_score", options=[100, 140, 180, 220], scores=aics,
                choice=180).passed
    wrong = rule("choice_has_lowest_score", options=[100, 140, 180, 220], scores=aics, choice=220)
    assert not wrong.passed and "np.argmin" in wrong.message


@pytest.mark.parametrize("inputs", [
    {},                                                        # nothing defined
    {"normal": [1.0], "anomalies": []},                        # empty
    {"normal": [1.0, np.nan], "anomalies": [0.0]},             # NaN
    {"normal": "high", "anomalies": [0.0]},                    # not numbers
    {"normal": [[1.0, 2.0], [3.0]], "anomalies": [0.0]},       # ragged
])
def test_odd_anomaly_inputs_fail_without_raising(inputs):
    for name in ("anomalies_score_lower", "anomalies_error_higher"):
        outcome = consistent(inputs, None, rule=name)
        assert not outcome.passed and outcome.message


@pytest.mark.parametrize("inputs", [
    {"options": [1, 2, 3], "scores": [0.1, 0.2], "choice": 2},   # lengths differ
    {"options": [1, 2], "scores": [0.1, 0.2], "choice": [1, 2]},  # not a single choice
    {"options": [1, 2], "scores": [0.1, float("inf")], "choice": 2},
    {"options": [1, 2], "scores": [0.1, 0.2]},                    # choice missing
    {"options": [1, 2], "scores": [0.1, 0.2], "choice": None},
])
def test_odd_choice_inputs_fail_without_raising(inputs):
    for name in ("choice_has_best_score", "choice_has_lowest_score"):
        outcome = consistent(inputs, None, rule=name)
        assert not outcome.passed and outcome.message
