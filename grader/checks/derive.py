"""Derivations: what a later answer should be, computed from a student's own earlier answers.

Error carried forward (a check's `carry_forward` in the spec): when an answer is wrong only
because an earlier answer it is computed from was wrong, it is compared again with the value
derived from the student's earlier answers; right for them, it keeps its points (the earlier
mistake costs its own points, once). Derivations run in the host on plain data (arrays, numbers),
never on live objects and never by running student code; like checks, they are small pure
functions in a registry, registered with `@derivation(name)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

DERIVATIONS: dict[str, Callable] = {}


def derivation(name: str):
    def decorate(fn):
        if name in DERIVATIONS:
            raise ValueError(f"derivation {name!r} is already registered")
        DERIVATIONS[name] = fn
        return fn

    return decorate


def derivation_inputs(name: str) -> tuple[set[str], set[str]]:
    """(the answers it needs by role, the options it takes) of derivation `name`."""
    parameters = inspect.signature(DERIVATIONS[name]).parameters.values()
    roles = {p.name for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY}
    return roles, {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}


@derivation("index_by")
def index_by(values, index):
    """values[index]: e.g. each instance takes its cluster's label (label propagation)."""
    return np.asarray(values)[np.asarray(index, dtype=int)]


@derivation("mean")
def mean(values):
    return float(np.mean(np.asarray(values, dtype=float)))


@derivation("masked_accuracy")
def masked_accuracy(predicted, truth, mask):
    """The share of predicted == truth among the instances the mask keeps."""
    keep = np.asarray(mask, dtype=bool)
    return float(np.mean(np.asarray(predicted)[keep] == np.asarray(truth)[keep]))


@derivation("closest_to_own_centroid")
def closest_to_own_centroid(distances, labels, *, percentile):
    """The instances whose distance to their own centroid is at most the given percentile of
    their cluster's distances (the partial propagation of semi-supervised learning)."""
    distances, labels = np.asarray(distances, dtype=float), np.asarray(labels, dtype=int)
    own = distances[np.arange(len(labels)), labels]
    keep = np.zeros(len(labels), dtype=bool)
    for cluster in np.unique(labels):
        inside = labels == cluster
        keep |= inside & (own <= np.percentile(own[inside], percentile))
    return keep


def _gmm_log_joint(weights, means, covariances, points) -> np.ndarray:
    """log(weight_k) + log N(x | mean_k, covariance_k) for full covariances, shape (n, k)."""
    from scipy.linalg import solve_triangular

    points, means = np.asarray(points, dtype=float), np.asarray(means, dtype=float)
    covariances, weights = np.asarray(covariances, dtype=float), np.asarray(weights, dtype=float)
    out = np.empty((len(points), len(means)))
    for k, (mu, cov) in enumerate(zip(means, covariances)):
        chol = np.linalg.cholesky(cov)
        z = solve_triangular(chol, (points - mu).T, lower=True)
        out[:, k] = (np.log(weights[k]) - 0.5 * np.sum(z ** 2, axis=0)
                     - np.log(np.diag(chol)).sum() - 0.5 * points.shape[1] * np.log(2 * np.pi))
    return out


@derivation("gmm_labels")
def gmm_labels(weights, means, covariances, points):
    """What a full-covariance mixture with these parameters predicts for points."""
    return _gmm_log_joint(weights, means, covariances, points).argmax(axis=1)


@derivation("gmm_proba")
def gmm_proba(weights, means, covariances, points):
    joint = _gmm_log_joint(weights, means, covariances, points)
    joint -= joint.max(axis=1, keepdims=True)
    proba = np.exp(joint)
    return proba / proba.sum(axis=1, keepdims=True)


@derivation("gmm_log_density")
def gmm_log_density(weights, means, covariances, points):
    joint = _gmm_log_joint(weights, means, covariances, points)
    top = joint.max(axis=1)
    return top + np.log(np.exp(joint - top[:, None]).sum(axis=1))


def _gmm_sample(weights, means, covariances, seed, n):
    """GaussianMixture.sample for full covariances: the same draws from the same seed."""
    rng = np.random.RandomState(seed)
    counts = rng.multinomial(n, np.asarray(weights, dtype=float))
    points = np.vstack([rng.multivariate_normal(m, c, int(s)) for m, c, s in
                   zip(np.asarray(means, dtype=float), np.asarray(covariances, dtype=float),
                       counts)])
    return points, np.concatenate([np.full(s, j, dtype=int) for j, s in enumerate(counts)])


@derivation("gmm_sample_points")
def gmm_sample_points(weights, means, covariances, seed, *, n):
    return _gmm_sample(weights, means, covariances, seed, n)[0]


@derivation("gmm_sample_labels")
def gmm_sample_labels(weights, means, covariances, seed, *, n):
    return _gmm_sample(weights, means, covariances, seed, n)[1]


@derivation("pca_reconstruction_errors")
def pca_reconstruction_errors(points, components, mean):
    """Mean squared difference between each row of `points` and its reconstruction by a PCA
    with these components and mean (PCA.inverse_transform(PCA.transform(...)), whiten=False)."""
    points = np.asarray(points, dtype=float)
    components, mean = np.asarray(components, dtype=float), np.asarray(mean, dtype=float)
    reconstructed = (points - mean) @ components.T @ components + mean
    return np.mean((reconstructed - points) ** 2, axis=1)
