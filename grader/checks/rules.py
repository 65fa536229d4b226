"""Consistency between the student's own answers: the `consistent` check runs a rule of RULES on
a dict {role: value} of answers; here too are the rules of a K-Means workflow (inertia,
labels, distances and probabilities that must agree with each other).

Rules compare the student's answers with each other, never with the reference, so their
messages may quote the student's own values.
"""

from __future__ import annotations

import numpy as np

from .matching import cdist
from .outcome import Outcome, Reject, num
from .registry import RULES, register, rule
from .toolkit import describe, invalid_indices, labels, plural, role, role_scalar, say

LOW_PRECISION_RTOL = 1e-4        # floor on consistency-rule rtol when an input is float32/float16


@register("consistent", reference=None, gate=True)
def consistent(got, expected, *, rule, rtol=1e-6, atol=1e-6) -> Outcome:
    """The student's own answers agree with each other according to RULES[rule]. `got` is a dict
    {role: value}; `expected` is ignored. Rules get (inputs, rtol, atol)."""
    if rule not in RULES:
        raise Reject(f"This check is misconfigured: unknown rule {rule!r} "
                     f"(known: {', '.join(sorted(RULES))}).")
    if not isinstance(got, dict):
        raise Reject(f"Expected your answers as a dict of named values, got {describe(got)}.")
    return RULES[rule](got, rtol, atol)


def _points_and_centroids(inputs: dict) -> tuple[np.ndarray, np.ndarray]:
    points, centroids = role(inputs, "X", 2), role(inputs, "centroids", 2)
    if points.shape[1] != centroids.shape[1] or len(centroids) == 0:
        raise Reject(f"`centroids` (shape {centroids.shape}) must have one column per feature of "
                     f"`X` (shape {points.shape}) and at least one row.")
    return points, centroids


def _squared_distances(points, centroids) -> np.ndarray:
    # Direct differences (not the |x|^2 - 2xc + |c|^2 expansion) for an accurate reference.
    return cdist(points.astype(np.float64), centroids.astype(np.float64), "sqeuclidean")


def _lenient_rtol(rtol: float, *arrays: np.ndarray) -> float:
    """float32 inputs cannot be consistent to 1e-6 relative; allow at least LOW_PRECISION_RTOL."""
    low = any(a.dtype.kind == "f" and a.dtype.itemsize <= 4 for a in arrays)
    return max(rtol, LOW_PRECISION_RTOL) if low else rtol


def _agreement(value: float, target: float, rtol: float, atol: float, failure: str) -> Outcome:
    """value ≈ target within atol + rtol * |target|."""
    ok = abs(value - target) <= atol + rtol * abs(target)
    detail = (f"yours {num(value)}, recomputed {num(target)}, difference "
              f"{num(abs(value - target))}; allowed atol={atol:g} + rtol={rtol:g} * |recomputed|")
    if ok:
        return Outcome(True, "Your answers are consistent.", detail)
    return Outcome(False, failure, detail)


@rule("inertia_matches_centroids")
def inertia_matches_centroids(inputs: dict, rtol: float, atol: float) -> Outcome:
    points, centroids = _points_and_centroids(inputs)
    inertia = role_scalar(inputs, "inertia")
    total = float(_squared_distances(points, centroids).min(axis=1).sum())
    return _agreement(inertia, total, _lenient_rtol(rtol, points, centroids), atol,
                      "Your `inertia` does not equal the sum of squared distances from each point "
                      "of `X` to its nearest centroid in `centroids`. Check that both come from "
                      "the same fitted model and the same data.")


