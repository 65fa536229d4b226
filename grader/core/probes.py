"""Inputs for function probes: data the student never saw, made fresh from a seed.

A probe calls the student's function and the solution's function on the same inputs and the
checks compare the results. Each generator returns the positional arguments as NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

GENERATORS: dict[str, Callable[..., list[np.ndarray]]] = {}


def generator(name: str):
    def add(fn):
        GENERATORS[name] = fn
        return fn
    return add


@generator("blobs_with_init")
def blobs_with_init(seed: int, n_samples: int = 300, k: int = 4,
                    n_features: int = 2) -> list[np.ndarray]:
    """(X, initial centroids): k Gaussian blobs (std 1, centres drawn in [-10, 10]) and k
    distinct rows of X to start from.

    Giving the start makes Lloyd's algorithm deterministic, so the student's result and the
    reference's can be compared exactly (up to relabelling) instead of up to luck. Drawn with
    NumPy alone: importing scikit-learn here would cost every grading a second.
    """
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(k, n_features))
    X = centres[np.arange(n_samples) % k] + rng.standard_normal((n_samples, n_features))
    init = X[rng.choice(n_samples, size=k, replace=False)]
    return [X, init]


def make_inputs(name: str, seed: int, options: dict) -> list[np.ndarray]:
    return GENERATORS[name](seed, **options)
