"""Tests for grader.checks: each check passes what it should and fails (without raising)
otherwise."""

import json
import math

import numpy as np
import pytest

from grader import checks
from grader.checks import CHECKS, RULES, Comparison, Outcome

SECRET = 211.5985  # a distinctive reference value that must never appear in a message


def leak_forms(value: float) -> list[str]:
    return [repr(value), str(value), f"{value:.1f}", f"{value:.2f}", f"{value:.3f}", f"{value:.4g}",
            f"{value:g}", f"{value:.6g}", f"{value:e}", f"{value:.3e}"]


def assert_no_leak(outcome: Outcome, *values: float) -> None:
    for value in values:
        for text in leak_forms(value):
            assert text not in outcome.message, (text, outcome.message)


def est(cls="KMeans", fitted=True, **params):
    return {"__type__": "estimator", "class": cls, "module": "sklearn.cluster._kmeans",
            "params": params, "fitted": fitted}


# ------------------------------------------------------------------ registry


KMEANS_RULES = {"inertia_matches_centroids", "labels_are_nearest_centroid",
                "distances_match_centroids", "rows_sum_to_one", "score_is_negative_inertia"}


def test_registry_names_and_options():
    assert {"close", "equal", "one_of", "same_partition", "matched_rows", "sign_free", "at_least",
            "at_most", "shape", "dtype_kind", "in_range", "monotonic", "estimator",
            "consistent"} <= set(CHECKS)
    assert checks.check_options("close") == {"rtol", "atol", "equal_nan"}
    assert checks.check_options("equal") == set()
    assert checks.check_options("same_partition") == {"min_ari", "max_mismatch", "companions"}
    assert checks.required_options("dtype_kind") == {"kind"}
    assert checks.get_check("close") is CHECKS["close"]
    assert set(RULES) >= KMEANS_RULES


def test_unknown_check_lists_known_names():
    with pytest.raises(KeyError, match="close"):
        checks.get_check("nope")


def test_bad_option_is_a_loud_spec_error():
    with pytest.raises(TypeError):
        checks.close(1.0, 1.0, tolerance=3)


def test_register_rejects_duplicates():
    with pytest.raises(ValueError):
        checks.register("close")(lambda got, expected: Outcome(True, ""))


WEIRD = [None, "abc", {"a": 1}, [[1, 2], [3]], [1, None], [], np.array([]), np.array([np.nan]),
         float("nan"), float("inf"), object(), True, est(), np.zeros((2, 2, 2)), [["a", "b"]],
         np.array(["x", "y"]), 10**40, [{"a": 1}], (1, 2)]
MINIMAL_OPTIONS = {"one_of": {"accepted": [SECRET]}, "dtype_kind": {"kind": "f"},
                   "consistent": {"rule": "inertia_matches_centroids"},
                   "image_quantised": {"max_colours": 4}}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_no_check_raises_on_weird_input(name):
    expected = {"estimator": est(n_clusters=3),
                "consistent": None}.get(name, np.array([SECRET, 2.0]))
    for got in WEIRD:
        outcome = CHECKS[name](got, expected, **MINIMAL_OPTIONS.get(name, {}))
        assert isinstance(outcome, Outcome)
        assert outcome.message
        assert_no_leak(outcome, SECRET)
        assert len(outcome.detail) <= checks.DETAIL_LIMIT


# ------------------------------------------------------------------ close


def test_close_scalars_and_message_has_no_reference_value():
    assert checks.close(SECRET * (1 + 1e-7), SECRET).passed
    outcome = checks.close(224.07, SECRET)
    assert not outcome.passed
    assert_no_leak(outcome, SECRET)
    assert "211.5985" in outcome.detail and "rtol=1e-06" in outcome.detail


def test_close_array_detail_reports_largest_difference():
    expected = np.array([[1.0, 2.0], [3.0, SECRET]])
    got = expected.copy()
    got[1, 1] = 300.0
    outcome = checks.close(got, expected)
    assert not outcome.passed
    assert "1 of 4 values" in outcome.message
    assert_no_leak(outcome, SECRET)
    assert "(1, 1)" in outcome.detail and "largest difference" in outcome.detail


def test_close_shape_mismatch_names_both_shapes():
    outcome = checks.close(np.zeros((4, 2)), np.zeros((5, 2)))
    assert not outcome.passed
    assert "(5, 2)" in outcome.message and "(4, 2)" in outcome.message


