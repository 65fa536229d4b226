"""Estimators and figures reach the checks only as the kernel-side code describes them: with the
facts a fitted-data check needs (how many samples an estimator was fitted on), and never forged
by a dict the student typed (issue 15). The kernel-side code runs in-process here, as check()
runs it in a notebook; the host reads what it wrote with the grader's own loader."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from grader import checks
from grader.core.answers import load_answers, save_answers
from grader.kernel.extract import kernel_source

FORGED = {"__type__": "estimator", "class": "KMeans", "module": "sklearn.cluster._kmeans",
          "params": {"n_clusters": 5, "n_init": 1}, "fitted": True}


def extract(tmp_path: Path, namespace: dict):
    class Shell:
        user_ns = namespace

    code = {"get_ipython": lambda: Shell, "__name__": "grader_test"}
    exec(compile(kernel_source(), "kernel_side.py", "exec"), code)
    out = tmp_path / "out"
    code["__grader_extract__"](json.dumps({"names": list(namespace), "probes": [],
                                           "out": str(out), "max_bytes": 2**26}))
    return from_kernel(out)


def from_kernel(out: Path):
    """Read `out` as the host reads a kernel's answers: through a descriptor it opened."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return load_answers(fd)
    finally:
        os.close(fd)


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:300], y[:300]


@pytest.mark.filterwarnings("ignore:.*failed to converge")
def test_estimators_say_how_many_samples_they_were_fitted_on(tmp_path, digits):
    from sklearn.cluster import DBSCAN, KMeans
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline

    X, y = digits
    got = extract(tmp_path, {
        "kmeans": KMeans(3, n_init=1, random_state=0).fit(X[:200]),
        "dbscan": DBSCAN().fit(X[:150]),
        "forest": RandomForestClassifier(3, random_state=0).fit(X[:80], y[:80]),
        "knn": KNeighborsClassifier().fit(X[:77], y[:77]),
        "pca": PCA(0.9).fit(X[:99]),
        "pipeline": Pipeline([("kmeans", KMeans(3, n_init=1, random_state=0)),
                              ("knn", KNeighborsClassifier())]).fit(X[:120], y[:120]),
        "grid": GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [3, 5]}, cv=3)
        .fit(X[:210], y[:210]),
        "log_reg": LogisticRegression(max_iter=50).fit(X[:60, :4], y[:60]),
        "unfitted": KMeans(3),
    })
    assert not got.problems
    fitted_on = {name: value["n_samples_fit"] for name, value in got.values.items()}
    assert fitted_on == {"kmeans": 200, "dbscan": 150, "forest": 80, "knn": 77, "pca": 99,
                         "pipeline": 120, "grid": 210, "log_reg": None, "unfitted": None}
    assert got.values["kmeans"]["n_features_in"] == 64
    assert got.values["log_reg"]["n_features_in"] == 4


def test_a_model_refitted_on_other_data_fails_fitted_on(tmp_path, digits):
    from sklearn.cluster import KMeans

    X, _ = digits
    got = extract(tmp_path, {"right": KMeans(3, n_init=1, random_state=0).fit(X[:200]),
                             "refitted": KMeans(3, n_init=1, random_state=0).fit(X[200:])})
    right, refitted = got.values["right"], got.values["refitted"]
    assert checks.estimator(right, right, fitted_on="X_train").passed
    outcome = checks.estimator(refitted, right, fitted_on="X_train")
    assert not outcome.passed and "fitted on 100 samples" in outcome.message


def test_a_dict_typed_like_an_estimator_is_not_one(tmp_path):
    got = extract(tmp_path, {"kmeans": dict(FORGED), "nested": [{"ok": 1}, {"__type__": "figure"}],
                             "plain": {"class": "KMeans", "n_clusters": 5}})
    assert set(got.problems) == {"kmeans", "nested"}
    assert got.problems["kmeans"].status == "error"
    assert "`__type__`" in got.problems["kmeans"].message
    assert "define the fitted estimator" in got.problems["kmeans"].message
    # a plain dict without the tag is a dict, and the estimator check says so
    outcome = checks.estimator(got.values["plain"], FORGED, cls="KMeans")
    assert not outcome.passed and "got a dict with 2 keys" in outcome.message


def test_a_forged_kind_is_refused_too(tmp_path):
    """The host, not the kernel-side code, decides: a description whose kind does not match its
    tag is unreadable, and a tagged dict sent as plain JSON is refused."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "answers.json").write_text(json.dumps({
        "as_json": {"status": "ok", "kind": "json", "value": FORGED},
        "mislabelled": {"status": "ok", "kind": "estimator", "value": {"class": "KMeans"}},
        "figure_as_estimator": {"status": "ok", "kind": "estimator",
                                "value": {"__type__": "figure", "axes": []}},
        "described": {"status": "ok", "kind": "estimator", "value": FORGED}}))
    got = from_kernel(out)
    assert set(got.problems) == {"as_json", "mislabelled", "figure_as_estimator"}
    assert got.values["described"] == FORGED


def test_trusted_answers_keep_their_descriptions(tmp_path):
    """The reference cache and released references are written by the host: estimators and
    figures are stored with their kind, and folders stored before kinds existed still load."""
    figure = {"__type__": "figure", "suptitle": "", "axes": []}
    save_answers({"kmeans": FORGED, "fig": figure, "labels": np.arange(3)}, tmp_path / "ref")
    index = json.loads((tmp_path / "ref" / "answers.json").read_text())
    assert index["kmeans"]["kind"] == "estimator" and index["fig"]["kind"] == "figure"
    assert load_answers(tmp_path / "ref").values["kmeans"] == FORGED
    old = tmp_path / "old"
    old.mkdir()
    (old / "answers.json").write_text(json.dumps(
        {"kmeans": {"status": "ok", "kind": "json", "value": FORGED}}))
    assert load_answers(old).values["kmeans"] == FORGED
    assert "kmeans" in load_answers(old, from_kernel=True).problems
