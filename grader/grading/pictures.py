"""Pictures for the HTML report, written as SVG (grader/grading/svg.py) and inlined as data URLs.

Three kinds, all optional and never able to break grading (a picture that cannot be drawn is
left out):

* clusterings: the student's clusters next to the reference's, on axes with the same limits,
  colours matched after renaming (Hungarian matching on the contingency table), points that
  differ ringed; centres (matched_rows answers) drawn over the data;
* quantised images: the original, the student's and the reference's side by side;
* the student's own figures: the PNG/JPEG images their notebook displayed.

Reference pictures are drawn only for public questions and public checks: a picture of a hidden
question's reference would reveal its answer. The spec says which answer holds the data to draw
on (`picture = { points = "X" }` or `{ image = "image" }`, grader/spec.py).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Iterable

import numpy as np

from ..checks.matching import clusters, match_clusters
from ..core.results import Picture, QuestionResult
from . import svg

MAX_IMAGE_BYTES = 300 * 1024      # one figure of the student's; larger ones are left out
MAX_FIGURES = 12                  # the student's figures shown, at most
MAX_POINTS = 4000                 # a scatter with more points is subsampled (evenly)
MAX_RINGS = 1000                  # points that differ, ringed, at most
MAX_CLUSTERS = 20                 # more clusters than distinct colours: no picture
NOISE_COLOUR = "#8c8c8c"
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#3182bd",
           "#e6550d", "#31a354", "#756bb1", "#636363", "#843c39", "#5254a3"]
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def with_pictures(spec, nb, execution, reference, questions: tuple[QuestionResult, ...]):
    """(questions with their pictures, the student's own figures): the pipeline's picture step."""
    got = execution.answers.values if execution.answers else {}
    by_id = {q.id: q for q in spec.questions}
    drawn = tuple(dataclasses.replace(r, pictures=_safely(question_pictures, by_id[r.id], got,
                                                          reference.values))
                  if r.id in by_id and r.visibility == "public" else r for r in questions)
    return drawn, _safely(student_figures, nb, execution)


def _safely(fn, *args) -> tuple[Picture, ...]:
    try:
        return tuple(fn(*args))
    except Exception:  # a picture is a courtesy: it must never cost a grade
        return ()


# ---------------------------------------------------------------------------------------------
# Per question
# ---------------------------------------------------------------------------------------------

def question_pictures(question, got: dict, expected: dict) -> list[Picture]:
    """Pictures of a public question's public checks, as its spec's `picture` asks."""
    if question.visibility != "public" or not question.picture:
        return []
    checks = [c for c in question.checks if c.visibility == "public" and c.answer]
    if "points" in question.picture:
        return _cluster_pictures(question.picture["points"], checks, got, expected)
    if "image" in question.picture:
        return _image_pictures(question.picture["image"], checks, got, expected)
    return []


def _cluster_pictures(points: str, checks, got: dict, expected: dict) -> list[Picture]:
    ref_x = _matrix(expected.get(points))
    if ref_x is None:
        return []
    project = _projection(ref_x)
    labels = [c.answer for c in checks if c.check == "same_partition"]
    centres = [c.answer for c in checks if c.check == "matched_rows"]
    pictures = []
    for name in labels:
        picture = _clusters_picture(name, points, got, expected, project,
                                    centres if name == labels[0] else [])
        pictures += [picture] if picture else []
    if not labels and centres:
        picture = _centres_picture(centres, points, got, expected, project)
        pictures += [picture] if picture else []
    return pictures


def _matrix(value) -> np.ndarray | None:
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf" or value.ndim != 2:
        return None
    return value.astype(np.float64) if value.shape[1] >= 2 and np.isfinite(value).all() else None


def _labels(value, n: int) -> np.ndarray | None:
    if not isinstance(value, np.ndarray) or (value.dtype.kind not in "biu" and not (
            value.dtype.kind == "f" and np.isfinite(value).all()
            and (value == np.round(value)).all())):
        return None
    value = value.astype(np.int64).ravel()
    return value if len(value) == n else None


class _Projection:
    """Data to 2-D: as it is when it has two columns, else onto the reference's first two
    principal components (said in the axis labels)."""

    def __init__(self, mean, components, names):
        self.mean, self.components, self.names = mean, components, names

    def __call__(self, x: np.ndarray) -> np.ndarray | None:
        if x is None or x.shape[1] != len(self.mean):
            return None
        return (x - self.mean) @ self.components.T if self.components is not None else x


def _projection(ref_x: np.ndarray) -> _Projection:
    if ref_x.shape[1] == 2:
        return _Projection(np.zeros(2), None, ("feature 0", "feature 1"))
    mean = ref_x.mean(axis=0)
    _, _, vt = np.linalg.svd(ref_x - mean, full_matrices=False)
    return _Projection(mean, vt[:2], ("principal component 1", "principal component 2"))


def matched_colours(got: np.ndarray, expected: np.ndarray) -> dict[int, int]:
    """Student label -> reference label maximising agreement (the renaming the clustering
    checks use); noise (-1) stays -1; student clusters left unmatched get new numbers."""
    got, expected = np.asarray(got, dtype=np.int64), np.asarray(expected, dtype=np.int64)
    mapping = {-1: -1, **match_clusters(got, expected)}
    spare = iter(range(int(expected.max(initial=-1)) + 1, 10**6))
    mapping.update({int(g): next(spare) for g in clusters(got) if int(g) not in mapping})
    return mapping


def _clusters_picture(name, points, got, expected, project, centres) -> Picture | None:
    ref_x, ref_labels = project(_matrix(expected.get(points))), None
    if ref_x is not None:
        ref_labels = _labels(expected.get(name), len(ref_x))
    if ref_labels is None:
        return None
    mine_x = project(_matrix(got.get(points)))
    mine_x = mine_x if mine_x is not None and len(mine_x) == len(ref_x) else ref_x
    mine = _labels(got.get(name), len(mine_x))
    if mine is None or len(set(ref_labels.tolist())) > MAX_CLUSTERS \
            or len(set(mine.tolist())) > MAX_CLUSTERS:
        return None
    mapping = matched_colours(mine, ref_labels)
    renamed = np.array([mapping[v] for v in mine.tolist()])
    differ = int((renamed != ref_labels).sum())
    fig = svg.Figure(2)
    left, right = fig.panels
    centre_pairs = _centres(centres, got, expected, project)
    _share_limits(fig, mine_x, ref_x, *[c for pair in centre_pairs for c in pair[1:]],
                  names=project.names)
    _scatter(left, mine_x, renamed, differ=renamed != ref_labels)
    _scatter(right, ref_x, ref_labels)
    for _, mine_c, ref_c in centre_pairs:
        left.crosses(mine_c, [_colour(mapping.get(j, j)) for j in range(len(mine_c))])
        right.crosses(ref_c, [_colour(j) for j in range(len(ref_c))])
    left.title(f"Yours: {name}" + (f" ({differ} points differ)" if differ else ""))
    right.title(f"Reference: {name}")
    k = len(set(ref_labels.tolist()) - {-1})
    alt = (f"Two scatter plots of {points} with the same axes. Left, your clustering `{name}` of "
           f"{len(mine)} points in {len(set(mine.tolist()) - {-1})} clusters; right, the "
           f"reference's, in {k} clusters. Colours are matched after renaming the clusters; "
           + (f"{differ} points are in a different cluster and are ringed in black."
              if differ else "every point is in the same cluster."))
    return Picture(f"Your clusters and the reference's: {name}", alt, fig.data_url())


def _centres(names, got, expected, project) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, student's rows, reference's rows) of matched_rows answers, both in 2-D. Row j is
    cluster j's centre, so the student's rows take the colours of their renamed clusters."""
    pairs = [(n, project(_matrix(got.get(n))), project(_matrix(expected.get(n)))) for n in names]
    return [(n, mine, ref) for n, mine, ref in pairs if mine is not None and ref is not None]


def _centres_picture(names, points, got, expected, project) -> Picture | None:
    ref_x = project(_matrix(expected.get(points)))
    pairs = _centres(names, got, expected, project)
    if ref_x is None or not pairs:
        return None
    fig = svg.Figure(len(pairs))
    _share_limits(fig, ref_x, *[c for pair in pairs for c in pair[1:]], names=project.names)
    for panel, (name, mine, ref) in zip(fig.panels, pairs):
        panel.dots(_sample(ref_x), ["#c8c8c8"] * len(_sample(ref_x)), size=2.5)
        panel.rings(ref, radius=8, colour="#1f77b4", width=2, opacity=1)
        panel.crosses(mine, ["#d62728"] * len(mine), size=5, outline=None)
        panel.title(name)
    alt = (f"{len(pairs)} scatter plot(s) of {points} in grey with the same axes, one per answer "
           f"({', '.join(n for n, _, _ in pairs)}): your centres as red crosses, the reference's "
           "as blue circles; a cross inside a circle is a centre in the right place.")
    return Picture("Your centres (red x) and the reference's (blue o)", alt, fig.data_url())


def _image_pictures(original: str, checks, got: dict, expected: dict) -> list[Picture]:
    image = _image(got.get(original))
    image = image if image is not None else _image(expected.get(original))
    pictures = []
    for check in checks:
        if check.check == "image_quantised":
            panels = [("Original", image), ("Yours", _image(got.get(check.answer))),
                      ("Reference", _image(expected.get(check.answer)))]
        elif check.check == "images_quantised":
            mine = got.get(check.answer)
            colours = check.options.get("max_colours", [])
            mine = list(mine) if isinstance(mine, (np.ndarray, list)) else []
            panels = [("Original", image)] + [
                (f"Yours, {k} colours" if isinstance(k, int) else f"Yours, image {i + 1}",
                 _image(m)) for i, (m, k) in enumerate(zip(mine, [*colours, *[None] * len(mine)]))]
        else:
            continue
        panels = [(title, im) for title, im in panels if im is not None]
        if len(panels) > 1:
            pictures.append(_images_picture(check.answer, panels))
    return pictures


def _image(value) -> np.ndarray | None:
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf" \
            or value.ndim not in (2, 3) or (value.ndim == 3 and value.shape[2] not in (3, 4)):
        return None
    value = np.nan_to_num(value.astype(np.float64))
    return np.clip(value / 255.0 if value.max() > 1.0 else value, 0.0, 1.0)


def _images_picture(name: str, panels) -> Picture:
    fig = svg.Figure(len(panels), width=250, height=230, margin=svg.NO_AXES)
    for panel, (title, image) in zip(fig.panels, panels):
        panel.image(image)
        panel.title(title)
    alt = (f"{len(panels)} images side by side: " + ", ".join(t for t, _ in panels)
           + f" (`{name}`), to compare the colours kept.")
    return Picture(f"Your image and the original: {name}", alt, fig.data_url())


# ---------------------------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------------------------

def _colour(label: int) -> str:
    return NOISE_COLOUR if label == -1 else PALETTE[label % len(PALETTE)]


def _sample(x: np.ndarray) -> np.ndarray:
    return x[_kept(len(x))]


def _scatter(panel, x, labels, differ=None) -> None:
    keep = _kept(len(x))
    panel.dots(x[keep], [_colour(v) for v in labels[keep].tolist()],
               size=4.5 if len(keep) <= 2000 else 2.5)
    if differ is not None and differ[keep].any():
        wrong = keep[differ[keep]][:MAX_RINGS]
        panel.rings(x[wrong], radius=3.5)


def _kept(n: int) -> np.ndarray:
    """Indices of the points drawn: all of them, or an even sample (the same on both sides)."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, MAX_POINTS, replace=False))


def _share_limits(fig, *arrays, names=None) -> None:
    """The same limits on every panel, so that left and right can be compared by eye."""
    bounds = svg.limits(*arrays)
    for panel in fig.panels:
        panel.set_limits(*bounds)
        if names:
            panel.axis_labels(*names)


# ---------------------------------------------------------------------------------------------
# The student's own figures
# ---------------------------------------------------------------------------------------------

def student_figures(nb, execution) -> list[Picture]:
    """The images the notebook displayed: from this run's outputs when the execution kept them,
    else as saved in the submitted notebook (said in the title). Capped in size and number."""
    fresh = [(r.index, getattr(r, "outputs", None)) for r in execution.cells]
    if any(outputs for _, outputs in fresh):
        cells, saved = fresh, False
    else:
        cells = [(i, c.get("outputs", [])) for i, c in enumerate(getattr(nb, "cells", []))
                 if c.get("cell_type") == "code"]
        saved = True
    pictures, dropped = [], 0
    for index, outputs in cells:
        for data in _image_outputs(outputs or ()):
            picture = _figure_picture(index, data, saved)
            if picture is None or len(pictures) >= MAX_FIGURES:
                dropped += 1
            else:
                pictures.append(picture)
    if dropped:
        pictures.append(Picture("Figures left out", "", "", note=(
            f"{dropped} figure(s) were left out: larger than {MAX_IMAGE_BYTES // 1024} KB, not a "
            f"PNG or JPEG image, or beyond the first {MAX_FIGURES}.")))
    return pictures


def _image_outputs(outputs: Iterable) -> Iterable[tuple[str, str]]:
    for output in outputs:
        data = output.get("data", {}) if isinstance(output, dict) else {}
        for mime in ("image/png", "image/jpeg"):
            if isinstance(data.get(mime), str):
                yield mime, data[mime]
                break


def _figure_picture(index: int, data: tuple[str, str], saved: bool) -> Picture | None:
    """A displayed image, only if it really is a PNG or JPEG of a reasonable size (it came from
    student code: never trusted to be what its MIME type says)."""
    text = data[1]  # data[0], the MIME type it claims, is not trusted
    if len(text) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        return None
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    real = next((m for sig, m in SIGNATURES.items() if raw.startswith(sig)), None)
    if real is None or len(raw) > MAX_IMAGE_BYTES:
        return None
    where = f"cell {index + 1}" + (" (as saved in your notebook)" if saved else "")
    return Picture(f"Your figure, {where}", f"A figure your notebook displayed in {where}.",
                   f"data:{real};base64," + base64.b64encode(raw).decode("ascii"))
