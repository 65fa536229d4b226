"""Checks for semi-supervised and active learning: class labels compared position by position
(no renaming: a digit class is not a cluster id) and sets of instance indices.

Registered into the same registry as grader.checks (imported by grader.checks at start-up).
Messages never contain reference values; numbers go in `detail` (shown for public checks only).
"""

from __future__ import annotations

import numpy as np

from .outcome import Outcome, Reject, clip
from .registry import register
from .toolkit import any_array, describe, reference


def _vector(value, name: str | None = None, what: str = "labels") -> np.ndarray:
    array = any_array(value, name)
    if array.ndim != 1:
        raise Reject(f"Expected a 1-D array of {what}, got shape {array.shape}.")
    if array.dtype.kind == "b":
        return array.astype(np.int64)
    if array.dtype.kind not in "iuf" or (array.dtype.kind == "f" and not (
            np.isfinite(array).all() and np.all(array == np.round(array)))):
        raise Reject(f"Expected {what} as whole numbers (or booleans), got {describe(value)}.")
    return array.astype(np.int64)


@register("labels_agree")
def labels_agree(got, expected, *, max_mismatch=0.0) -> Outcome:
    """Class labels (or a boolean mask) equal position by position, WITHOUT renaming: passes
    when the fraction of positions that differ is at most `max_mismatch`."""
    g, e = _vector(got), reference(_vector, expected)
    if g.shape != e.shape:
        raise Reject(f"Expected {len(e)} values (one per instance), got {len(g)}.")
    wrong = g != e
    count, allowed = int(wrong.sum()), int(np.floor(max_mismatch * len(e) + 1e-9))
    detail = clip(f"{count} of {len(e)} differ (allowed {allowed}); first differing positions "
                  f"{np.flatnonzero(wrong)[:5].tolist()}")
    if count <= allowed:
        within = f" ({count} of {len(e)} differ, which is allowed)" if count else ""
        return Outcome(True, f"Your values match the expected ones{within}.", detail)
    return Outcome(False, f"{count} of {len(e)} values differ from the expected ones (at most "
                   f"{allowed} may). Labels are compared position by position, without renaming: "
                   "check the order of the instances and each step that produced them.", detail)


@register("index_set")
def index_set(got, expected, *, max_missing=0) -> Outcome:
    """A set of instance indices in any order: as many distinct indices as the reference, of
    which at most `max_missing` are not among the reference's."""
    if not isinstance(max_missing, int) or isinstance(max_missing, bool) or max_missing < 0:
        raise Reject("This check is misconfigured: `max_missing` must be a non-negative "
                     "integer. Please tell your instructor.")
    g = _vector(got, what="indices")
    e = reference(lambda v: _vector(v, what="indices"), expected)
    if len(np.unique(g)) != len(g):
        return Outcome(False, f"Your {len(g)} indices contain repeats; each instance should appear "
                       "once.", clip(f"got {np.sort(g)[:20].tolist()}"))
    if len(g) != len(e):
        raise Reject(f"Expected {len(e)} indices, got {len(g)}.")
    extra = sorted(set(g.tolist()) - set(e.tolist()))
    detail = clip(f"{len(extra)} of {len(e)} not expected (allowed {max_missing}); your unexpected "
                  f"indices {extra[:10]}; expected {sorted(e.tolist())[:20]}")
    if len(extra) <= max_missing:
        within = f" ({len(extra)} differ, which is allowed)" if extra else ""
        return Outcome(True, f"Your indices are the expected ones, in any order{within}.", detail)
    return Outcome(False, f"{len(extra)} of your {len(g)} indices are not among the expected ones "
                   f"(at most {max_missing} may be). Indices refer to rows of the data set the "
                   "question names; check the model and the instances you ranked.", detail)