def test_close_float32_defaults_are_looser_than_float64():
    expected = np.linspace(1, 2, 10)
    assert checks.close((expected * (1 + 3e-5)).astype(np.float32), expected).passed
    assert not checks.close(expected * (1 + 1e-5), expected).passed  # float64 defaults: rtol 1e-6
    assert checks.close(expected * (1 + 1e-5), expected, rtol=1e-4).passed


def test_close_integers_are_exact_by_default():
    assert checks.close([1, 2, 3], np.array([1, 2, 3], dtype=np.int32)).passed
    assert not checks.close([1, 2, 4], [1, 2, 3]).passed
    assert checks.close([1, 2, 4], [1, 2, 3], atol=1).passed
    assert checks.close(5, 5.0).passed


def test_close_nan_positions():
    assert checks.close([1.0, np.nan], [1.0, np.nan]).passed
    assert not checks.close([1.0, np.nan], [1.0, np.nan], equal_nan=False).passed
    got_nan = checks.close([np.nan, 2.0], [1.0, 2.0])
    assert not got_nan.passed and "NaN" in got_nan.message and "1 NaN value" in got_nan.message
    expected_nan = checks.close([1.0, 2.0], [1.0, np.nan])
    assert not expected_nan.passed and "NaN" in expected_nan.message


def test_close_infinities():
    assert checks.close([np.inf, -np.inf, 1.0], [np.inf, -np.inf, 1.0]).passed
    assert not checks.close([np.inf], [-np.inf]).passed
    assert not checks.close([np.inf], [1e308]).passed


def test_close_zero_expected_uses_atol():
    assert checks.close(1e-12, 0.0).passed
    assert not checks.close(1e-3, 0.0).passed
    assert checks.close(1e-12, 0.0, rtol=0.1).passed  # atol keeps its default when only rtol is set
    assert not checks.close(1e-3, 0.0, rtol=0.1).passed


def test_close_scalar_accepts_single_element_arrays():
    assert checks.close(np.array([3.5]), 3.5).passed
    assert checks.close([[3.5]], np.float64(3.5)).passed
    assert checks.close(3.5, np.array([3.5])).passed
    outcome = checks.close(np.array([3.5, 1.0]), 3.5)
    assert not outcome.passed and "(2,)" in outcome.message


def test_close_empty_arrays_and_bools():
    assert checks.close(np.array([]), np.array([])).passed
    assert checks.close(np.array([True, False]), np.array([True, False])).passed
    assert not checks.close(np.array([True, True]), np.array([True, False])).passed


@pytest.mark.parametrize("got", ["211.5985", None, {"value": 1.0}, [[1.0, 2.0], [3.0]], [1.0, None],
                                 est(), np.array(["a", "b"])])
def test_close_rejects_non_numeric_without_raising(got):
    outcome = checks.close(got, np.array([SECRET, 1.0]))
    assert not outcome.passed
    assert "expected a number or an array of numbers" in outcome.message.lower()
    assert_no_leak(outcome, SECRET)


def test_close_ragged_message():
    outcome = checks.close([[1, 2], [3]], [[1, 2], [3, 4]])
    assert not outcome.passed and "ragged" in outcome.message


def test_close_misconfigured_reference_is_a_failure_not_a_crash():
    outcome = checks.close(1.0, "not a number")
    assert not outcome.passed and "misconfigured" in outcome.message


# ------------------------------------------------------------------ the detail as fields


def test_close_gives_its_numbers_as_fields_and_the_text_says_the_same():
    outcome = checks.close(224.07, SECRET)
    numbers = outcome.comparison
    assert (numbers.got, numbers.expected, numbers.atol, numbers.rtol) == (224.07, SECRET, 1e-9,
                                                                            1e-6)
    assert numbers.difference == pytest.approx(224.07 - SECRET, rel=1e-6)
    assert numbers.index is None and numbers.size is None and numbers.text == ""
    assert outcome.detail == str(numbers) == (
        "|got - expected| <= atol + rtol * |expected| with atol=1e-09, rtol=1e-06; "
        "got 224.07, expected 211.5985, difference 12.4715")


def test_close_on_arrays_gives_the_worst_index_and_the_counts():
    expected = np.zeros((3, 2))
    got = expected.copy()
    got[2, 0], got[1, 1] = 0.25, 0.5
    numbers = checks.close(got, expected).comparison
    assert (numbers.mismatches, numbers.size, numbers.index) == (2, 6, (1, 1))
    assert (numbers.got, numbers.expected, numbers.difference) == (0.5, 0.0, 0.5)
    assert numbers.first_mismatches == ((1, 1), (2, 0))


