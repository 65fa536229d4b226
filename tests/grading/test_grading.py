"""Grading a class end to end: the examples, the solution, the stub, a broken file, a module."""

from __future__ import annotations

import csv
import sqlite3

import nbformat
import numpy as np
import pytest
from helpers import EXERCISE, ROOT, max_score, report_of

pytestmark = pytest.mark.kernel


def statuses(report: dict) -> dict:
    return {q["id"]: q["status"] for q in report["questions"]}


def test_solution_scores_full_marks(graded_class):
    report = report_of(graded_class[0], "teacher")
    assert report["score"] == report["max_score"] == max_score()
    assert set(statuses(report).values()) == {"passed"}


def test_untouched_stub_scores_zero_as_missing_never_grader_error(graded_class):
    report = report_of(graded_class[0], "untouched")
    assert report["score"] == 0
    assert set(statuses(report).values()) <= {"missing", "error"}
    assert all("not answered yet" in q["message"] for q in report["questions"])


def test_relabelled_but_right_clustering_passes(graded_class):
    report = report_of(graded_class[0], "dan")
    assert report["score"] == report["max_score"]


def test_partly_wrong_submission_fails_exactly_what_it_broke(graded_class):
    s = statuses(report_of(graded_class[0], "bob"))
    assert s["q1_fit"] == "failed" and s["q4_iterations"] == "failed"
    assert s["q3_scratch"] == "passed"


def test_known_trap_gets_its_explanation(graded_class):
    q2 = next(q for q in report_of(graded_class[0], "bob")["questions"] if q["id"] == "q2_inertia")
    assert q2["status"] == "failed"
    assert "local optimum" in q2["message"] and "`inertia`" in q2["message"]


def test_a_raising_cell_costs_only_its_question(graded_class):
    report = report_of(graded_class[0], "carol")
    s = statuses(report)
    assert s.pop("q3_scratch") == "error"
    assert set(s.values()) == {"passed"}
    q3 = next(q for q in report["questions"] if q["id"] == "q3_scratch")
    assert "AxisError" in q3["message"]
    # the typo in a set-up cell (cell 3) is reported, not hidden
    assert any(e["index"] == 2 and e["ename"] == "KeyError" for e in report["cell_errors"])


def test_an_undefined_answer_is_missing_and_its_knock_on_is_an_error(graded_class):
    report = report_of(graded_class[0], "eve")
    questions = {q["id"]: q for q in report["questions"]}
    assert questions["q2_inertia"]["status"] == "missing"
    assert questions["q2_inertia"]["message"] == (
        "`inertia` is not defined: did you run the cell that computes it?")
    # question 5 uses `inertia`, so its cell raised NameError: an error, shown with the cell
    assert questions["q5_init"]["status"] == "error"
    assert "NameError" in questions["q5_init"]["message"]
    assert questions["q5_init"]["cell_error"]["ename"] == "NameError"
    assert questions["q1_fit"]["status"] == "passed"


def test_broken_file_is_recorded_and_the_batch_goes_on(graded_class):
    out, _ = graded_class
    report = report_of(out, "broken")
    assert report["score"] == 0
    assert "JSON is broken" in report["questions"][0]["message"]
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = dict(db.execute("SELECT student, status FROM submissions"))
    assert rows["broken"] == "unreadable"
    students = ("alice", "bob", "carol", "dan", "eve", "teacher", "modular")
    assert {rows[s] for s in students} == {"graded"}
    n_questions = len(report["questions"])
    assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == len(rows) * n_questions


def test_module_submission_goes_through_the_same_path(graded_class):
    report = report_of(graded_class[0], "modular")
    assert report["score"] == report["max_score"]


def test_grades_csv_has_a_column_per_question(graded_class):
    out = graded_class[0]
    with open(out / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    question_ids = [q["id"] for q in report_of(out, "alice")["questions"]]
    assert list(rows[0]) == ["student", *question_ids, "total", "max_score", "status"]
    alice = next(r for r in rows if r["student"] == "alice")
    assert float(alice["total"]) == sum(float(alice[q]) for q in question_ids)
    assert (out / "alice" / "report.html").is_file()


def test_json_report_shape(graded_class):
    report = report_of(graded_class[0], "bob")
    assert {"exercise", "submission", "score", "max_score", "questions", "environment", "seed",
            "duration_s"} <= set(report)
    assert set(report["environment"]) >= {"python", "numpy", "scikit-learn", "grader"}
    for q in report["questions"]:
        assert {"id", "score", "max_score", "status", "message"} <= set(q)
        assert q["status"] in {"passed", "failed", "missing", "error", "timeout", "grader-error"}


def test_dan_really_numbers_clusters_differently():
    """Guards the relabelling test above: dan's labels differ from the solution's, same
    partition."""
    from grader.kernel.execute import run_notebook

    def labels(path):
        run = run_notebook(nbformat.read(path, as_version=4), ["y_pred"], [])
        return run.answers.values["y_pred"]

    ours = labels(ROOT / "solutions" / f"{EXERCISE}.ipynb")
    dans = labels(ROOT / "examples" / EXERCISE / "dan.ipynb")
    assert not np.array_equal(ours, dans)
    pairs = set(zip(ours.tolist(), dans.tolist()))
    assert len(pairs) == len(set(ours.tolist())) == 5
