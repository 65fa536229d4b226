"""Consistency rules for clustering workflows (several fits of one model, best-of-n loops,
per-cluster summaries) and a figure check for their plots (elbow curves, silhouette diagrams),
registered into the same registry as grader.checks.

Rules compare a student's answers with each other, never with the reference, so their messages
may quote the student's own values but never reference values.
"""

from __future__ import annotations

import numpy as np

from .matching import same_partition
from .media import as_figure
from .outcome import Outcome, Reject, num
from .registry import register, rule
from .toolkit import labels, role, role_scalar


@rule("same_clustering_as")
def same_clustering_as(inputs: dict, rtol: float, atol: float) -> Outcome:
    """`labels` and `other` (two label vectors of the student's, e.g. Elkan's and Lloyd's) form
    the same partition, up to renaming the clusters; no point may differ."""
    first = labels(role(inputs, "labels"), "labels")
    other = labels(role(inputs, "other"), "other")
    if first.shape != other.shape:
        raise Reject(f"The two label vectors have different lengths ({len(first)} and "
                     f"{len(other)}): compute both on the same data.")
    outcome = same_partition(first, other)
    if outcome.passed:
        return Outcome(True, "Both models give the same clustering (up to renaming).",
                       comparison=outcome.comparison)
    return Outcome(False, "Your two label vectors do not form the same clustering: "
                   + outcome.message.split(". Check")[0] + ". Fit both models on the same data, "
                   "with the same init, n_init and random_state.", comparison=outcome.comparison)


@rule("best_of_candidates")
def best_of_candidates(inputs: dict, rtol: float, atol: float) -> Outcome:
    """`best` is the smallest value of `candidates` (e.g. the best inertia of several
    initialisations), within atol + rtol * |min(candidates)|."""
    best = role_scalar(inputs, "best")
    candidates = role(inputs, "candidates").astype(np.float64).ravel()
    if candidates.size == 0:
        raise Reject("`candidates` is empty: keep one value per initialisation you tried.")
    if np.isnan(candidates).any() or np.isnan(best):
        return Outcome(False, "Your values contain NaN: compute each candidate's score on the "
                              "whole data set.")
    low, high = float(candidates.min()), float(candidates.max())
    detail = (f"yours {num(best)}; candidates range {num(low)}..{num(high)}; allowed "
              f"atol={atol:g} + rtol={rtol:g} * |min|")
    if abs(best - low) <= atol + rtol * abs(low):
        return Outcome(True, "You kept the best of your candidates.", detail)
    if abs(best - high) <= atol + rtol * abs(high) and high > low:
        why = "it is the largest of your candidates: keep the smallest (lowest inertia) instead"
    else:
        why = "it is not the smallest of your candidates"
    return Outcome(False, f"Your best value is not the best of the candidates you listed: {why}. "
                          "Compare every candidate on the same data and keep the minimum.", detail)


@rule("cluster_means_match")
def cluster_means_match(inputs: dict, rtol: float, atol: float) -> Outcome:
    """`means[c]` is the mean of `values` over the points with `labels == c`, for every cluster
    id c in 0..len(means)-1 (e.g. the mean silhouette coefficient per cluster); an empty
    cluster's entry is not checked."""
    values = role(inputs, "values", 1).astype(np.float64)
    assigned = labels(role(inputs, "labels"), "labels")
    means = role(inputs, "means", 1).astype(np.float64)
    if len(values) != len(assigned):
        raise Reject(f"`values` has {len(values)} entries but `labels` has {len(assigned)}: "
                     "they must describe the same points.")
    ids = np.unique(assigned)
    if len(ids) and (ids.min() < 0 or ids.max() >= len(means)):
        raise Reject(f"`means` has {len(means)} entries, but the cluster ids in `labels` do not "
                     f"all lie in 0..{len(means) - 1}: give one mean per cluster, indexed by id.")
    recomputed = np.array([values[assigned == c].mean() if (assigned == c).any() else means[c]
                           for c in range(len(means))])
    bad = ~(np.abs(means - recomputed) <= atol + rtol * np.abs(recomputed))
    detail = (f"yours {np.round(means, 6).tolist()}, recomputed "
              f"{np.round(recomputed, 6).tolist()}")
    if not bad.any():
        return Outcome(True, "Each mean is the average over its cluster's points.", detail)
    return Outcome(False, f"{int(bad.sum())} of {len(means)} entries of `means` are not the mean "
                          "of `values` over the points of that cluster: average "
                          "values[labels == c] for c = 0, 1, ... in order.", detail)