def test_a_passing_comparison_keeps_only_its_tolerances():
    numbers = checks.close(np.float32(1.0), 1.0).comparison
    assert (numbers.atol, numbers.rtol) == (1e-6, 1e-4) and numbers.got is None
    assert numbers.tolerance and numbers.numbers


def test_a_detail_in_words_is_a_comparison_without_numbers():
    outcome = checks.equal("wrong", "secret_label")
    assert not outcome.comparison.numbers and outcome.comparison.text == outcome.detail
    assert Outcome(False, "m", "some words").comparison == Comparison(text="some words")
    with pytest.raises(ValueError):
        Outcome(False, "m", "other words", comparison=Comparison(got=1.0, expected=2.0))


def test_a_comparison_survives_json_even_with_nan_and_inf():
    for outcome in (checks.close(float("nan"), SECRET, equal_nan=False),
                    checks.close([1.0, np.inf, 3.0], [1.5, 2.0, 3.0])):
        data = json.loads(json.dumps(outcome.comparison.to_dict(), allow_nan=False))
        again = Comparison.from_dict(data)
        assert str(again) == outcome.detail and again.to_dict() == outcome.comparison.to_dict()
    assert math.isnan(Comparison.from_dict({"got": "nan"}).got)


def test_a_failing_companion_keeps_its_numbers():
    outcome = checks.same_partition([0, 0, 1, 1], [1, 1, 0, 0], companions=[
        ("centers", [[0.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [0.0, 0.5]], "rows")])
    assert not outcome.passed
    numbers = outcome.comparison
    assert (numbers.index, numbers.got, numbers.expected) == ((1, 1), 0.0, 0.5)
    assert outcome.detail == str(numbers)


# ------------------------------------------------------------------ equal and one_of


def test_equal_plain_values():
    assert checks.equal([1, 2, 3], (1, 2, 3)).passed
    assert checks.equal({"a": [1, "x"], "b": None}, {"a": (1, "x"), "b": None}).passed
    assert checks.equal(5, 5.0).passed
    assert checks.equal("kmeans", "kmeans").passed
    assert checks.equal(None, None).passed
    assert checks.equal(np.array([1, 2]), [1, 2]).passed
    assert checks.equal(np.array([1.0, np.nan]), np.array([1.0, np.nan])).passed


def test_equal_bool_is_not_int():
    outcome = checks.equal(True, 1)
    assert not outcome.passed and "bool" in outcome.message
    assert not checks.equal(np.array([True, False]), np.array([1, 0])).passed
    assert not checks.equal(1, True).passed


def test_equal_failures_do_not_reveal_expected_values():
    outcome = checks.equal("wrong", "secret_label")
    assert not outcome.passed and "secret_label" not in outcome.message
    assert "secret_label" in outcome.detail
    nested = checks.equal({"a": [1, 2, 3]}, {"a": [1, 2, SECRET]})
    assert not nested.passed and "['a'][2]" in nested.message
    assert_no_leak(nested, SECRET)
    keys = checks.equal({"mine": 1}, {"hidden_key": 1})
    assert not keys.passed and "hidden_key" not in keys.message and "mine" in keys.message


def test_equal_structural_messages():
    assert "length 3" in checks.equal([1, 2], [1, 2, 3]).message
    assert "(2, 2)" in checks.equal(np.zeros((3, 2)), np.zeros((2, 2))).message
    assert "1 of 3 elements" in checks.equal(np.array([1, 2, 3]), np.array([1, 2, 4])).message
    assert not checks.equal(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12])).passed


def test_one_of():
    assert checks.one_of("ward", None, accepted=["ward", "complete"]).passed
    assert checks.one_of([1, 2], None, accepted=[(1, 2), (2, 1)]).passed
    outcome = checks.one_of("single", None, accepted=["ward", "complete"])
    assert not outcome.passed and "ward" not in outcome.message and "2 accepted" in outcome.message
    assert not checks.one_of(1, None, accepted=[True]).passed
    assert not checks.one_of("ward", None, accepted=[]).passed


# ------------------------------------------------------------------ same_partition


def random_labels(n=200, k=4, seed=0):
    return np.random.default_rng(seed).integers(0, k, n)


def test_same_partition_accepts_renamed_clusters():
    expected = random_labels()
    renaming = np.array([2, 0, 3, 1])
    assert checks.same_partition(renaming[expected], expected).passed
    assert checks.same_partition([7, 7, 3, 3], [0, 0, 1, 1]).passed
    # Whole-number floats are labels.
    assert checks.same_partition([0.0, 0.0, 1.0], [5, 5, 9]).passed