@rule("labels_are_nearest_centroid")
def labels_are_nearest_centroid(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Each label is the index of a nearest centroid; near-ties (within tolerance) are accepted."""
    points, centroids = _points_and_centroids(inputs)
    assigned = labels(role(inputs, "labels"), "labels")
    if len(assigned) != len(points):
        raise Reject(f"`labels` has {len(assigned)} entries but `X` has {len(points)} rows.")
    invalid = invalid_indices(assigned, len(centroids), "valid centroid indices")
    if invalid is not None:
        return invalid
    squared = _squared_distances(points, centroids)
    own, best = squared[np.arange(len(points)), assigned], squared.min(axis=1)
    wrong = own > best + atol + _lenient_rtol(rtol, points, centroids) * best
    if not wrong.any():
        return Outcome(True, "Every label is the index of the nearest centroid.")
    return Outcome(False, f"{int(wrong.sum())} of {len(assigned)} `labels` are not the index of "
                          "the nearest centroid. Check that labels and centroids come from the "
                          "same fitted model and the same data.",
                   f"first wrong points {np.flatnonzero(wrong)[:5].tolist()}")


@rule("distances_match_centroids")
def distances_match_centroids(inputs: dict, rtol: float, atol: float) -> Outcome:
    """distances[i, j] ≈ ||X[i] - centroids[j]|| within atol + rtol * distance. Also accepted:
    squared distances agreeing within atol^2 + 100 * eps * (|X[i]|^2 + |centroids[j]|^2), because
    scikit-learn computes |x|^2 - 2 x.c + |c|^2, which loses absolute precision (only rounding,
    hence eps of the inputs' dtype) for points close to a centroid."""
    points, centroids = _points_and_centroids(inputs)
    distances = role(inputs, "distances", 2)
    if distances.shape != (len(points), len(centroids)):
        raise Reject(f"`distances`: expected shape {(len(points), len(centroids))} (points x "
                     f"centroids), got shape {distances.shape}.")
    rtol = _lenient_rtol(rtol, points, centroids, distances)
    squared = _squared_distances(points, centroids)
    given = distances.astype(np.float64)
    direct = np.abs(given - np.sqrt(squared)) <= atol + rtol * np.sqrt(squared)
    scale = ((points.astype(np.float64) ** 2).sum(1)[:, None]
             + (centroids.astype(np.float64) ** 2).sum(1)[None, :])
    eps = max(np.finfo(a.dtype).eps if a.dtype.kind == "f" else np.finfo(np.float64).eps
              for a in (points, centroids, distances))
    expanded = np.abs(given ** 2 - squared) <= atol ** 2 + 100 * eps * scale
    wrong = ~(direct | expanded)
    if not wrong.any():
        return Outcome(True, "`distances` are the distances from `X` to `centroids`.")
    at = tuple(int(i) for i in np.argwhere(wrong)[0])
    return Outcome(False, f"{int(wrong.sum())} of {wrong.size} entries of `distances` are not the "
                          "Euclidean distance from the point (row) to the centroid (column).",
                   f"first at {at}: yours {num(given[at])}, recomputed "
                   f"{num(np.sqrt(squared[at]))}")


@rule("rows_sum_to_one")
def rows_sum_to_one(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Every row of `proba` sums to 1 (within atol + rtol) and every entry is in [0, 1] (within
    atol)."""
    proba = role(inputs, "proba", 2).astype(np.float64)
    if np.isnan(proba).any():
        nan = plural(int(np.isnan(proba).sum()), "NaN value")
        return Outcome(False, f"`proba` contains {nan}.")
    sums = proba.sum(axis=1)
    bad_rows = np.abs(sums - 1.0) > atol + rtol
    outside = (proba < -atol) | (proba > 1.0 + atol)
    if not bad_rows.any() and not outside.any():
        return Outcome(True, "Every row of `proba` is a probability distribution.")
    parts = ([f"{int(bad_rows.sum())} of {len(sums)} rows of `proba` do not sum to 1"]
             if bad_rows.any() else [])
    parts += [f"{int(outside.sum())} entries lie outside [0, 1]"] if outside.any() else []
    detail = f"row sums range {num(sums.min())}..{num(sums.max())}" if len(sums) else ""
    return Outcome(False, say(None, "; ".join(parts)) + ".", detail)


@rule("score_is_negative_inertia")
def score_is_negative_inertia(inputs: dict, rtol: float, atol: float) -> Outcome:
    """KMeans.score(X) is minus the inertia on X."""
    score, inertia = role_scalar(inputs, "score"), role_scalar(inputs, "inertia")
    return _agreement(score, -inertia, rtol, atol,
                      "Your `score` is not minus your `inertia`; KMeans.score(X) returns the "
                      "negative inertia on X, so compute both on the same data and model.")

