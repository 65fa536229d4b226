"""The command line as users run it: exit codes, messages for bad input, list, assign, help."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from helpers import EXERCISE, ROOT, run_cli

pytestmark = pytest.mark.kernel

STUB = ROOT / "exercises" / f"{EXERCISE}.ipynb"
SOLUTION = ROOT / "solutions" / f"{EXERCISE}.ipynb"


def test_check_solution_exits_0_and_writes_reports(tmp_path):
    proc = run_cli("check", SOLUTION, "--json", tmp_path / "r.json", "--html", tmp_path / "r.html")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS q1_fit" in proc.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["score"] == report["max_score"]
    html = (tmp_path / "r.html").read_text()
    assert f"{report['score']:g} / {report['max_score']:g}" in html


def test_a_renamed_copy_is_recognised_from_its_metadata(tmp_path):
    mine = tmp_path / "my homework (final).ipynb"
    shutil.copy(STUB, mine)
    proc = run_cli("check", mine)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count("MISS") == 5 and "Traceback" not in proc.stdout + proc.stderr


BAD_INPUTS = {
    "truncated.ipynb": lambda: STUB.read_text()[:500],
    "garbage.ipynb": lambda: "\x00\x01binary\xff",
    "empty.ipynb": lambda: "",
    "notes.txt": lambda: "just text",
    "list.ipynb": lambda: "[1, 2, 3]",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_unusable_files_exit_2_with_a_message_not_a_traceback(tmp_path, name):
    path = tmp_path / name
    path.write_text(BAD_INPUTS[name](), encoding="utf-8", errors="surrogateescape")
    proc = run_cli("check", path, "--exercise", EXERCISE)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: ") and "try: " in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_folder_is_not_a_notebook(tmp_path):
    proc = run_cli("check", tmp_path, "--exercise", EXERCISE)
    assert proc.returncode == 2 and "is a folder" in proc.stderr


def test_unknown_exercise_lists_the_known_ones():
    proc = run_cli("check", STUB, "--exercise", "no_such_thing")
    assert proc.returncode == 2
    assert "unknown exercise 'no_such_thing'" in proc.stderr and EXERCISE in proc.stderr


def test_notebook_without_metadata_asks_for_exercise(tmp_path):
    nb = nbformat.read(STUB, as_version=4)
    del nb.metadata["grader"]
    nbformat.write(nb, tmp_path / "anon.ipynb")
    proc = run_cli("check", tmp_path / "anon.ipynb")
    assert proc.returncode == 2 and "--exercise" in proc.stderr


def test_bad_option_exits_2():
    proc = run_cli("grade", "x", "--exercise", EXERCISE, "--out", "y", "--jobs", "0")
    assert proc.returncode == 2


def test_list_json_shape():
    listing = json.loads(run_cli("list", "--json", check_exit=0).stdout)
    entry = next(e for e in listing if e["id"] == EXERCISE)
    assert set(entry) == {"id", "title", "exercise_path", "solution_path", "max_score", "questions"}
    assert entry["max_score"] == sum(q["points"] for q in entry["questions"])
    q1 = entry["questions"][0]
    assert set(q1) == {"id", "points", "answers"}
    assert q1["answers"] == ["kmeans", "y_pred", "y_new", "distances", "centroids"]
    assert "kmeans_from_scratch" in entry["questions"][2]["answers"]


def test_stubs_match_their_solutions():
    proc = run_cli("assign", "--check")
    assert proc.returncode == 0, proc.stdout


def test_assign_detects_and_repairs_drift(tmp_path):
    for folder in ("exercises", "solutions"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    stub = tmp_path / "exercises" / f"{EXERCISE}.ipynb"
    stub.write_text(stub.read_text().replace("YOUR CODE HERE", "your code here"))
    assert run_cli("assign", "--check", "--course", tmp_path).returncode == 1
    run_cli("assign", "--course", tmp_path, check_exit=0)
    assert run_cli("assign", "--check", "--course", tmp_path).returncode == 0


@pytest.mark.parametrize("command", ["check", "grade", "list", "demo", "assign"])
def test_every_command_help_has_an_example(command):
    assert "Example:" in run_cli(command, "--help", check_exit=0).stdout


def test_a_module_names_its_exercise_on_the_command_line(tmp_path):
    from helpers import solution_as_module

    module = tmp_path / "kmeans.py"
    module.write_text(solution_as_module())
    proc = run_cli("check", module)
    assert proc.returncode == 2 and "--exercise" in proc.stderr
    proc = run_cli("check", module, "--exercise", EXERCISE)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_parameters_are_overridden_for_solution_and_submission_alike(tmp_path):
    """With another data seed the data change; the solution still scores full marks (its reference
    is recomputed on the same data), and the parameter is recorded in the report."""
    proc = run_cli("check", SOLUTION, "-p", "data_seed=11", "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["parameters"] == {"data_seed": 11}
    assert run_cli("check", SOLUTION, "-p", "not a pair").returncode == 2
