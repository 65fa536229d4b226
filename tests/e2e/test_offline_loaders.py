"""The real-data path of the Olivetti exercises, graded offline.

The solutions load the faces with `fetch_olivetti_faces(data_home=data_home, ...)` when the
parameters cell says `dataset = "olivetti"`. scikit-learn reads them from
`<data_home>/olivetti_py3.pkz` (a joblib-compressed array of shape (400, 4096), one image per
row in column-major pixel order, 10 consecutive rows per person) and downloads only when that file
is missing. These tests write such a file from the notebooks' own synthetic generator, then grade
the solutions through the CLI with `-p dataset="olivetti" -p data_home=<that folder>`: the loader,
the reference and the submission all take the real path, and must give full marks.

MNIST (`fetch_openml("mnist_784")`) is not covered: its cache is a set of OpenML JSON answers and
a gzipped ARFF file keyed by URL, which these tests do not reproduce.
"""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import nbformat
import numpy as np
import pytest
from helpers import ROOT, run_cli

pytestmark = pytest.mark.kernel

OLIVETTI_EXERCISES = ["olivetti_faces", "olivetti_gmm"]


def synthetic_faces(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """make_synthetic_faces as the solution notebook defines it (its set-up cell, run here)."""
    nb = nbformat.read(ROOT / "solutions" / "olivetti_faces.ipynb", as_version=4)
    setup = next(c.source for c in nb.cells
                 if c.cell_type == "code" and "def make_synthetic_faces" in c.source)
    namespace = {"dataset": "synthetic", "data_home": None, "data_seed": seed}
    exec(compile(setup, "olivetti_setup", "exec"), namespace)  # the instructor's own code
    return namespace["make_synthetic_faces"](seed=seed)


def write_olivetti_cache(data_home: Path, seed: int = 1) -> np.ndarray:
    """Write data_home/olivetti_py3.pkz as fetch_olivetti_faces stores it; returns the (400, 64, 64)
    images the loader should give back (before shuffling), quantised to 8 bits like the original."""
    X, target = synthetic_faces(seed)
    assert X.shape == (400, 4096) and np.array_equal(target, np.arange(400) // 10)
    raw = np.round(X * 255).astype(np.uint8)                 # the original .mat holds bytes
    # The loader reshapes each row to 64x64 and transposes it: store the transposed images.
    stored = raw.reshape(400, 64, 64).transpose(0, 2, 1).reshape(400, 4096)
    data_home.mkdir(parents=True, exist_ok=True)
    joblib.dump(stored, data_home / "olivetti_py3.pkz", compress=6)
    images = raw.astype(np.float32).reshape(400, 64, 64)
    images -= images.min()
    return images / images.max()


def test_the_cache_file_is_what_fetch_olivetti_faces_reads(tmp_path):
    from sklearn.datasets import fetch_olivetti_faces

    expected = write_olivetti_cache(tmp_path)
    faces = fetch_olivetti_faces(data_home=tmp_path, shuffle=True, random_state=42,
                                 download_if_missing=False)
    order = np.random.RandomState(42).permutation(400)
    assert faces.data.shape == (400, 4096) and faces.data.dtype == np.float32
    np.testing.assert_allclose(faces.images, expected[order], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(faces.target, (np.arange(400) // 10)[order])


@pytest.mark.parametrize("exercise", OLIVETTI_EXERCISES)
def test_solutions_score_full_marks_on_the_real_loading_path(exercise, tmp_path):
    data_home = tmp_path / "scikit_learn_data"
    write_olivetti_cache(data_home)
    report_path = tmp_path / "report.json"
    # In the sandbox the kernel reads only what it is given: the data folder goes in with --data.
    proc = run_cli("check", ROOT / "solutions" / f"{exercise}.ipynb",
                   "-p", 'dataset="olivetti"', "-p", f"data_home={json.dumps(str(data_home))}",
                   "--data", data_home, "--json", report_path)
    report = json.loads(report_path.read_text())
    assert report["parameters"] == {"dataset": "olivetti", "data_home": str(data_home)}
    assert not report["cell_errors"], report["cell_errors"]
    assert report["score"] == report["max_score"], proc.stdout + proc.stderr
    assert proc.returncode == 0
