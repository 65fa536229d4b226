"""Checks for mixture models and soft clusterings, registered into grader.checks' registry.

* ``matched_columns``: 2-D arrays equal up to the order of their columns (soft-clustering
  probabilities: one column per component, components numbered arbitrarily), with tolerances of
  its own (companions of ``same_partition`` only get dtype-default tolerances, too strict for
  probabilities computed in float32);
* rule ``labels_are_argmax``: hard predictions are the most probable component of the soft ones;
* ``figure_patches``: a figure draws at least so many patches (e.g. one ellipse per Gaussian).

Messages never contain reference values; numbers only go in ``detail``.
"""

from __future__ import annotations

import numpy as np

from .matching import match_rows, source_order
from .numeric import compare_numeric
from .outcome import Outcome, Reject
from .registry import register, rule
from .toolkit import invalid_indices, labels, numeric, reference, role


@register("matched_columns")
def matched_columns(got, expected, *, rtol=None, atol=None) -> Outcome:
    """2-D arrays equal up to the order of their columns (e.g. predict_proba of a mixture whose
    components are numbered differently). Columns are paired by minimum total Euclidean
    distance (Hungarian), then compared with `close` semantics (dtype-based defaults)."""
    g = numeric(got, what="a 2-D array with one column per component")
    e = reference(numeric, expected)
    if g.ndim != 2 or g.shape != e.shape:
        raise Reject(f"Expected shape {e.shape} (one row per point, one column per component), "
                     f"got shape {g.shape}.")
    mapping = match_rows(g.T, e.T)
    aligned = g[:, source_order(mapping, e.shape[1], "columns")]
    return compare_numeric(aligned, e, rtol=rtol, atol=atol,
                           context="after matching your columns to the expected columns "
                                   "(column order does not matter), ")


@rule("labels_are_argmax")
def labels_are_argmax(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Each hard label is a most probable column of `proba` (ties within atol accepted)."""
    proba = role(inputs, "proba", 2).astype(np.float64)
    assigned = labels(role(inputs, "labels"), "labels")
    if len(assigned) != len(proba):
        raise Reject(f"`labels` has {len(assigned)} entries but `proba` has {len(proba)} rows.")
    invalid = invalid_indices(assigned, proba.shape[1], "column indices of `proba`")
    if invalid is not None:
        return invalid
    own = proba[np.arange(len(assigned)), assigned]
    wrong = own < proba.max(axis=1) - atol
    if not wrong.any():
        return Outcome(True, "Every hard label is the most probable component.")
    return Outcome(False, f"{int(wrong.sum())} of {len(assigned)} `labels` are not the most "
                          "probable component in `proba`. Check that both come from the same "
                          "fitted model (predict and predict_proba) on the same data.",
                   f"first wrong points {np.flatnonzero(wrong)[:5].tolist()}")


def _patch_count(fig: dict) -> int:
    axes = fig.get("axes") if isinstance(fig.get("axes"), list) else []
    return sum(int(ax.get("patches", 0)) for ax in axes if isinstance(ax, dict))


def _is_figure(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "figure"


@register("figure_patches")
def figure_patches(got, expected, *, min_patches=1) -> Outcome:
    """A figure (as described by the kernel) draws at least `min_patches` patches in total
    (matplotlib.patches such as Ellipse added with ax.add_patch), e.g. one ellipse per component;
    `min_patches="reference"` asks for at least as many as the reference figure draws."""
    if not _is_figure(got):
        kind = got.get("__type__", "dict") if isinstance(got, dict) else type(got).__name__
        raise Reject(f"Expected a matplotlib Figure, got {kind}: store the figure in the name the "
                     "question asks for, e.g. `fig, ax = plt.subplots()` then `fig_name = fig`.")
    if min_patches == "reference":
        if not _is_figure(expected):
            raise Reject("This check is misconfigured: min_patches=\"reference\" needs a "
                         "reference figure. Please tell your instructor.")
        wanted = _patch_count(expected)
    else:
        wanted = int(min_patches)
    count = _patch_count(got)
    if count >= wanted:
        return Outcome(True, f"The figure draws {count} shapes (patches).", f"{count} patches")
    return Outcome(False, f"The figure draws {count} shapes (patches); at least {wanted} are "
                          "expected: draw them with matplotlib.patches (e.g. Ellipse) and "
                          "ax.add_patch.", f"{count} patches, at least {wanted} expected")
