"""Mixture checks: soft clusterings up to column order, hard labels as argmax, figure patches."""

from __future__ import annotations

import numpy as np

from grader.checks import CHECKS, RULES

SECRET = 0.8213579  # a distinctive reference value that must never appear in a message

matched_columns = CHECKS["matched_columns"]
figure_patches = CHECKS["figure_patches"]
argmax_rule = RULES["labels_are_argmax"]


def proba(n=50, k=3, seed=0):
    p = np.random.default_rng(seed).random((n, k))
    return p / p.sum(axis=1, keepdims=True)


def test_columns_in_any_order_pass_and_tolerances_apply():
    expected = proba()
    assert matched_columns(expected[:, [2, 0, 1]], expected).passed
    noisy = expected[:, [1, 2, 0]] + 2e-5
    assert not matched_columns(noisy, expected).passed
    assert matched_columns(noisy, expected, atol=1e-4).passed
    assert matched_columns(noisy.astype(np.float32), expected, atol=1e-4).passed


def test_wrong_columns_fail_without_revealing_values():
    expected = proba()
    expected[0, 0] = SECRET
    outcome = matched_columns(proba(seed=1), expected)
    assert not outcome.passed and "column order does not matter" in outcome.message
    assert str(SECRET) not in outcome.message and f"{SECRET:.4g}" not in outcome.message
    shape = matched_columns(proba(k=2), expected)
    assert not shape.passed and "shape" in shape.message


def test_weird_answers_fail_cleanly():
    expected = proba()
    for got in (None, "abc", [1, None], np.zeros(3), {"a": 1}, np.full((50, 3), np.nan)):
        outcome = matched_columns(got, expected)
        assert not outcome.passed and outcome.message


def test_labels_are_argmax_accepts_ties_and_catches_mismatches():
    p = proba()
    labels = p.argmax(axis=1)
    assert argmax_rule({"labels": labels, "proba": p}, 0, 1e-9).passed
    tied = np.array([[0.5, 0.5], [0.2, 0.8]])
    assert argmax_rule({"labels": np.array([1, 1]), "proba": tied}, 0, 1e-9).passed
    wrong = argmax_rule({"labels": (labels + 1) % 3, "proba": p}, 0, 1e-9)
    assert not wrong.passed and "most probable" in wrong.message
    short = argmax_rule({"labels": labels[:-1], "proba": p}, 0, 1e-9)
    assert not short.passed
    missing = argmax_rule({"proba": p}, 0, 1e-9)
    assert not missing.passed and "missing" in missing.message


def fig(*patches):
    return {"__type__": "figure", "suptitle": "", "axes": [
        {"title": "", "xlabel": "x", "ylabel": "y", "lines": [], "scatters": [], "images": 0,
         "legend": False, "patches": n} for n in patches]}


def test_figure_patches_counts_over_all_axes():
    assert figure_patches(fig(2, 1), None, min_patches=3).passed
    few = figure_patches(fig(2), None, min_patches=3)
    assert not few.passed and "Ellipse" in few.message
    assert not figure_patches(np.zeros(3), None).passed
    assert not figure_patches({"axes": "nope"}, None).passed
    assert figure_patches(fig(8), fig(5, 3), min_patches="reference").passed
    short = figure_patches(fig(7), fig(5, 3), min_patches="reference")
    assert not short.passed and "at least 8" in short.message
    assert not figure_patches(fig(8), None, min_patches="reference").passed
