"""Spec validation: every problem names the file, the question and the key."""

from __future__ import annotations

import pytest

from grader.core.spec import load_spec
from grader.errors import SpecError

GOOD = """
schema_version = 1
id = "ex"
title = "Example"
[[questions]]
id = "q1"
points = 2
  [[questions.checks]]
  check = "close"
  answer = "inertia"
  rtol = 1e-6
"""


def load(tmp_path, text):
    path = tmp_path / "ex.toml"
    path.write_text(text)
    return load_spec(path, tmp_path, tmp_path)


def test_valid_spec_loads(tmp_path):
    ex = load(tmp_path, GOOD)
    assert ex.max_score == 2 and ex.questions[0].answers == ["inertia"]
    assert ex.questions[0].checks[0].options == {"rtol": 1e-6}


@pytest.mark.parametrize("change, key", [
    (("check = \"close\"", "check = \"closeish\""), "check"),
    (("points = 2", "points = -1"), "points"),
    (("rtol = 1e-6", "rtl = 1e-6"), "rtl"),
    (("schema_version = 1", "schema_version = 7"), "schema_version"),
    (("answer = \"inertia\"", "answer = \"not a name\""), "answer"),
    (("check = \"close\"\n  answer = \"inertia\"\n  rtol = 1e-6",
      "check = \"one_of\"\n  answer = \"inertia\""), "accepted"),
])
def test_invalid_specs_name_file_question_and_key(tmp_path, change, key):
    with pytest.raises(SpecError) as info:
        load(tmp_path, GOOD.replace(*change))
    message = str(info.value)
    assert "ex.toml" in message and f"key {key!r}" in message
    if key not in ("schema_version",):
        assert "question 'q1'" in message


def test_broken_toml_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="cannot read the spec"):
        load(tmp_path, GOOD + "\n[[[")


def test_the_course_specs_are_valid():
    from grader import list_exercises

    assert [e.id for e in list_exercises()] and all(e.max_score > 0 for e in list_exercises())


@pytest.mark.parametrize("change, key, said", [
    (("rtol = 1e-6", "rtol = -1"), "rtol", "at least 0"),
    (("rtol = 1e-6", 'rtol = "tight"'), "rtol", "expected a number, got 'tight'"),
    (("rtol = 1e-6", "rtol = nan"), "rtol", "expected a number"),
    (("rtol = 1e-6", "rtol = true"), "rtol", "expected a number, got True"),
    (("rtol = 1e-6", "atol = -0.5"), "atol", "at least 0"),
    (('check = "close"\n  answer = "inertia"\n  rtol = 1e-6',
      'check = "same_partition"\n  answer = "labels"\n  max_mismatch = 2'),
     "max_mismatch", "between 0 and 1"),
    (('check = "close"\n  answer = "inertia"\n  rtol = 1e-6',
      'check = "at_least"\n  answer = "accuracy"\n  margin = -0.1'), "margin", "at least 0"),
    (('title = "Example"', 'title = "Example"\n[execution]\ncell_timeout = -5'),
     "execution.cell_timeout", "at least 0"),
    (('title = "Example"', 'title = "Example"\n[execution]\nnotebook_timeout = 0'),
     "execution.notebook_timeout", "positive"),
])
def test_every_number_is_validated_with_file_question_and_key(tmp_path, change, key, said):
    with pytest.raises(SpecError) as caught:
        load(tmp_path, GOOD.replace(*change))
    message = caught.value.message
    assert str(tmp_path / "ex.toml") in message and f"key {key!r}" in message, message
    assert said in message, message
    if not key.startswith("execution"):
        assert "question 'q1'" in message, message