# ---------------------------------------------------------------------------------------------
# Figures: what a plot of a clustering workflow must contain (elbow curve, silhouette diagram)
# ---------------------------------------------------------------------------------------------


def _marks(ax: dict) -> int:
    """Filled areas, scatters and bars in one axes: every collection (a fill_between area or a
    scatter) and every patch (a bar) counts as one mark."""
    return len(ax["scatters"]) + int(ax["patches"])


def _wanted_marks(marks_per_axes, ref: dict | None) -> list[int]:
    if marks_per_axes == "reference":
        if ref is None:
            raise Reject("This check is misconfigured: marks_per_axes=\"reference\" needs a "
                         "reference figure. Please tell your instructor.")
        return [_marks(ax) for ax in ref["axes"] if ax["lines"] or ax["scatters"] or ax["patches"]]
    if isinstance(marks_per_axes, (list, tuple)) and all(
            isinstance(m, int) and not isinstance(m, bool) and m >= 0 for m in marks_per_axes):
        return list(marks_per_axes)
    raise Reject("This check is misconfigured: marks_per_axes must be a list of counts or "
                 "\"reference\". Please tell your instructor.")


def _wanted_line(line_points, ref: dict | None) -> int:
    if line_points == "reference":
        if ref is None:
            raise Reject("This check is misconfigured: line_points=\"reference\" needs a "
                         "reference figure. Please tell your instructor.")
        return max((n for ax in ref["axes"] for n in ax["lines"]), default=0)
    if isinstance(line_points, int) and not isinstance(line_points, bool) and line_points > 0:
        return line_points
    raise Reject("This check is misconfigured: line_points must be a positive count or "
                 "\"reference\". Please tell your instructor.")


@register("figure_marks")
def figure_marks(got, expected, *, line_points=None, marks_per_axes=None) -> Outcome:
    """What a figure draws, beyond what `figure` checks: some line has exactly `line_points`
    points (an int, or "reference": the reference's longest line), e.g. an elbow curve over
    k = 1..9; and the i-th plot with data has at least `marks_per_axes[i]` filled areas,
    scatters or bars (a list, or "reference": the reference's counts), e.g. one silhouette
    area per cluster. Counts are structure, not values: messages may show them."""
    fig = as_figure(got)
    ref = expected if isinstance(expected, dict) and expected.get("__type__") == "figure" else None
    problems = []
    if line_points is not None:
        wanted = _wanted_line(line_points, ref)
        lengths = sorted({n for ax in fig["axes"] for n in ax["lines"]})
        if wanted not in lengths:
            problems.append(f"expected a line through {wanted} points (one per value plotted), "
                            f"found lines of {lengths or 'no'} points")
    if marks_per_axes is not None:
        wanted_marks = _wanted_marks(marks_per_axes, ref)
        plots = [ax for ax in fig["axes"] if ax["lines"] or ax["scatters"] or ax["patches"]]
        if len(plots) < len(wanted_marks):
            problems.append(f"expected {len(wanted_marks)} plots with data, found {len(plots)}")
        for i, (ax, wanted) in enumerate(zip(plots, wanted_marks), start=1):
            if _marks(ax) < wanted:
                problems.append(f"plot {i} has {_marks(ax)} filled area(s) or bar(s); expected at "
                                f"least {wanted} (one per cluster)")
    lengths_all = [n for ax in fig["axes"] for n in ax["lines"]]
    summary = f"{len(fig['axes'])} axes; line lengths {lengths_all[:10]}; marks per axes " \
              f"{[_marks(ax) for ax in fig['axes']][:10]}"
    if problems:
        return Outcome(False, "The figure does not show everything asked: " + "; ".join(problems)
                       + ".", summary)
    return Outcome(True, "The figure draws what was asked.", summary)
