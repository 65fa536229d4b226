"""Figure and image checks, on descriptions as the kernel makes them."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from grader.checks import CHECKS, RULES
from grader.kernel.execute import run_notebook

figure = CHECKS["figure"]


def fig(*axes, suptitle=""):
    return {"__type__": "figure", "suptitle": suptitle, "axes": list(axes)}


def ax(xlabel="k", ylabel="inertia", title="", lines=(), scatters=(), images=0, legend=False):
    return {"title": title, "xlabel": xlabel, "ylabel": ylabel, "lines": list(lines),
            "scatters": [{"points": n, "groups": g} for n, g in scatters], "images": images,
            "legend": legend, "patches": 0}


def test_a_labelled_line_plot_passes_and_an_unlabelled_one_fails():
    assert figure(fig(ax(lines=[9])), None, min_lines=1).passed
    bare = figure(fig(ax(xlabel="", lines=[9])), None, min_lines=1)
    assert not bare.passed and "axis labels" in bare.message


def test_not_a_figure_says_how_to_store_one():
    outcome = figure(np.zeros(3), None)
    assert not outcome.passed and "plt.subplots()" in outcome.message


def test_scatter_size_against_the_reference_and_titles_and_images():
    ref = fig(ax(scatters=[(2000, [0] * 2000)]))
    assert figure(fig(ax(scatters=[(2000, [0] * 2000)])), ref, scatter_points="reference").passed
    assert not figure(fig(ax(scatters=[(1999, [0] * 1999)])), ref,
                      scatter_points="reference").passed
    assert not figure(fig(ax(lines=[3])), None, title=True).passed
    assert figure(fig(ax(lines=[3]), suptitle="Elbow"), None, title=True).passed
    faces = fig(*[ax(xlabel="", ylabel="", images=1) for _ in range(10)])
    assert figure(faces, None, images=10).passed and not figure(faces, None, images=11).passed


def test_scatter_colours_follow_the_labels_up_to_renaming():
    labels = np.array([0, 0, 1, 1, 2, 2])
    good = fig(ax(scatters=[(6, [5.0, 5.0, 3.0, 3.0, 9.0, 9.0])]))
    bad = fig(ax(scatters=[(6, [5.0, 3.0, 3.0, 3.0, 9.0, 9.0])]))
    rule = RULES["scatter_colours_match_labels"]
    assert rule({"figure": good, "labels": labels}, 0, 0).passed
    assert not rule({"figure": bad, "labels": labels}, 0, 0).passed
    # DBSCAN's noise (-1) is one more colour group, renamed like any other (issue 15: the
    # dbscan stub's c=labels2 with noise)
    noisy = np.array([-1, 0, 0, 1, 1, -1])
    assert rule({"figure": fig(ax(scatters=[(6, [0.1, 0.5, 0.5, 0.9, 0.9, 0.1])])),
                 "labels": noisy}, 0, 0).passed
    assert not rule({"figure": fig(ax(scatters=[(6, [0.5, 0.5, 0.5, 0.9, 0.9, 0.1])])),
                     "labels": noisy}, 0, 0).passed


def test_image_quantised():
    image = np.random.default_rng(0).random((4, 5, 3))
    palette = np.array([[0.1, 0.2, 0.3], [0.9, 0.8, 0.7]])
    quantised = palette[np.arange(20) % 2].reshape(4, 5, 3)
    check = CHECKS["image_quantised"]
    assert check(quantised, image, max_colours=2).passed
    assert not check(image, image, max_colours=2).passed
    assert not check(quantised.reshape(20, 3), image, max_colours=2).passed


@pytest.mark.kernel
def test_figures_come_back_from_a_real_kernel():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nimport numpy as np\n"
        "labels = np.array([0, 1, 1, 2] * 25)\nfig, axis = plt.subplots()\n"
        "axis.scatter(np.arange(100), np.arange(100), c=labels)\n"
        "axis.set_xlabel('x'); axis.set_ylabel('y')")])
    run = run_notebook(nb, ["fig", "axis", "labels"], [])
    values = run.answers.values
    assert figure(values["fig"], None, scatter_points=100).passed
    assert figure(values["axis"], None, scatter_points=100).passed  # an Axes works too
    assert RULES["scatter_colours_match_labels"]({"figure": values["fig"],
                                                  "labels": values["labels"]}, 0, 0).passed
