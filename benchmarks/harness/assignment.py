"""The benchmark's assignment: one small clustering notebook, four questions, many students.

Everything every tool needs comes from here, so all of them grade the same code: the set-up
cell, each question's prompt and solution, the mistakes students make, and the checks (as
asserts for nbgrader and otter, as a spec for ours). Reference values are never typed: they are
computed by running the solution with the same libraries (`compute_references`).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

EXERCISE = "bench_clustering"
TITLE = "Clustering in four questions (benchmark)"

SETUP = """\
import numpy as np
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import make_blobs, make_moons
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

blob_centers = np.array([[0.2, 2.3], [-1.5, 2.3], [-2.8, 1.8], [-2.8, 2.8], [-2.8, 1.3]])
blob_std = np.array([0.4, 0.3, 0.1, 0.1, 0.1])
X, y = make_blobs(n_samples=8000, centers=blob_centers, cluster_std=blob_std, random_state=7)
X_moons, y_moons = make_moons(n_samples=3000, noise=0.05, random_state=42)"""


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    points: int
    prompt: str
    solution: str               # what a correct student writes (also the instructor's solution)
    variants: dict              # name -> other code students write ("alt" ones are correct too)
    answer: str                 # the name the checks read


QUESTIONS = (
    Question(
        "q1_kmeans", "K-Means and its inertia", 3,
        "Fit `kmeans = KMeans(n_clusters=5, n_init=10, random_state=42)` on `X`; "
        "define `inertia`, its inertia.",
        "kmeans = KMeans(n_clusters=5, n_init=10, random_state=42)\n"
        "kmeans.fit(X)\n"
        "inertia = kmeans.inertia_",
        {"alt": "kmeans = KMeans(n_clusters=5, n_init=10, random_state=42).fit(X)\n"
                "inertia = ((X - kmeans.cluster_centers_[kmeans.labels_]) ** 2).sum()",
         "wrong": "kmeans = KMeans(n_clusters=5, n_init=10, random_state=42)\n"
                  "kmeans.fit(X)\n"
                  "inertia = kmeans.score(X)   # the score is minus the inertia"},
        "inertia"),
    Question(
        "q2_silhouette", "Silhouette score", 2,
        "Define `sil`, the silhouette score of the K-Means clustering of `X` (all points).",
        "sil = silhouette_score(X, kmeans.labels_)",
        {"alt": "sil = silhouette_score(X, kmeans.predict(X))",
         "wrong": "sil = silhouette_score(X, kmeans.labels_, sample_size=1000, random_state=0)"},
        "sil"),
    Question(
        "q3_dbscan", "DBSCAN on the moons", 2,
        "Fit `DBSCAN(eps=0.05, min_samples=5)` on `X_moons`; define `n_clusters`, the number of "
        "clusters found (noise, label -1, is not a cluster).",
        "dbscan = DBSCAN(eps=0.05, min_samples=5)\n"
        "dbscan.fit(X_moons)\n"
        "n_clusters = len(set(dbscan.labels_)) - (1 if -1 in dbscan.labels_ else 0)",
        {"alt": "labels = DBSCAN(eps=0.05, min_samples=5).fit_predict(X_moons)\n"
                "n_clusters = labels.max() + 1",
         "wrong": "dbscan = DBSCAN(eps=0.05, min_samples=5)\n"
                  "dbscan.fit(X_moons)\n"
                  "n_clusters = len(set(dbscan.labels_))   # counts the noise as a cluster",
         "typo": "dbscan = DBSCAN(eps=0.05, min_samples=5)\n"
                 "dbscan.fit(X_moons)\n"
                 "n_clusters = len(set(dbscan.label_)) - 1   # AttributeError"},
        "n_clusters"),
    Question(
        "q4_gmm", "Gaussian mixture means", 3,
        "Fit `GaussianMixture(n_components=5, n_init=10, random_state=42)` on `X`; define "
        "`gmm_means`, its means (any order).",
        "gmm = GaussianMixture(n_components=5, n_init=10, random_state=42)\n"
        "gmm.fit(X)\n"
        "gmm_means = gmm.means_",
        {"alt": "gmm = GaussianMixture(5, n_init=10, random_state=42).fit(X)\n"
                "gmm_means = gmm.means_[::-1]",
         "wrong": "gmm = GaussianMixture(n_components=4, n_init=10, random_state=42)\n"
                  "gmm.fit(X)\n"
                  "gmm_means = gmm.means_"},
        "gmm_means"),
)

# Which variant each student writes for (q1, q2, q3, q4): "ok" is the solution. Student i gets
# PROFILES[i % len(PROFILES)], so any class size has the same mix; a third get something wrong.
PROFILES = (
    ("ok", "ok", "ok", "ok"),
    ("alt", "alt", "alt", "alt"),
    ("wrong", "ok", "ok", "ok"),
    ("ok", "ok", "ok", "ok"),
    ("ok", "wrong", "ok", "alt"),
    ("ok", "ok", "wrong", "ok"),
    ("alt", "ok", "alt", "ok"),
    ("ok", "ok", "ok", "wrong"),
    ("ok", "alt", "typo", "ok"),
    ("wrong", "ok", "ok", "wrong"),
)


@dataclass(frozen=True)
class Student:
    id: str
    answers: tuple              # one code string per question
    expected: tuple             # one bool per question: does it deserve the points?


def students(n: int) -> list[Student]:
    out = []
    for i in range(n):
        profile = PROFILES[i % len(PROFILES)]
        code = tuple(q.solution if v == "ok" else q.variants[v] for q, v in zip(QUESTIONS, profile))
        out.append(Student(f"s{i + 1:02d}", code, tuple(v in ("ok", "alt") for v in profile)))
    return out


def script(answers: tuple) -> str:
    """A submission as one plain Python script: the set-up cell, then each answer cell."""
    return "\n\n".join((SETUP, *answers)) + "\n"


_PRINT_REFERENCES = """
import json
print(json.dumps({"inertia": float(inertia), "sil": float(sil), "n_clusters": int(n_clusters),
                  "gmm_means": gmm_means[np.argsort(gmm_means.sum(axis=1))].tolist()}))
"""


def compute_references(python: str, env: dict) -> dict:
    """Run the solution once with `python` (the libraries every tool uses) for the asserts."""
    code = script(tuple(q.solution for q in QUESTIONS)) + _PRINT_REFERENCES
    done = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"the solution failed to run: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def asserts(refs: dict) -> dict:
    """Question id -> the test an nbgrader or otter instructor writes (asserts, same tolerances
    as our spec: |got - expected| <= atol + rtol * |expected|)."""
    means = json.dumps([[round(v, 12) for v in row] for row in refs["gmm_means"]])
    return {
        "q1_kmeans": f"assert np.isclose(inertia, {refs['inertia']!r}, rtol=1e-6, atol=0)",
        "q2_silhouette": f"assert np.isclose(sil, {refs['sil']!r}, rtol=1e-6, atol=0)",
        "q3_dbscan": f"assert n_clusters == {refs['n_clusters']}",
        "q4_gmm": "assert np.shape(gmm_means) == (5, 2)\n"
                  "# the mixture's components come in any order: sort them before comparing\n"
                  "sorted_means = np.asarray(gmm_means)[np.argsort(np.sum(gmm_means, axis=1))]\n"
                  f"assert np.allclose(sorted_means, {means}, rtol=1e-4, atol=1e-4)",
    }