def test_same_partition_single_moved_point():
    expected = random_labels()
    got = np.array([2, 0, 3, 1])[expected]
    got[17] = (got[17] + 1) % 4
    strict = checks.same_partition(got, expected)
    assert not strict.passed
    assert "1 of 200 points" in strict.message and "renaming" in strict.message
    assert checks.same_partition(got, expected, max_mismatch=0.01).passed
    assert checks.same_partition(got, expected, min_ari=0.9).passed


def test_same_partition_dbscan_noise_is_never_renamed():
    expected = np.array([-1, 0, 0, 0, 1, 1, 1, -1])
    assert checks.same_partition([-1, 5, 5, 5, 2, 2, 2, -1], expected).passed
    swapped = checks.same_partition([0, -1, -1, -1, 1, 1, 1, 0], expected)
    assert not swapped.passed and "noise" in swapped.message
    one_noise = checks.same_partition([-1, 0, 0, -1, 1, 1, 1, -1], expected)
    assert not one_noise.passed and "1 of 8 points" in one_noise.message


def test_same_partition_noise_does_not_steer_the_renaming():
    expected = np.array([-1] * 10 + [0] * 3 + [1] * 3)
    got = np.array([-1] * 10 + [1] * 3 + [0] * 3)
    assert checks.same_partition(got, expected).passed


def test_same_partition_companion_with_unknown_cluster_id_fails():
    outcome = checks.same_partition([5, 5, 6, 6], [0, 0, 1, 1],
                                    companions=[("y_new", [0], [0], "labels")])
    assert not outcome.passed and "do not occur" in outcome.message


def test_same_partition_cluster_count_and_length():
    outcome = checks.same_partition([0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2])
    assert not outcome.passed and "Expected 3 clusters, found 2" in outcome.message
    length = checks.same_partition([0, 1], [0, 1, 1])
    assert not length.passed and "3 labels" in length.message


def test_same_partition_rejects_bad_labels():
    for got in ([0.5, 1.0], np.zeros((3, 1)), "abc", None, [[0, 1], [1]]):
        outcome = checks.same_partition(got, [0, 1, 1])
        assert not outcome.passed and outcome.message


def test_same_partition_min_ari_does_not_excuse_random_labels():
    expected = random_labels(seed=1)
    assert not checks.same_partition(random_labels(seed=2), expected, min_ari=0.5).passed


def test_same_partition_label_companion():
    expected, expected_new = random_labels(seed=3), random_labels(n=30, seed=4)
    renaming = np.array([1, 3, 0, 2])
    good = checks.same_partition(renaming[expected], expected,
                                 companions=[("y_new", renaming[expected_new], expected_new,
                                              "labels")])
    assert good.passed
    bad = checks.same_partition(renaming[expected], expected,
                                companions=[("y_new", expected_new, expected_new, "labels")])
    assert not bad.passed and "`y_new`" in bad.message


def test_same_partition_label_companion_keeps_noise():
    expected, new = np.array([-1, 0, 0, 1, 1]), np.array([-1, 1, 0])
    good = checks.same_partition([-1, 1, 1, 0, 0], expected,
                                 companions=[("y_new", [-1, 0, 1], new, "labels")])
    assert good.passed
    bad = checks.same_partition([-1, 1, 1, 0, 0], expected,
                                companions=[("y_new", [0, 0, 1], new, "labels")])
    assert not bad.passed


def test_same_partition_columns_and_rows_companions():
    rng = np.random.default_rng(5)
    expected = random_labels(n=50, k=3, seed=6)
    distances, centers = rng.random((50, 3)), rng.random((3, 2))
    renaming = np.array([2, 0, 1])  # expected cluster j is called renaming[j] by the student
    got_distances = np.empty_like(distances)
    got_distances[:, renaming] = distances
    got_centers = np.empty_like(centers)
    got_centers[renaming] = centers
    passes = checks.same_partition(renaming[expected], expected, companions=[
        ("distances", got_distances, distances, "columns"),
        ("centers", got_centers, centers, "rows")])
    assert passes.passed, passes.message
    unpermuted = checks.same_partition(renaming[expected], expected,
                                       companions=[("distances", distances, distances, "columns")])
    assert not unpermuted.passed and "`distances`" in unpermuted.message


# ------------------------------------------------------------------ matched_rows


def gmm_like(seed=7, k=3, d=2):
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(k, d)) * 5
    weights = rng.dirichlet(np.ones(k))
    covariances = np.stack([np.eye(d) * (i + 1) + 0.1 for i in range(k)])
    return means, weights, covariances


