"""Error carried forward: a later answer right for the student's own (wrong) earlier answers keeps
its points, with a note; derivations reproduce what scikit-learn computes from plain data."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import spec_from_text
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture

from grader.checks import derive
from grader.core.answers import Extracted
from grader.core.records import Execution
from grader.core.results import Status
from grader.errors import SpecError
from grader.grading.score import score_question

SPEC = """schema_version = 1
id = "ex"
title = "Ex"

[[questions]]
id = "q2"
points = 2
  [[questions.checks]]
  check = "equal"
  answer = "y_representative"

[[questions]]
id = "q3"
points = 2
  [[questions.checks]]
  check = "labels_agree"
  answer = "y_propagated"
  max_mismatch = 0
  {carry}
"""
CARRY = ('carry_forward = { derive = "index_by", inputs = { values = "y_representative", '
         'index = "labels" } }')
LABELS = np.array([0, 1, 1, 2, 0, 2])
REFERENCE = Extracted({"y_representative": np.array([7, 3, 5]), "labels": LABELS,
                       "y_propagated": np.array([7, 3, 3, 5, 7, 5])})


def questions(tmp_path, carry=CARRY):
    return spec_from_text(tmp_path, SPEC.format(carry=carry)).questions


def grade(question, values):
    return score_question(question, Execution((), Extracted(values), (), 1.0), REFERENCE)


def test_an_answer_right_for_the_students_own_earlier_answer_keeps_its_points(tmp_path):
    q2, q3 = questions(tmp_path)
    mine = {"y_representative": np.array([7, 3, 4]), "labels": LABELS,
            "y_propagated": np.array([7, 3, 3, 4, 7, 4])}
    assert grade(q2, mine).status == Status.FAILED
    result = grade(q3, mine)
    assert result.status == Status.PASSED and result.score == 2
    assert "`y_representative`" in result.message and "carried forward" in result.message


def test_without_carry_forward_the_same_answer_fails(tmp_path):
    _, q3 = questions(tmp_path, carry="")
    result = grade(q3, {"y_representative": np.array([7, 3, 4]), "labels": LABELS,
                        "y_propagated": np.array([7, 3, 3, 4, 7, 4])})
    assert result.status == Status.FAILED and result.score == 0


def test_an_answer_wrong_for_the_students_own_earlier_answers_still_fails(tmp_path):
    _, q3 = questions(tmp_path)
    wrong_too = grade(q3, {"y_representative": np.array([7, 3, 4]), "labels": LABELS,
                           "y_propagated": np.array([7, 3, 3, 5, 7, 4])})
    right_before = grade(q3, {"y_representative": np.array([7, 3, 5]), "labels": LABELS,
                              "y_propagated": np.array([7, 3, 3, 4, 7, 4])})
    unusable = grade(q3, {"y_representative": np.array([7]), "labels": LABELS,
                          "y_propagated": np.array([7, 3, 3, 4, 7, 4])})
    assert wrong_too.status == right_before.status == unusable.status == Status.FAILED
    assert "carried forward" not in right_before.message


@pytest.mark.parametrize("carry, said", [
    ('carry_forward = { derive = "nope", inputs = {} }', "unknown derivation 'nope'"),
    ('carry_forward = { derive = "index_by", inputs = { values = "a" } }', "takes inputs"),
    ('carry_forward = { derive = "closest_to_own_centroid", inputs = { distances = "d", '
     'labels = "l" } }', "options ['percentile']"),
    ('carry_forward = { derive = "mean", inputs = { values = "not a name" } }',
     "not a Python name"),
])
def test_a_wrong_carry_forward_is_a_spec_error(tmp_path, carry, said):
    with pytest.raises(SpecError) as caught:
        questions(tmp_path, carry)
    assert said in str(caught.value) and "'q3'" in str(caught.value)


@pytest.fixture(scope="module")
def mixture():
    X, _ = make_blobs(n_samples=300, centers=3, random_state=0)
    X = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])
    return X, GaussianMixture(n_components=3, random_state=5).fit(X)


def test_mixture_derivations_equal_scikit_learn(mixture):
    X, gm = mixture
    params = (gm.weights_, gm.means_, gm.covariances_)
    assert (derive.gmm_labels(*params, X) == gm.predict(X)).all()
    np.testing.assert_allclose(derive.gmm_proba(*params, X), gm.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(derive.gmm_log_density(*params, X), gm.score_samples(X),
                               rtol=1e-9)
    points, labels = gm.sample(7)
    np.testing.assert_allclose(derive.gmm_sample_points(*params, 5, n=7), points)
    assert (derive.gmm_sample_labels(*params, 5, n=7) == labels).all()


def test_reconstruction_errors_and_partial_propagation_equal_the_books_code(mixture):
    X, _ = mixture
    pca = PCA(n_components=1).fit(X)
    book = np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2, axis=1)
    np.testing.assert_allclose(derive.pca_reconstruction_errors(X, pca.components_, pca.mean_),
                               book, rtol=1e-9)
    rng = np.random.default_rng(0)
    distances, labels = rng.random((50, 4)), rng.integers(0, 4, 50)
    own = distances[np.arange(50), labels]
    book_mask = np.zeros(50, dtype=bool)
    for i in range(4):
        inside = labels == i
        book_mask |= inside & (own <= np.percentile(own[inside], 20))
    assert (derive.closest_to_own_centroid(distances, labels, percentile=20) == book_mask).all()
