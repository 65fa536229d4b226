"""Checks for figures and images, registered into the same registry as grader.checks.

A figure arrives as a plain description made in the kernel (grader.kernel.kernel_side):
``{"__type__": "figure", "suptitle": str, "axes": [{"title", "xlabel", "ylabel", "lines": [n
points per line], "scatters": [{"points": n, "groups": [colour group per point]}], "images": n,
"legend": bool, "patches": n}]}``. No pixels are compared: a plot is right when it shows the
right things, labelled, whatever its style.
"""

from __future__ import annotations

import numpy as np

from .matching import same_partition
from .outcome import Outcome, Reject
from .registry import register, rule
from .toolkit import any_array
from .toolkit import labels as label_vector

FIGURE_HINT = ("store the figure in the name the question asks for, e.g. "
               "`fig, ax = plt.subplots()` then `fig_name = fig`")


def as_figure(value, name: str = "your answer") -> dict:
    """The figure description in `value`, or Reject telling how to store a figure."""
    if not (isinstance(value, dict) and value.get("__type__") == "figure"):
        kind = value.get("__type__", "dict") if isinstance(value, dict) else type(value).__name__
        raise Reject(f"Expected a matplotlib Figure in {name}, got {kind}: {FIGURE_HINT}.")
    return value


def _with_data(fig: dict) -> list[dict]:
    return [ax for ax in fig["axes"] if ax["lines"] or ax["scatters"] or ax["patches"]]


def _label_problems(fig: dict, title: bool, axis_labels: bool) -> list[str]:
    problems = []
    for i, ax in enumerate(_with_data(fig), start=1):
        where = f"plot {i}" if len(fig["axes"]) > 1 else "the plot"
        if axis_labels and not (ax["xlabel"].strip() and ax["ylabel"].strip()):
            problems.append(f"{where} needs axis labels (ax.set_xlabel / ax.set_ylabel)")
        if title and not (ax["title"].strip() or fig["suptitle"].strip()):
            problems.append(f"{where} needs a title (ax.set_title)")
    return problems


def _largest_scatter(fig: dict) -> int:
    return max((s["points"] for ax in fig["axes"] for s in ax["scatters"]), default=0)


def _count_problems(fig: dict, ref: dict | None, min_axes, scatter_points, min_lines,
                    images) -> list[str]:
    problems = []
    wanted_axes = len(ref["axes"]) if min_axes == "reference" and ref else min_axes
    if len(fig["axes"]) < wanted_axes:
        problems.append(f"expected at least {wanted_axes} plot(s), found {len(fig['axes'])}")
    wanted = _largest_scatter(ref) if scatter_points == "reference" and ref else scatter_points
    sizes = {s["points"] for ax in fig["axes"] for s in ax["scatters"]}
    if wanted is not None and wanted not in sizes:
        problems.append(f"expected a scatter plot of {wanted} points, found scatters of "
                        f"{sorted(sizes) or 'none'}")
    lines = sum(1 for ax in fig["axes"] for n in ax["lines"] if n >= 2)
    if lines < min_lines:
        problems.append(f"expected at least {min_lines} line(s), found {lines}")
    shown = sum(ax["images"] for ax in fig["axes"])
    wanted_images = (sum(a["images"] for a in ref["axes"]) if images == "reference" and ref
                     else images)
    if wanted_images is not None and shown < wanted_images:
        problems.append(f"expected at least {wanted_images} image(s), found {shown}")
    return problems


@register("figure", gate=True)
def figure(got, expected, *, min_axes=1, axis_labels=True, title=False, scatter_points=None,
           min_lines=0, images=None, legend=False) -> Outcome:
    """A plot exists and shows what was asked: enough axes, labels (and titles if asked), a
    scatter of `scatter_points` points (an int, or "reference"), `min_lines` lines of 2+ points,
    at least `images` images (an int or "reference"), a legend if `legend`."""
    fig = as_figure(got)
    ref = expected if isinstance(expected, dict) and expected.get("__type__") == "figure" else None
    problems = _count_problems(fig, ref, min_axes, scatter_points, min_lines, images)
    problems += _label_problems(fig, title, axis_labels)
    if legend and not any(ax["legend"] for ax in fig["axes"]):
        problems.append("the plot needs a legend (ax.legend())")
    summary = f"{len(fig['axes'])} axes; largest scatter {_largest_scatter(fig)} points"
    if problems:
        return Outcome(False, "The figure is not complete: " + "; ".join(problems) + ".", summary)
    return Outcome(True, "The figure shows what was asked.", summary)


@rule("scatter_colours_match_labels")
def scatter_colours_match_labels(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Some scatter in `figure` colours its points by cluster: its colour groups form the same
    partition as `labels` (any colours, any order; DBSCAN's noise, -1, is one more colour)."""
    fig = as_figure(inputs.get("figure"), "`figure`")
    # Colours know no noise: groups are compared with groups, -1 renamed like any other label.
    labels = np.unique(label_vector(inputs.get("labels"), "labels"), return_inverse=True)[1]
    n = len(labels)
    candidates = [s for ax in fig["axes"] for s in ax["scatters"] if s["points"] == n]
    if not candidates:
        return Outcome(False, f"No scatter plot in the figure has one point per label ({n}).")
    for scatter in candidates:
        groups = np.unique(np.asarray(scatter["groups"], dtype=float), return_inverse=True)[1]
        if same_partition(groups, np.asarray(labels)).passed:
            return Outcome(True, "The scatter's colours follow the clusters.")
    return Outcome(False, "The scatter plot's colours do not follow the clusters: colour each "
                   "point by its cluster label (e.g. `c=labels`).")


@register("image_quantised")
def image_quantised(got, expected, *, max_colours) -> Outcome:
    """A colour-quantised image: the same shape as the reference's and at most `max_colours`
    distinct colours, with values in the reference's range (0..1 or 0..255)."""
    g, e = any_array(got), any_array(expected)
    if g.shape != e.shape:
        raise Reject(f"Expected an image of shape {e.shape} (the original's), got {g.shape}: "
                     "reshape the segmented pixels back with .reshape(image.shape).")
    colours = len(np.unique(g.reshape(-1, g.shape[-1]) if g.ndim == 3 else g.ravel(), axis=0))
    low, high = (0.0, 1.0) if float(np.max(e)) <= 1.0 else (0.0, 255.0)
    if colours > max_colours:
        return Outcome(False, f"The image has {colours} distinct colours; at most {max_colours} "
                       "were asked for: replace each pixel by its cluster's centre colour.")
    if g.size and (float(np.min(g)) < low - 1e-6 or float(np.max(g)) > high + 1e-6):
        return Outcome(False, f"Pixel values fall outside {low:g}..{high:g}, the range of the "
                       "original image.")
    return Outcome(True, f"The image keeps its shape and uses {colours} colours.")