def test_matched_rows_shuffled_rows_and_companions():
    means, weights, covariances = gmm_like()
    order = np.array([2, 0, 1])
    assert checks.matched_rows(means[order], means).passed
    good = checks.matched_rows(means[order], means, companions=[
        ("weights", weights[order], weights, "rows"),
        ("covariances", covariances[order], covariances, "rows")])
    assert good.passed, good.message
    bad = checks.matched_rows(means[order], means,
                              companions=[("weights", weights, weights, "rows")])
    assert not bad.passed and "`weights`" in bad.message


def test_matched_rows_label_and_column_companions():
    means, _, _ = gmm_like()
    order = np.array([1, 2, 0])              # student's row i is expected row order[i]
    labels = np.array([0, 1, 2, 2, -1])
    student_labels = np.argsort(order)[labels]
    student_labels[labels == -1] = -1
    assert checks.matched_rows(means[order], means, companions=[
        ("labels", student_labels, labels, "labels")]).passed
    assert not checks.matched_rows(means[order], means,
                                   companions=[("labels", labels, labels, "labels")]).passed
    columns = np.arange(12.0).reshape(4, 3)
    assert checks.matched_rows(means[order], means, companions=[
        ("resp", columns[:, order], columns, "columns")]).passed


def test_matched_rows_failures():
    means, _, _ = gmm_like()
    moved = means.copy()
    moved[0] += 0.5
    outcome = checks.matched_rows(moved[::-1], means)
    assert not outcome.passed and "row order does not matter" in outcome.message
    shape = checks.matched_rows(means[:2], means)
    assert not shape.passed and "(3, 2)" in shape.message and "(2, 2)" in shape.message
    nan = means.copy()
    nan[1, 0] = np.nan
    assert not checks.matched_rows(nan, means).passed
    assert checks.matched_rows(np.array([3.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0])).passed


def test_matched_rows_float32_defaults():
    means, _, _ = gmm_like()
    assert checks.matched_rows((means * (1 + 2e-5)).astype(np.float32)[::-1], means).passed
    assert not checks.matched_rows((means * (1 + 2e-5))[::-1], means).passed


def test_matched_rows_bad_companion_spec_is_reported():
    means, _, _ = gmm_like()
    outcome = checks.matched_rows(means, means,
                                  companions=[("w", [1, 2, 3], [1, 2, 3], "diagonal")])
    assert not outcome.passed and "misconfigured" in outcome.message


# ------------------------------------------------------------------ sign_free


def test_sign_free():
    components = np.array([[0.6, 0.8], [-0.8, 0.6]])
    assert checks.sign_free(-components[0], components[0]).passed
    assert checks.sign_free(components * np.array([[-1], [1]]), components).passed
    assert not checks.sign_free(components[::-1], components).passed
    outcome = checks.sign_free(components[:1], components)
    assert not outcome.passed and "(2, 2)" in outcome.message


# ------------------------------------------------------------------ at_least / at_most


def test_at_least_with_margin():
    assert checks.at_least(0.92, 0.92).passed
    assert checks.at_least(0.90, 0.92, margin=0.03).passed
    outcome = checks.at_least(0.90, 0.92, margin=0.01)
    assert not outcome.passed and "lower" in outcome.message
    assert_no_leak(outcome, 0.92)
    assert "0.92" in outcome.detail


def test_at_most_with_relative_margin():
    assert checks.at_most(SECRET * 1.0005, SECRET, rtol=0.001).passed
    outcome = checks.at_most(SECRET * 1.002, SECRET, rtol=0.001)
    assert not outcome.passed and "higher" in outcome.message
    assert_no_leak(outcome, SECRET)
    assert checks.at_most(SECRET + 1.0, SECRET, margin=1.5).passed


def test_at_least_suspicious_above_names_the_likely_cause():
    # an accuracy scored on the training data: 1.0 where the reference scores 0.9756
    assert checks.at_least(0.98, 0.9756, margin=0.005, suspicious_above=0.012).passed
    outcome = checks.at_least(1.0, 0.9756, margin=0.005, suspicious_above=0.012)
    assert not outcome.passed
    assert "Your value 1 is higher than a correct answer can be" in outcome.message
    assert "at most 0.012 above" in outcome.message                      # what was expected
    assert "scored on the training data" in outcome.message              # the likely cause
    assert "fitted on the test" in outcome.message
    assert_no_leak(outcome, 0.9756)
    assert "0.9756" in outcome.detail and "bound 0.9876" in outcome.detail
    said = checks.at_least(1.0, 0.9756, suspicious_above=0.012,
                           likely_cause="was it scored on the 50 labelled digits?")
    assert said.message.endswith("Was it scored on the 50 labelled digits?")
    # without the option a better value is never penalised; too low is still too low
    assert checks.at_least(1.0, 0.9756, margin=0.005).passed
    assert "lower" in checks.at_least(0.9, 0.9756, suspicious_above=0.012).message


