"""Pictures for the report: colours matched after renaming, the spec's picture key, and the
student's own figures capped and checked (they come from student code)."""

from __future__ import annotations

import base64
import struct
import zlib
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from grader.core.records import CellRun, Execution
from grader.core.results import Picture
from grader.core.spec import load_spec
from grader.errors import SpecError
from grader.grading import svg
from grader.grading.pictures import (
    MAX_IMAGE_BYTES,
    matched_colours,
    question_pictures,
    student_figures,
)

SPEC = """
schema_version = 1
id = "ex"
title = "Example"
[[questions]]
id = "q1"
points = 2
visibility = "VIS"
picture = { points = "X" }
  [[questions.checks]]
  check = "same_partition"
  answer = "labels"
"""


def spec(tmp_path, visibility="public"):
    path = tmp_path / "ex.toml"
    path.write_text(SPEC.replace("VIS", visibility))
    return load_spec(path, tmp_path, tmp_path)


def test_colours_follow_the_reference_after_renaming_and_noise_stays_grey():
    expected = np.array([0, 0, 1, 1, 2, 2, -1])
    got = np.array([5, 5, 3, 3, 4, 7, -1])
    mapping = matched_colours(got, expected)
    assert mapping[5] == 0 and mapping[3] == 1 and mapping[-1] == -1
    assert {mapping[4], mapping[7]} == {2, 3}   # one takes cluster 2, the other a new colour


def test_picture_key_is_an_extract_name_and_refused_on_hidden_questions(tmp_path):
    assert "X" in spec(tmp_path).question("q1").extract_names
    with pytest.raises(SpecError, match="picture"):
        spec(tmp_path, "hidden")


def test_relabelled_clusters_are_drawn_side_by_side_and_hidden_questions_never(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    labels = np.repeat([0, 1, 2], 20)
    got = {"X": x, "labels": (labels + 1) % 3}
    pictures = question_pictures(spec(tmp_path).question("q1"), got, {"X": x, "labels": labels})
    assert len(pictures) == 1 and pictures[0].data_url.startswith("data:image/svg+xml;base64,")
    assert "every point is in the same cluster" in pictures[0].alt
    hidden = spec(tmp_path).question("q1").__class__(**{
        **spec(tmp_path).question("q1").__dict__, "visibility": "hidden"})
    assert question_pictures(hidden, got, {"X": x, "labels": labels}) == []


def png(size: int) -> str:
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * size).decode()


def test_student_figures_are_capped_and_must_really_be_images():
    outputs = [{"output_type": "display_data", "data": {"image/png": png(1000)}},
               {"output_type": "display_data", "data": {"image/png": png(MAX_IMAGE_BYTES + 1)}},
               {"output_type": "display_data", "data": {"image/png": base64.b64encode(
                   b"<svg onload=alert(1)>").decode()}}]
    nb = {"cells": [{"cell_type": "code", "outputs": outputs}]}
    execution = Execution((CellRun(0, "", "ok"),), None, (), 0.0)
    figures = student_figures(type("NB", (), nb), execution)
    assert [f.title for f in figures] == ["Your figure, cell 1 (as saved in your notebook)",
                                          "Figures left out"]
    assert "2 figure(s) were left out" in figures[1].note


def svg_of(picture) -> ET.Element:
    assert picture.data_url.startswith("data:image/svg+xml;base64,")
    return ET.fromstring(base64.b64decode(picture.data_url.split(",", 1)[1]))  # well-formed


def test_centres_alone_are_drawn_over_the_data_with_shared_axes(tmp_path):
    text = SPEC.replace("VIS", "public").replace('check = "same_partition"\n  answer = "labels"',
                                                  'check = "matched_rows"\n  answer = "means"')
    (tmp_path / "ex.toml").write_text(text)
    question = load_spec(tmp_path / "ex.toml", tmp_path, tmp_path).question("q1")
    x = np.random.default_rng(1).normal(size=(300, 3))
    means = np.array([[0.0, 0, 0], [1, 1, 1]])
    [picture] = question_pictures(question, {"X": x, "means": means + 0.1},
                                  {"X": x, "means": means})
    root = svg_of(picture)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "principal component 1" in texts and any("means" in (t or "") for t in texts)
    assert "red crosses" in picture.alt


def test_quantised_images_are_panels_of_real_pngs(tmp_path):
    text = SPEC.replace("VIS", "public").replace('picture = { points = "X" }',
                                                  'picture = { image = "image" }').replace(
        'check = "same_partition"\n  answer = "labels"',
        'check = "image_quantised"\n  answer = "segmented"\n  max_colours = 8')
    (tmp_path / "ex.toml").write_text(text)
    question = load_spec(tmp_path / "ex.toml", tmp_path, tmp_path).question("q1")
    image = np.random.default_rng(2).integers(0, 256, size=(600, 400, 3)).astype(np.uint8)
    [picture] = question_pictures(question, {"image": image, "segmented": image // 2},
                                  {"image": image, "segmented": image})
    root = svg_of(picture)
    pngs = [base64.b64decode(e.get("href").split(",", 1)[1])
            for e in root.iter("{http://www.w3.org/2000/svg}image")]
    assert len(pngs) == 3 and all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    width, height = struct.unpack(">II", pngs[0][16:24])
    assert (width, height) == (134, 200)       # shrunk to at most 240 pixels a side
    assert zlib.decompress(pngs[0][41:-12])[:1] == b"\0"   # filter byte of the first row


def test_text_in_pictures_is_escaped():
    fig = svg.Figure(1)
    fig.panels[0].title("</text><script>alert(1)</script>")
    fig.panels[0].set_limits(0, 1, 0, 1)
    fig.panels[0].axis_labels("a & b", "<y>")
    root = svg_of(Picture("t", "a", fig.data_url()))
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    assert {"</text><script>alert(1)</script>", "a & b", "<y>"} <= {t.text for t in root.iter()}
