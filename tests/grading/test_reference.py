"""The reference cache: keyed by everything the reference answers depend on."""

from __future__ import annotations

import numpy as np

from grader import get_exercise
from grader.core import probes
from grader.grading.reference import cache_key


def test_cache_key_changes_when_probe_inputs_change(monkeypatch):
    exercise = get_exercise("kmeans_basics")
    before = cache_key(exercise, {})
    assert cache_key(exercise, {}) == before
    original = probes.GENERATORS["blobs_with_init"]
    monkeypatch.setitem(probes.GENERATORS, "blobs_with_init",
                        lambda seed, **kw: [a + 1e-9 for a in original(seed, **kw)])
    assert cache_key(exercise, {}) != before


def test_cache_key_changes_with_parameters():
    exercise = get_exercise("kmeans_basics")
    assert cache_key(exercise, {}) != cache_key(exercise, {"data_seed": 8})


def test_probe_inputs_are_reproducible_and_distinct_rows():
    X, init = probes.make_inputs("blobs_with_init", 2024, {"n_samples": 300, "k": 4})
    X2, init2 = probes.make_inputs("blobs_with_init", 2024, {"n_samples": 300, "k": 4})
    assert np.array_equal(X, X2) and np.array_equal(init, init2)
    assert X.shape == (300, 2) and len(np.unique(init, axis=0)) == 4