def test_at_most_suspicious_below():
    assert checks.at_most(SECRET * 0.99, SECRET, rtol=0.001, suspicious_below=SECRET * 0.05).passed
    outcome = checks.at_most(SECRET / 2, SECRET, rtol=0.001, suspicious_below=SECRET * 0.05)
    assert not outcome.passed and "lower than a correct answer can be" in outcome.message
    assert "part of the data" in outcome.message
    assert_no_leak(outcome, SECRET)


@pytest.mark.parametrize("bad", [-0.1, "0.1", True, float("inf")])
def test_suspicious_bounds_misconfigured(bad):
    outcome = checks.at_least(1.0, 0.9, suspicious_above=bad)
    assert not outcome.passed and "misconfigured" in outcome.message
    assert "misconfigured" in checks.at_most(0.1, 0.9, suspicious_below=bad).message


@pytest.mark.parametrize("got", [float("nan"), "0.9", None, True, [0.9, 0.8], float("inf")])
def test_bounds_reject_non_numbers(got):
    assert not checks.at_least(got, 0.5).passed
    assert not checks.at_most(got, 0.5).passed


# ------------------------------------------------------------------ structural checks


def test_shape():
    assert checks.shape(np.zeros((5, 2)), np.zeros((5, 2))).passed
    assert checks.shape(np.zeros((7, 2)), None, shape=[-1, 2]).passed
    outcome = checks.shape(np.zeros((4, 2)), np.zeros((5, 2)))
    assert not outcome.passed and "(5, 2)" in outcome.message and "(4, 2)" in outcome.message
    assert "(any, 3)" in checks.shape(np.zeros((4, 2)), None, shape=[-1, 3]).message
    assert checks.shape(["a", "b"], None, shape=[2]).passed
    assert not checks.shape("ab", None, shape=[]).passed


def test_dtype_kind():
    assert checks.dtype_kind(np.array([1, 2], dtype=np.int32), None, kind="iu").passed
    assert checks.dtype_kind([1, 2], None, kind="iu").passed
    outcome = checks.dtype_kind(np.array([1.0]), None, kind="iu")
    assert not outcome.passed and "float64" in outcome.message
    assert checks.dtype_kind(np.float32(1), None, kind="f").passed


def test_in_range():
    assert checks.in_range([0.0, 0.5, 1.0], None, low=0, high=1).passed
    assert checks.in_range([5.0], None, low=0).passed
    outcome = checks.in_range([0.0, 1.5, -1], None, low=0, high=1)
    assert not outcome.passed and "2 of 3" in outcome.message
    assert not checks.in_range([0.5, np.nan], None, low=0, high=1).passed


def test_monotonic():
    assert checks.monotonic([5, 3, 3, 1], None).passed
    assert not checks.monotonic([5, 3, 3, 1], None, strict=True).passed
    assert checks.monotonic([1, 2, 3], None, direction="increasing", strict=True).passed
    outcome = checks.monotonic([5, 3, 4, 1], None)
    assert not outcome.passed and "positions 1 and 2" in outcome.message
    assert not checks.monotonic([3, np.nan, 1], None).passed
    assert not checks.monotonic(np.zeros((2, 2)), None).passed
    assert not checks.monotonic([1, 2], None, direction="sideways").passed


# ------------------------------------------------------------------ estimator


def test_estimator_class_from_reference_is_not_named():
    outcome = checks.estimator(est("DBSCAN", eps=0.5), est("KMeans", n_clusters=3))
    assert not outcome.passed and "DBSCAN" in outcome.message and "KMeans" not in outcome.message
    named = checks.estimator(est("DBSCAN"), est("KMeans"), cls="KMeans")
    assert not named.passed and "KMeans" in named.message
    assert checks.estimator(est("KMeans"), None, cls=["KMeans", "MiniBatchKMeans"]).passed


