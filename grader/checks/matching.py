"""Matching up to relabelling: clusterings equal up to renaming the clusters (`same_partition`),
rows equal up to their order (`matched_rows`) or their sign (`sign_free`), and the matchings
themselves (`match_clusters`, `match_rows`, `source_order`), which other checks and the report's
pictures reuse. A matching found on the main answer carries over to its companions."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from .numeric import compare_numeric, tolerances
from .outcome import Outcome, Reject, clip
from .registry import register
from .toolkit import labels, numeric, reference, say, short


def clusters(labels: np.ndarray) -> np.ndarray:
    """The sorted cluster ids of a label vector, without -1 (noise)."""
    return np.unique(labels[labels != -1])  # -1 is DBSCAN noise, not a cluster


# scipy.optimize and scipy.spatial are imported on first use: together they are a third of a
# second, on the path between `grader grade` starting and its sandboxes starting.
def hungarian(cost: np.ndarray, maximize: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the optimal assignment on a cost matrix (scipy's Hungarian method)."""
    from scipy.optimize import linear_sum_assignment
    return linear_sum_assignment(cost, maximize=maximize)


def cdist(a: np.ndarray, b: np.ndarray, metric: str = "euclidean") -> np.ndarray:
    """Distances between the rows of a and the rows of b (scipy's cdist)."""
    from scipy.spatial.distance import cdist as scipy_cdist
    return scipy_cdist(a, b, metric)


def match_clusters(g: np.ndarray, e: np.ndarray) -> dict[int, int]:
    """Best one-to-one renaming got-id -> expected-id: Hungarian algorithm maximising agreement on
    the contingency table of points that are non-noise in both labellings."""
    ids_g, ids_e = clusters(g), clusters(e)
    both = (g != -1) & (e != -1)
    table = np.zeros((len(ids_g), len(ids_e)), dtype=np.int64)
    np.add.at(table, (np.searchsorted(ids_g, g[both]), np.searchsorted(ids_e, e[both])), 1)
    rows, cols = hungarian(table, maximize=True)
    return {int(ids_g[r]): int(ids_e[c]) for r, c in zip(rows, cols)}


