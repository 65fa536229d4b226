"""Consistency rules of grader/clusterfit_checks.py, called as the `consistent` check calls them."""

from __future__ import annotations

import numpy as np

from grader.checks import CHECKS

consistent = CHECKS["consistent"]


def run(rule, **inputs):
    return consistent(inputs, None, rule=rule)


def test_same_clustering_accepts_a_renaming_and_rejects_a_moved_point():
    a = np.array([0, 0, 1, 1, 2, 2])
    assert run("same_clustering_as", labels=a, other=np.array([2, 2, 0, 0, 1, 1])).passed
    moved = run("same_clustering_as", labels=a, other=np.array([2, 2, 0, 1, 1, 1]))
    assert not moved.passed and "same clustering" in moved.message and "n_init" in moved.message


def test_same_clustering_with_different_lengths_or_odd_input_fails_cleanly():
    assert not run("same_clustering_as", labels=[0, 1], other=[0, 1, 1]).passed
    assert not run("same_clustering_as", labels="abc", other=[0, 1, 1]).passed
    assert "missing" in run("same_clustering_as", labels=[0, 1]).message


def test_best_of_candidates_needs_the_minimum():
    assert run("best_of_candidates", best=211.7, candidates=[219.8, 211.7, 224.0]).passed
    worst = run("best_of_candidates", best=224.0, candidates=[219.8, 211.7, 224.0])
    assert not worst.passed and "largest" in worst.message
    other = run("best_of_candidates", best=215.0, candidates=[219.8, 211.7, 224.0])
    assert not other.passed and "not the smallest" in other.message
    assert not run("best_of_candidates", best=1.0, candidates=[]).passed
    assert not run("best_of_candidates", best=np.nan, candidates=[1.0, 2.0]).passed


def test_cluster_means_match_recomputes_per_cluster_means():
    values = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    labels = np.array([1, 1, 0, 0, 0])
    assert run("cluster_means_match", values=values, labels=labels, means=[0.7, 0.2]).passed
    swapped = run("cluster_means_match", values=values, labels=labels, means=[0.2, 0.7])
    assert not swapped.passed and "2 of 2" in swapped.message
    assert not run("cluster_means_match", values=values, labels=labels, means=[0.7]).passed
    assert not run("cluster_means_match", values=values[:3], labels=labels, means=[0.7, 0.2]).passed
    # float32 values pass within the default tolerance
    assert run("cluster_means_match", values=values.astype(np.float32), labels=labels,
               means=np.array([0.7, 0.2], dtype=np.float32)).passed


figure_marks = CHECKS["figure_marks"]


def fig(*axes):
    return {"__type__": "figure", "suptitle": "", "axes": list(axes)}


def ax(lines=(), areas=0, patches=0):
    return {"title": "", "xlabel": "x", "ylabel": "y", "lines": list(lines),
            "scatters": [{"points": 1, "groups": [0]}] * areas, "images": 0, "legend": False,
            "patches": patches}


def test_figure_marks_line_points_fixed_or_from_the_reference():
    assert figure_marks(fig(ax(lines=[9, 2])), None, line_points=9).passed
    short = figure_marks(fig(ax(lines=[8])), None, line_points=9)
    assert not short.passed and "line through 9 points" in short.message
    assert figure_marks(fig(ax(lines=[9])), fig(ax(lines=[2, 9])), line_points="reference").passed
    assert not figure_marks(fig(ax(lines=[9])), None, line_points="reference").passed


def test_figure_marks_per_axes_accepts_areas_or_bars():
    ref = fig(ax(lines=[2], areas=3), ax(lines=[2], areas=4))
    assert figure_marks(fig(ax(areas=3), ax(areas=4)), ref, marks_per_axes="reference").passed
    assert figure_marks(fig(ax(patches=2000), ax(patches=2000)), ref,
                        marks_per_axes="reference").passed
    few = figure_marks(fig(ax(areas=1), ax(areas=4)), ref, marks_per_axes="reference")
    assert not few.passed and "plot 1 has 1" in few.message
    missing = figure_marks(fig(ax(areas=3)), None, marks_per_axes=[3, 4])
    assert not missing.passed and "2 plots" in missing.message


def test_figure_marks_rejects_non_figures_and_bad_options():
    assert not figure_marks(np.zeros(3), None, line_points=9).passed
    assert "misconfigured" in figure_marks(fig(ax()), None, line_points=0).message
    assert "misconfigured" in figure_marks(fig(ax()), None, marks_per_axes="all").message