def test_estimator_params_from_spec_dict():
    reference = est(n_clusters=3, init="k-means++")
    assert checks.estimator(est(n_clusters=3, init="k-means++"), reference,
                            params={"n_clusters": 3}).passed
    outcome = checks.estimator(est(n_clusters=4), reference, params={"n_clusters": 3})
    assert not outcome.passed and "`n_clusters`" in outcome.message
    assert "must be 3" in outcome.message
    missing = checks.estimator(est(), reference, params={"n_clusters": 3})
    assert not missing.passed and "no parameter `n_clusters`" in missing.message


def test_estimator_params_from_reference_list():
    reference = est(n_clusters=3, tol=SECRET, hidden_layer_sizes=(10, 5))
    assert checks.estimator(est(n_clusters=3, tol=SECRET * (1 + 1e-12), hidden_layer_sizes=[10, 5]),
                            reference, params=["n_clusters", "tol", "hidden_layer_sizes"]).passed
    outcome = checks.estimator(est(n_clusters=3, tol=0.5), reference, params=["tol"])
    assert not outcome.passed and "`tol`" in outcome.message and "0.5" in outcome.message
    assert_no_leak(outcome, SECRET)
    assert "211.5985" in outcome.detail


def test_estimator_reference_params_beside_spec_params():
    reference = est(n_clusters=50, n_init=3, random_state=SECRET)
    assert checks.estimator(est(n_clusters=50, n_init=3, random_state=SECRET), reference,
                            params={"n_clusters": 50, "n_init": 3},
                            reference_params=["random_state"]).passed
    outcome = checks.estimator(est(n_clusters=50, n_init="auto", random_state=0), reference,
                               params={"n_clusters": 50, "n_init": 3},
                               reference_params=["random_state"])
    assert not outcome.passed
    assert "`n_init` must be 3" in outcome.message and "`random_state` differs" in outcome.message
    assert_no_leak(outcome, SECRET)
    assert not checks.estimator(est(), reference, reference_params="random_state").passed


def test_estimator_fitted_state_and_type():
    assert not checks.estimator(est(fitted=False), est()).passed
    assert "fit" in checks.estimator(est(fitted=False), est()).message
    assert checks.estimator(est(fitted=False), est(fitted=False), fitted=False).passed
    assert not checks.estimator(est(), est(), fitted=False).passed
    for got in (None, "KMeans()", {"class": "KMeans"}, [1, 2]):
        outcome = checks.estimator(got, est())
        assert not outcome.passed and "scikit-learn estimator" in outcome.message


def fitted_on(n, cls="RandomForestClassifier", **params):
    return est(cls, **params) | {"n_samples_fit": n, "n_features_in": 192}


def test_estimator_fitted_on_the_reference_data():
    reference = fitted_on(280)
    assert checks.estimator(fitted_on(280), reference, fitted_on="X_train_pca").passed
    # a forest trained on the 80 validation faces
    outcome = checks.estimator(fitted_on(80), reference, fitted_on="X_train_pca (the training "
                               "faces)", params={"n_estimators": 50}, cls="RandomForestClassifier")
    assert not outcome.passed
    assert outcome.message.startswith("Your RandomForestClassifier was fitted on 80 samples, but "
                                      "it must be fitted on X_train_pca (the training faces)")
    assert "validation or test set" in outcome.message and "`n_estimators`" in outcome.message
    assert "280" not in outcome.message and "got 80, expected 280" in outcome.detail
    # without the option, any data will do; a class that keeps no sample count cannot be told
    assert checks.estimator(fitted_on(80), reference).passed
    assert checks.estimator(fitted_on(None), reference, fitted_on="X_train_pca").passed
    unknown = checks.estimator(fitted_on(80), fitted_on(None), fitted_on="X_train_pca")
    assert not unknown.passed and "misconfigured" in unknown.message
    unfitted = checks.estimator(fitted_on(None) | {"fitted": False}, reference,
                                fitted_on="X_train_pca")
    assert not unfitted.passed and "not fitted" in unfitted.message


# ------------------------------------------------------------------ consistent


@pytest.fixture(scope="module")
def kmeans_answers():
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs
    from sklearn.mixture import GaussianMixture

    X, _ = make_blobs(n_samples=300, centers=4, random_state=0)
    model = KMeans(n_clusters=4, n_init=3, random_state=0).fit(X)
    proba = GaussianMixture(n_components=3, random_state=0).fit(X).predict_proba(X)
    return {"X": X, "centroids": model.cluster_centers_, "inertia": model.inertia_,
            "labels": model.labels_, "distances": model.transform(X), "score": model.score(X),
            "proba": proba}


@pytest.mark.parametrize("rule", sorted(KMEANS_RULES))
def test_consistent_rules_pass_on_real_kmeans_output(kmeans_answers, rule):
    outcome = checks.consistent(kmeans_answers, None, rule=rule)
    assert outcome.passed, (outcome.message, outcome.detail)


