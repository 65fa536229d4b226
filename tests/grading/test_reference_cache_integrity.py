"""A tampered or corrupt reference cache is never used: each entry carries the digest of its
files, and an entry that does not match is moved aside and computed again, with a warning."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from grader import get_exercise
from grader.grading.pipeline import execution_limits
from grader.grading.reference import cache_key, cache_root, reference_answers

pytestmark = pytest.mark.kernel


@pytest.fixture
def cached(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))
    spec = get_exercise("kmeans_basics")
    limits = execution_limits(spec)
    first = reference_answers(spec, spec.parameters, limits)
    folder = cache_root() / spec.id / cache_key(spec, spec.parameters)
    return spec, limits, first, folder


def _inertia_entry(folder):
    index = json.loads((folder / "answers.json").read_text())
    return index, index["inertia"]


def test_a_tampered_value_is_not_used_and_is_computed_again(cached, caplog):
    spec, limits, first, folder = cached
    index, _ = _inertia_entry(folder)
    index["inertia"]["value"] = 1.0   # an easy target for every student
    (folder / "answers.json").write_text(json.dumps(index))
    with caplog.at_level(logging.WARNING):
        again = reference_answers(spec, spec.parameters, limits)
    assert again.values["inertia"] == first.values["inertia"] != 1.0
    assert "files changed since they were stored" in caplog.text
    assert list(folder.parent.glob(f"{folder.name}.broken-*"))


def test_a_corrupt_array_is_not_used_either(cached, caplog):
    spec, limits, first, folder = cached
    npy = next(folder.glob("*.npy"))
    npy.write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING):
        again = reference_answers(spec, spec.parameters, limits)
    for name, value in first.values.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(again.values[name], value), name
    assert "are not used" in caplog.text
