"""Student ids come from file and folder names that students choose: one batch grades a class
of hostile names, and nothing escapes OUT, runs in a spreadsheet, reaches the instructor's
terminal raw, or grades one student as another. Two batches never write into one OUT at once.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3

import pytest
from helpers import EXERCISE, ROOT, run_cli

from grader.grading.batch import only_batch_in
from grader.grading.one import student_id

pytestmark = pytest.mark.kernel

ALICE = ROOT / "examples" / EXERCISE / "alice.ipynb"
HOSTILE = {
    "...ipynb": "_.",                              # stem "..": the parent of OUT
    "=HYPERLINK(1).ipynb": "=HYPERLINK(1)",        # a spreadsheet formula
    "+SUM(A1).ipynb": "+SUM(A1)",
    "\x1b]0;pwned\x07ann.ipynb": "_]0;pwned_ann",  # an OSC sequence for the terminal
    "line\nbreak.ipynb": "line_break",
    "\u202eevil.ipynb": "_evil",                   # right-to-left override
}


@pytest.mark.parametrize("name, wanted", [("..", "_."), (".hidden", "_hidden"), ("", "_"),
                                          ("a/b", "a_b"), ("tab\there", "tab_here"),
                                          ("Zoë Ñ", "Zoë Ñ")])
def test_student_ids_are_made_safe_once_where_they_are_made(name, wanted):
    assert student_id(name) == wanted


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    top = tmp_path_factory.mktemp("class")
    subs, out = top / "subs", top / "out"
    subs.mkdir()
    for name in HOSTILE:
        shutil.copy(ALICE, subs / name)
    (subs / "alice").mkdir()
    shutil.copy(ALICE, subs / "alice" / f"{EXERCISE}.ipynb")
    (subs / "mallory").symlink_to(subs / "alice")   # claims alice's work
    proc = run_cli("grade", subs, "--exercise", EXERCISE, "--out", out, "--jobs", 2)
    return top, out, proc


def test_hostile_names_stay_inside_out(graded):
    top, out, proc = graded
    assert proc.returncode == 0, proc.stdout + proc.stderr
    students = {row[0] for row in sqlite3.connect(out / "gradebook.sqlite").execute(
        "SELECT student FROM submissions")}
    assert students == {*HOSTILE.values(), "alice", "mallory"}
    assert not (top / "report.json").exists() and not (top / "report.html").exists()
    for student in HOSTILE.values():
        assert (out / student / "report.json").is_file(), student


def test_no_control_character_reaches_the_terminal(graded):
    _, _, proc = graded
    printed = proc.stdout + proc.stderr
    assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed
    assert "line\nbreak" not in printed


def test_no_id_runs_as_a_formula_in_grades_csv(graded):
    _, out, _ = graded
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        cells = [row[0] for row in csv.reader(f)][1:]
    assert "'=HYPERLINK(1)" in cells and "'+SUM(A1)" in cells
    assert not [c for c in cells if c[:1] in "=+-@"]


def test_a_linked_student_folder_is_not_graded_as_its_target(graded):
    _, out, _ = graded
    report = json.loads((out / "mallory" / "report.json").read_text())
    assert report["score"] == 0
    assert "symbolic link" in report["notices"][0]
    status = sqlite3.connect(out / "gradebook.sqlite").execute(
        "SELECT status FROM submissions WHERE student = 'mallory'").fetchone()[0]
    assert status == "unreadable"


def test_a_second_batch_into_the_same_out_is_refused_while_the_first_runs(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with only_batch_in(out):   # stands for a batch running right now
        proc = run_cli("grade", ALICE, "--exercise", EXERCISE, "--out", out)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "another `grader grade` is writing into" in proc.stderr
    assert not (out / "gradebook.sqlite").exists()
