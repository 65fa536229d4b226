"""Checks for colour segmentation: a list of quantised images, each with its own colour budget.

Registered into the same registry as grader.checks (imported by grader.checks at start-up).
"""

from __future__ import annotations

import numpy as np

from .media import image_quantised
from .outcome import Outcome, Reject
from .registry import register
from .toolkit import any_array


@register("images_quantised")
def images_quantised(got, expected, *, max_colours=None) -> Outcome:
    """A list (or stack) of colour-quantised images, in order: as many images as
    `max_colours` (a list of ints), each of the reference images' shape, image i with at most
    `max_colours[i]` distinct colours and values in the reference's range.

    `max_colours` has a default only so that tests/test_checks.py, which calls every registered
    check with no options, can run it; without it the check fails as misconfigured."""
    if not (isinstance(max_colours, (list, tuple)) and max_colours
            and all(isinstance(m, int) and not isinstance(m, bool) and m > 0 for m in max_colours)):
        raise Reject("This check is misconfigured: `max_colours` must be a list of positive "
                     "integers. Please tell your instructor.")
    g, e = any_array(got), any_array(expected)
    wanted = len(max_colours)
    if g.ndim < 3 or len(g) != wanted:
        count = len(g) if g.ndim >= 1 else 0
        raise Reject(f"Expected a list of {wanted} images (one per number of colours, in the "
                     f"order asked), got {count} item(s) of shape {g.shape[1:] if g.ndim else ()}.")
    if e.ndim < 3 or len(e) != wanted:
        raise Reject("This check is misconfigured: the reference is not a list of "
                     f"{wanted} images. Please tell your instructor.")
    problems, used = [], []
    for i, (image, reference, colours) in enumerate(zip(g, e, max_colours), start=1):
        outcome = image_quantised(image, reference, max_colours=colours)
        count = len(np.unique(image.reshape(-1, image.shape[-1]) if image.ndim == 3
                              else image.ravel(), axis=0))
        used.append(count)
        if outcome.passed:
            continue
        if image.shape == reference.shape and count > colours:
            problems.append(f"image {i} uses {count} colours where at most {colours} are allowed")
        else:
            problems.append(f"image {i}: {outcome.message}")
    summary = (f"colours used: {', '.join(map(str, used))}; allowed: "
               f"{', '.join(map(str, max_colours))}")
    if problems:
        return Outcome(False, f"{len(problems)} of {wanted} images are not right: "
                       + "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
                       + ". Keep the images in the order asked and replace each pixel by its "
                       "cluster's centre colour.", summary)
    return Outcome(True, f"All {wanted} images keep the shape and use at most the colours asked.",
                   summary)
