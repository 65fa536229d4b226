"""A student bundle holds the reference values public checks compare with, and nothing else:
never a value a hidden check compares with because some public check merely inspects the same
answer (its shape, its monotonicity, a consistency rule). Checked on every exercise's spec, with
a stand-in reference in which every answer's value is distinct."""

from __future__ import annotations

import numpy as np
import pytest

from grader import list_exercises
from grader.checks import REFERENCE_USE
from grader.core.answers import Extracted
from grader.grading.public import public_answers, public_checks

EXERCISES = {spec.id: spec for spec in list_exercises()}


def stand_in(spec) -> Extracted:
    names = {n for q in spec.questions for c in q.checks for n in c.answer_names}
    return Extracted({n: np.full((3, 2), 1000.0 + i) for i, n in enumerate(sorted(names))})


def hidden_compared(spec) -> set[str]:
    return {n for q in spec.questions for c in q.checks
            if "hidden" in (q.visibility, c.visibility) and REFERENCE_USE[c.check] == "values"
            for n in c.answer_names}


def public_compared(spec) -> set[str]:
    return {n for _, c in public_checks(spec) if REFERENCE_USE[c.check] == "values"
            for n in c.answer_names}


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_only_values_public_checks_compare_with_are_released(exercise):
    spec = EXERCISES[exercise]
    reference = stand_in(spec)
    released = public_answers(spec, reference)
    for name, value in released.items():
        if name in public_compared(spec):
            assert np.array_equal(value, reference.values[name]), name
        else:  # a shape-only check gets the shape, never the values
            assert not np.any(value), f"{name}: values released for a shape check"
    leaked = (hidden_compared(spec) - public_compared(spec)) & {
        n for n, v in released.items() if np.any(v)}
    assert not leaked, f"hidden reference values released: {sorted(leaked)}"


@pytest.mark.parametrize("exercise, name", [("image_segmentation", "errors"),
                                            ("kmeans_limits", "labels_gmm")])
def test_the_values_found_in_bundles_are_no_longer_released(exercise, name):
    spec = EXERCISES[exercise]
    # The spec still has a hidden check comparing with it, and public checks only inspect it.
    assert name in hidden_compared(spec) and name not in public_compared(spec)
    released = public_answers(spec, stand_in(spec))
    assert name not in released or not np.any(released[name])
