"""The images_quantised check (grader/segmentation_checks.py)."""

from __future__ import annotations

import numpy as np

from grader.checks import CHECKS

check = CHECKS["images_quantised"]
RNG = np.random.default_rng(0)
ORIGINAL = RNG.random((4, 5, 3))


def quantised(colours: int) -> np.ndarray:
    palette = RNG.random((colours, 3))
    return palette[np.arange(20) % colours].reshape(4, 5, 3)


def test_images_with_at_most_their_colours_pass_in_order():
    reference = [quantised(3), quantised(2)]
    outcome = check([quantised(3), quantised(2)], reference, max_colours=[3, 2])
    assert outcome.passed, outcome.message
    assert check([quantised(1), quantised(2)], reference, max_colours=[3, 2]).passed


def test_too_many_colours_names_the_image():
    reference = [quantised(3), quantised(2)]
    outcome = check([quantised(3), quantised(3)], reference, max_colours=[3, 2])
    assert not outcome.passed and "image 2" in outcome.message
    assert not check([quantised(2), quantised(3)], reference, max_colours=[3, 2]).passed  # order
    assert not check([ORIGINAL, ORIGINAL], reference, max_colours=[3, 2]).passed


def test_wrong_count_shape_or_form_fails_without_raising():
    reference = [quantised(3), quantised(2)]
    assert "list of 2 images" in check([quantised(3)], reference, max_colours=[3, 2]).message
    assert not check([quantised(3)[:2], quantised(2)[:2]], reference, max_colours=[3, 2]).passed
    assert not check([quantised(3) * 255, quantised(2)], reference, max_colours=[3, 2]).passed
    assert not check("no", reference, max_colours=[3, 2]).passed
    assert not check([[1, 2], [3]], reference, max_colours=[3, 2]).passed


def test_messages_reveal_no_reference_values():
    reference = [quantised(3) + 0.123456, quantised(2)]
    outcome = check([quantised(4), quantised(2)], reference, max_colours=[3, 2])
    assert "0.123" not in outcome.message + outcome.detail


def test_a_missing_budget_is_a_misconfiguration_not_a_crash():
    outcome = check([quantised(3)], [quantised(3)])
    assert not outcome.passed and "misconfigured" in outcome.message
