"""labels_agree and index_set (grader/semi_checks.py)."""

from __future__ import annotations

import numpy as np

from grader.checks import CHECKS

labels_agree = CHECKS["labels_agree"]
index_set = CHECKS["index_set"]


def test_labels_agree_position_by_position_without_renaming():
    expected = np.array([3, 3, 1, 0, 7, 7])
    assert labels_agree([3, 3, 1, 0, 7, 7], expected).passed
    assert labels_agree(expected.astype(float), expected).passed
    renamed = labels_agree(np.array([1, 1, 3, 0, 7, 7]), expected)  # swapping classes is wrong
    assert not renamed.passed and "3 of 6" in renamed.message
    assert labels_agree(np.array([3, 3, 1, 0, 7, 0]), expected, max_mismatch=0.2).passed
    assert not labels_agree(np.array([3, 3, 1, 0, 0, 0]), expected, max_mismatch=0.2).passed


def test_labels_agree_on_boolean_masks():
    mask = np.array([True, False, True, True])
    assert labels_agree(mask.copy(), mask).passed
    assert not labels_agree(~mask, mask).passed  # the complement is not the same mask


def test_labels_agree_rejects_bad_forms_without_raising():
    expected = np.array([0, 1, 2])
    for got in ([0, 1], [[0, 1, 2]], [0.5, 1, 2], "abc", None, [0, np.nan, 2]):
        outcome = labels_agree(got, expected)
        assert not outcome.passed and outcome.message


def test_index_set_ignores_order_and_counts_strangers():
    expected = np.array([135, 352, 423, 714])
    assert index_set([714, 423, 352, 135], expected).passed
    one_off = index_set([714, 423, 352, 136], expected)
    assert not one_off.passed and "1 of your 4" in one_off.message
    assert index_set([714, 423, 352, 136], expected, max_missing=1).passed
    assert not index_set([714, 714, 352, 135], expected).passed          # repeats
    assert "Expected 4 indices" in index_set([714, 423, 352], expected).message


def test_messages_reveal_no_reference_values():
    expected = np.array([135, 352, 423, 714])
    outcome = index_set([1, 2, 3, 4], expected)
    assert not outcome.passed and "135" not in outcome.message and "714" not in outcome.message
    outcome = labels_agree(np.array([9, 9, 9, 9]), expected)
    assert not outcome.passed and "135" not in outcome.message


def test_misconfigured_options_fail_loudly_in_the_outcome():
    assert "misconfigured" in index_set([1], np.array([1]), max_missing=-1).message