def _rename(labels: np.ndarray, mapping: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Apply mapping to label values (-1 stays -1); also return which labels the mapping knew."""
    renamed, known = labels.copy(), labels == -1
    for source, target in mapping.items():
        hit = labels == source
        renamed[hit] = target
        known |= hit
    return renamed, known


def source_order(mapping: dict[int, int], size: int, name: str) -> np.ndarray:
    """Index array `order` with order[target] = source, to reorder an axis indexed by id. Ids not
    in the mapping (e.g. empty clusters) fill the remaining places in increasing order."""
    if any(not 0 <= i < size for i in (*mapping, *mapping.values())):
        raise Reject(say(name, f"has {size} entries along the cluster axis, but the cluster ids "
                               f"used by the labels do not all lie in 0..{size - 1}."))
    order = np.full(size, -1)
    for source, target in mapping.items():
        order[target] = source
    free = order == -1
    order[free] = sorted(set(range(size)) - set(mapping))
    return order


def _companion_labels(name, got_c, expected_c, mapping) -> Outcome:
    """Another label vector in the same labelling (e.g. predict on new points): after renaming,
    it must match exactly; -1 stays -1."""
    g, e = labels(got_c, name), reference(labels, expected_c, name)
    if g.shape != e.shape:
        raise Reject(say(name, f"expected {len(e)} labels, got {len(g)}."))
    renamed, known = _rename(g, mapping)
    wrong = ~known | (renamed != e)
    if not wrong.any():
        return Outcome(True, say(name, "labels match after renaming clusters."))
    unknown = int((~known).sum())
    extra = f" ({unknown} use cluster ids that do not occur in the main labels)" if unknown else ""
    return Outcome(False, say(name, f"does not match: {int(wrong.sum())} of {len(e)} labels "
                                    "differ after applying the cluster renaming found for the "
                                    f"main answer{extra}. It must use the same labelling as your "
                                    "fitted model."),
                   f"renaming {mapping}; first differing indices "
                   f"{np.flatnonzero(wrong)[:5].tolist()}")


def _companion_axis(name, got_c, expected_c, mapping, axis: int, rtol=None,
                    atol=None) -> Outcome:
    """An array indexed by cluster/row id along `axis`: reorder by the mapping, then `close`
    (with the companion's own rtol/atol when the spec gives them, else dtype defaults)."""
    g, e = numeric(got_c, name), reference(numeric, expected_c)
    if g.ndim <= axis or g.shape != e.shape:
        raise Reject(say(name, f"expected shape {e.shape}, got shape {g.shape}."))
    aligned = np.take(g, source_order(mapping, g.shape[axis], name), axis=axis)
    word = "rows" if axis == 0 else "columns"
    return compare_numeric(aligned, e, name=name, rtol=rtol, atol=atol,
                           context=f"after reordering its {word} to follow the matching, ")


_COMPANION_KINDS = {"labels": _companion_labels,
                    "rows": functools.partial(_companion_axis, axis=0),
                    "columns": functools.partial(_companion_axis, axis=1)}


def _companion_outcome(companion, mapping) -> Outcome:
    """A companion is (name, got, expected, how) or (name, got, expected, how, tolerances)."""
    if not isinstance(companion, (list, tuple)) or len(companion) not in (4, 5) \
            or companion[3] not in _COMPANION_KINDS:
        raise Reject("This check is misconfigured: companions must be (name, got, expected, how) "
                     "with how one of labels, rows, columns. Please tell your instructor.")
    name, got_c, expected_c, how = companion[:4]
    tolerances = companion[4] if len(companion) == 5 and how != "labels" else {}
    try:
        return _COMPANION_KINDS[how](name, got_c, expected_c, mapping, **tolerances)
    except Reject as reject:
        return Outcome(False, reject.message, reject.detail)


def _check_companions(companions, mapping: dict[int, int]) -> Outcome | None:
    """Carry the matching found on the main answer over to each companion; None if all agree,
    else one failed Outcome listing every companion that disagrees."""
    outcomes = (_companion_outcome(c, mapping) for c in companions or ())
    failures = [o for o in outcomes if not o.passed]
    if not failures:
        return None
    message = " ".join(f.message for f in failures)
    details = [f for f in failures if f.detail]
    if details and details[0].comparison.numbers:
        # The first one keeps its fields; the others' details follow as text.
        first = details[0].comparison
        rest = [first.text] + [f.detail for f in details[1:]]
        return Outcome(False, message,
                       comparison=replace(first, text="; ".join(filter(None, rest))))
    return Outcome(False, message, clip("; ".join(f.detail for f in details)))


def _partition_detail(wrong, mapping, max_mismatch, min_ari, ari) -> str:
    n = len(wrong)
    text = f"{int(wrong.sum())} of {n} points differ (allowed fraction {max_mismatch:g})"
    if min_ari is not None:
        text += f"; adjusted Rand index {ari:.6g} (minimum {min_ari:g})"
    return clip(f"{text}; renaming got->expected {mapping}; "
                f"first differing indices {np.flatnonzero(wrong)[:5].tolist()}")


def _cluster_count_problem(g, e) -> str | None:
    found, wanted = len(clusters(g)), len(clusters(e))
    if found == wanted:
        return None
    noise = (" (points labelled -1 are noise and are not counted as a cluster)"
             if (e == -1).any() or (g == -1).any() else "")
    return (f"Expected {wanted} clusters, found {found}{noise}. Check the number of clusters you "
            "asked for (n_clusters) or, for DBSCAN, eps and min_samples, and that you clustered "
            "the right (scaled) data.")


@register("same_partition")
def same_partition(got, expected, *, min_ari=None, max_mismatch=0.0, companions=()) -> Outcome:
    """Two label vectors equal up to renaming the clusters.

    The renaming is the one-to-one map maximising agreement (Hungarian algorithm); noise (-1) is
    never renamed, so a point that is noise on one side only is a mismatch. Passes if the
    fraction of mismatching points <= max_mismatch or, when min_ari is given, if the adjusted
    Rand index >= min_ari. Different numbers of clusters always fail. Companions are
    (name, got, expected, how) with how "labels", "rows" or "columns" (indexed by cluster id).
    """
    g, e = labels(got), reference(labels, expected)
    if g.shape != e.shape:
        raise Reject(f"Expected {len(e)} labels (one per point), got {len(g)}.")
    if problem := _cluster_count_problem(g, e):
        return Outcome(False, problem, f"cluster ids found: {short(clusters(g))}")
    mapping = match_clusters(g, e)
    wrong = _rename(g, mapping)[0] != e
    fraction = wrong.mean() if len(e) else 0.0
    ari = None
    if min_ari is not None:
        from sklearn.metrics import adjusted_rand_score  # only needed for this option
        ari = float(adjusted_rand_score(e, g)) if len(e) else 1.0
    detail = _partition_detail(wrong, mapping, max_mismatch, min_ari, ari)
    if fraction > max_mismatch and (ari is None or ari < min_ari):
        return Outcome(False, _partition_failure(g, e, wrong, min_ari), detail)
    if failure := _check_companions(companions, mapping):
        return failure
    within = (f" ({int(wrong.sum())} of {len(e)} points differ, which is allowed)"
              if wrong.any() else "")
    return Outcome(True, "Your clustering matches the expected one up to renaming of "
                         f"clusters{within}.", detail)


def _partition_failure(g, e, wrong, min_ari) -> str:
    noise = int(((g == -1) != (e == -1)).sum())
    text = (f"{int(wrong.sum())} of {len(e)} points are in a different cluster than expected "
            "even after renaming clusters")
    if noise:
        text += f" ({noise} of them are noise (-1) in one labelling but not in the other)"
    if min_ari is not None:
        text += ", and the agreement (adjusted Rand index) is below the required minimum"
    return (text + ". Check random_state, init and n_init (KMeans), eps and min_samples (DBSCAN), "
                   "and that you clustered the same (scaled) data.")


def match_rows(g: np.ndarray, e: np.ndarray) -> dict[int, int]:
    """Row permutation got-row -> expected-row minimising total Euclidean distance (Hungarian);
    non-finite distances are made huge so rows with NaN still get some partner."""
    cost = np.nan_to_num(cdist(g.astype(np.float64), e.astype(np.float64)),
                         nan=1e100, posinf=1e100, neginf=1e100)
    rows, cols = hungarian(cost)
    return {int(r): int(c) for r, c in zip(rows, cols)}


@register("matched_rows")
def matched_rows(got, expected, *, rtol=None, atol=None, companions=()) -> Outcome:
    """2-D arrays (one row per cluster/component, e.g. centroids) equal up to row order.

    Rows are paired by minimum total Euclidean distance, then compared with `close` semantics
    (same dtype-based default tolerances). 1-D arrays are treated as one-column arrays. The
    pairing is carried to companions (name, got, expected, how): "rows" (e.g. GMM weights or
    covariances), "columns", or "labels" (label values renamed by the pairing; -1 kept).
    """
    g = numeric(got, what="a 2-D array with one row per item")
    e = reference(numeric, expected)
    if g.shape != e.shape or g.ndim not in (1, 2):
        raise Reject(f"Expected shape {e.shape} (one row per cluster or component), got shape "
                     f"{g.shape}.")
    if g.ndim == 1:
        g, e = g[:, None], e[:, None]
    mapping = match_rows(g, e)
    outcome = compare_numeric(g[source_order(mapping, len(e), "rows")], e, rtol=rtol, atol=atol,
                              context="after matching your rows to the expected rows "
                                      "(row order does not matter), ")
    if not outcome.passed:
        return outcome
    return _check_companions(companions, mapping) or outcome


def _flip_rows(g: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Multiply each row of g by the sign (+1 or -1) that brings it closest to the row of e."""
    plus = np.nansum((g - e) ** 2, axis=1)
    minus = np.nansum((g + e) ** 2, axis=1)
    return g * np.where(minus < plus, -1.0, 1.0)[:, None]


@register("sign_free")
def sign_free(got, expected, *, rtol=None, atol=None) -> Outcome:
    """Vectors equal up to sign (e.g. PCA components): a 1-D array may be negated as a whole, each
    row of a 2-D array independently; then `close` semantics with dtype-based defaults."""
    g = numeric(got, what="a vector or a 2-D array of row vectors")
    e = reference(numeric, expected)
    if g.shape != e.shape or g.ndim not in (1, 2):
        raise Reject(f"Expected shape {e.shape} (a vector or one row per vector), got shape "
                     f"{g.shape}.")
    rtol, atol = tolerances(g, e, rtol, atol)  # from the original dtypes, before flipping
    rows = _flip_rows(g.reshape(-1, g.shape[-1]).astype(np.float64),
                      e.reshape(-1, e.shape[-1]).astype(np.float64))
    context = ("after allowing each row to flip sign, " if g.ndim == 2
               else "after allowing a sign flip, ")
    return compare_numeric(rows.reshape(g.shape), e, rtol=rtol, atol=atol, context=context)