def test_consistent_rules_pass_on_float32_kmeans(kmeans_answers):
    from sklearn.cluster import KMeans

    X = kmeans_answers["X"].astype(np.float32)
    model = KMeans(n_clusters=4, n_init=1, random_state=0).fit(X)
    inputs = {"X": X, "centroids": model.cluster_centers_, "inertia": model.inertia_,
              "labels": model.labels_, "distances": model.transform(X)}
    for rule in ("inertia_matches_centroids", "labels_are_nearest_centroid",
                 "distances_match_centroids"):
        assert checks.consistent(inputs, None, rule=rule).passed, rule


def tampered(answers, **changes):
    return {**answers, **changes}


def test_consistent_rules_fail_on_tampered_values(kmeans_answers):
    a = kmeans_answers
    labels = a["labels"].copy()
    labels[0] = (labels[0] + 1) % 4
    distances = a["distances"].copy()
    distances[3, 1] += 0.1
    proba = a["proba"].copy()
    proba[0] = [0.5, 0.6, -0.1]
    cases = {
        "inertia_matches_centroids": tampered(a, inertia=a["inertia"] * 1.01),
        "labels_are_nearest_centroid": tampered(a, labels=labels),
        "distances_match_centroids": tampered(a, distances=distances),
        "rows_sum_to_one": tampered(a, proba=proba),
        "rows_sum_to_one ": tampered(a, proba=a["proba"] * 0.9),  # in [0, 1] but rows sum to 0.9
        "score_is_negative_inertia": tampered(a, score=a["inertia"]),
    }
    for rule, inputs in cases.items():
        outcome = checks.consistent(inputs, None, rule=rule.strip())
        assert not outcome.passed, rule
        assert outcome.message


def test_distances_near_a_centroid_are_not_excused_by_the_squared_allowance(kmeans_answers):
    a = kmeans_answers
    X = np.vstack([a["centroids"][:1], a["X"]])    # a point exactly on centroid 0
    distances = np.sqrt(((X[:, None, :] - a["centroids"][None]) ** 2).sum(-1))
    assert checks.consistent(tampered(a, X=X, distances=distances), None,
                             rule="distances_match_centroids").passed
    distances[0, 0] = 1e-3                          # claims 0.001 where the true distance is 0
    assert not checks.consistent(tampered(a, X=X, distances=distances), None,
                                 rule="distances_match_centroids").passed


def test_consistent_other_centroids_break_inertia(kmeans_answers):
    shifted = kmeans_answers["centroids"] + 0.3
    assert not checks.consistent(tampered(kmeans_answers, centroids=shifted), None,
                                 rule="inertia_matches_centroids").passed


def test_consistent_reports_missing_and_malformed_roles(kmeans_answers):
    missing = {k: v for k, v in kmeans_answers.items() if k != "centroids"}
    outcome = checks.consistent(missing, None, rule="inertia_matches_centroids")
    assert not outcome.passed and "`centroids`" in outcome.message
    wrong_shape = tampered(kmeans_answers, centroids=kmeans_answers["centroids"][:, :1])
    assert "`centroids`" in checks.consistent(wrong_shape, None,
                                              rule="labels_are_nearest_centroid").message
    bad_type = tampered(kmeans_answers, inertia="big")
    assert "`inertia`" in checks.consistent(bad_type, None,
                                            rule="score_is_negative_inertia").message
    bad_labels = tampered(kmeans_answers, labels=kmeans_answers["labels"] + 10)
    assert not checks.consistent(bad_labels, None, rule="labels_are_nearest_centroid").passed
    assert not checks.consistent([1, 2], None, rule="rows_sum_to_one").passed
    assert "misconfigured" in checks.consistent({}, None, rule="no_such_rule").message


def test_rules_called_directly_do_not_raise():
    outcome = RULES["rows_sum_to_one"]({}, 1e-6, 1e-6)
    assert not outcome.passed and "`proba`" in outcome.message
    assert math.isclose(1.0, 1.0)


def test_companions_use_their_own_tolerances():
    means = np.array([[0.0, 0.0], [5.0, 5.0]])
    weights = np.array([0.3, 0.7])
    near = weights + 1e-5
    assert not checks.matched_rows(means, means, companions=[("w", near, weights, "rows")]).passed
    assert checks.matched_rows(means, means, companions=[
        ("w", near, weights, "rows", {"atol": 1e-4})]).passed
