"""Gradescope: the autograder zip, and results.json (validated against the specification's
schema) for a graded notebook, an empty submission and a broken autograder; always written."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile

import jsonschema
import pytest
from helpers import EXERCISE, ROOT, report_of, run_cli
from platform_schemas import GRADESCOPE, GRADESCOPE_TEST_FIELDS

from grader.core.overrides import report_from_dict
from grader.platforms.gradescope import results_json, run


def _valid(data: dict) -> dict:
    jsonschema.validate(data, GRADESCOPE)
    for test in data["tests"]:
        assert set(test) >= GRADESCOPE_TEST_FIELDS, test
    return data


@pytest.mark.kernel
def test_build_writes_setup_run_autograder_and_the_exercise(tmp_path):
    out = tmp_path / "autograder.zip"
    run_cli("gradescope", "build", "--exercise", EXERCISE, out, "--install", "grader==0.1.0",
            check_exit=0)
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        modes = {n: zf.getinfo(n).external_attr >> 16 for n in names}
        run_script = " ".join(zf.read("run_autograder").decode().replace("\\\n", " ").split())
        setup = zf.read("setup.sh").decode()
        requirements = zf.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", f"course/solutions/{EXERCISE}.toml",
            f"course/solutions/{EXERCISE}.ipynb", f"course/exercises/{EXERCISE}.ipynb"} <= names
    assert all(modes[n] & stat.S_IXUSR for n in ("setup.sh", "run_autograder"))
    assert run_script.startswith("#!/usr/bin/env bash")
    assert f"gradescope run --exercise {EXERCISE}" in run_script
    assert "pip install -q -r requirements.txt" in setup and "gradescope warm" in setup
    assert requirements.strip() == "grader==0.1.0"


@pytest.mark.kernel
def test_results_json_of_a_graded_class_follows_the_spec(graded_class):
    out = graded_class[0]
    for student in ("alice", "bob", "eve", "broken", "untouched"):
        report = report_from_dict(report_of(out, student))
        data = _valid(results_json(report, 3.2))
        assert data["score"] == sum(t["score"] for t in data["tests"]) == report.score
        assert [t["number"] for t in data["tests"]] == [str(i) for i in range(1, 6)]
        hidden = [t for t in data["tests"] if t["name"].startswith("q3_scratch")]
        assert hidden[0]["visibility"] == "after_published"
        assert "scikit-learn" in data["output"] and "seed 42" in data["output"]
    bob = results_json(report_from_dict(report_of(out, "bob")), 1)
    assert {t["status"] for t in bob["tests"]} == {"passed", "failed"}


@pytest.fixture
def autograder(tmp_path):
    (tmp_path / "submission").mkdir()
    return tmp_path


@pytest.mark.kernel
@pytest.mark.sandbox   # for credit: unisolated only by the instructor's opt-in (for_credit tests)
def test_run_grades_the_submission_into_results_json(autograder):
    shutil.copy(ROOT / "examples" / EXERCISE / "alice.ipynb", autograder / "submission")
    proc = run_cli("gradescope", "run", "--exercise", EXERCISE, "--root", autograder,
                   check_exit=0)
    data = _valid(json.loads((autograder / "results" / "results.json").read_text()))
    assert data["score"] == 13 and f"score {data['score']:g}" in proc.stdout
    assert all(t["status"] == "passed" for t in data["tests"])


def test_run_without_a_notebook_still_writes_results_and_says_why(autograder):
    (autograder / "submission" / "notes.txt").write_text("forgot the notebook")
    run(EXERCISE, root=autograder)  # the API `grader gradescope run` calls (no kernel needed)
    data = _valid(json.loads((autograder / "results" / "results.json").read_text()))
    visible, hidden = data["tests"]
    assert data["score"] == 0 and visible["visibility"] == "visible"
    assert f"{EXERCISE}.ipynb" in visible["output"] and hidden["visibility"] == "hidden"


def test_a_grader_failure_is_a_visible_entry_with_hidden_details(autograder, tmp_path):
    shutil.copy(ROOT / "examples" / EXERCISE / "alice.ipynb", autograder / "submission")
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions")
    (course / "solutions" / f"{EXERCISE}.toml").write_text("schema_version = 1\nid = [")
    run(EXERCISE, course, root=autograder)
    data = _valid(json.loads((autograder / "results" / "results.json").read_text()))
    visible, details = data["tests"]
    assert visible["name"] == "Grading failed: tell your instructor"
    assert visible["visibility"] == "visible" and "Traceback" not in visible["output"]
    assert details["visibility"] == "hidden" and "SpecError" in details["output"]
