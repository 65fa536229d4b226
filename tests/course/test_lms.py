"""LMS exports (grades.csv, Canvas, Moodle) and manual overrides, from a graded class."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from helpers import run_cli

from grader.core.overrides import load_overrides
from grader.course.export import export_graded
from grader.errors import UsageError

OVERRIDES = ("student,question,points,reason\n"
             "bob,q3_scratch,1.5,\"half right, checked by hand\"\n"
             "eve,q2_inertia,2,regraded: the inertia was printed\n")


@pytest.fixture
def graded(graded_class, tmp_path):
    """A copy of the graded class: exports rewrite report files."""
    out = tmp_path / "graded"
    shutil.copytree(graded_class[0], out)
    (tmp_path / "overrides.csv").write_text(OVERRIDES)
    return out


def _rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.kernel
def test_overrides_change_grades_csv_and_show_in_the_reports(graded, tmp_path):
    before = {r["student"]: r for r in _rows(graded / "grades.csv")}
    proc = run_cli("export", graded, "--overrides", tmp_path / "overrides.csv", check_exit=0)
    after = {r["student"]: r for r in _rows(graded / "grades.csv")}
    assert "bob, eve" in proc.stdout
    assert after["bob"]["q3_scratch"] == "1.5" and after["eve"]["q2_inertia"] == "2"
    for student, question in (("bob", "q3_scratch"), ("eve", "q2_inertia")):
        gain = float(after[student][question]) - float(before[student][question])
        expected = float(before[student]["total"]) + gain
        assert float(after[student]["total"]) == pytest.approx(expected)
    assert {s: r for s, r in after.items() if s not in ("bob", "eve")} == \
        {s: r for s, r in before.items() if s not in ("bob", "eve")}
    report = json.loads((graded / "bob" / "report.json").read_text())
    assert "Instructor override: q3_scratch set to 1.5/3 (half right, checked by hand)" \
        in report["notices"]
    assert "Instructor override: q3_scratch" in (graded / "bob" / "report.html").read_text()
    assert report["score"] == float(after["bob"]["total"])
    # Kept beside the gradebook: a later export applies it; emptying it takes it back.
    export_graded(graded)  # the API `grader export` calls
    assert _rows(graded / "grades.csv") == list(after.values())
    (graded / "overrides.csv").write_text("student,question,points,reason\n")
    export_graded(graded)
    assert _rows(graded / "grades.csv") == list(before.values())
    assert "Instructor override" not in (graded / "bob" / "report.html").read_text()


@pytest.mark.kernel
def test_canvas_export_keeps_the_roster_identity_and_points_possible(graded, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (77)\n"
                      "    Points Possible,,,,,10\n"
                      "\"Doe, Alice\",11,S11,alice,A,9\n\"Roe, Bob\",12,S12,bob,A,8\n"
                      "\"Nobody, Zoe\",13,S13,zoe,B,7\n")
    done = export_graded(graded, "canvas", roster=roster, column="K-Means basics",
                         overrides=tmp_path / "overrides.csv")
    rows = _rows(graded / "canvas.csv")
    grades = {r["student"]: r for r in _rows(graded / "grades.csv")}
    assert list(rows[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                             "K-Means basics"]
    assert rows[0]["Student"] == "Points Possible" and rows[0]["K-Means basics"] == "13"
    by_login = {r["SIS Login ID"]: r for r in rows[1:]}
    assert by_login["alice"]["ID"] == "11" and by_login["alice"]["K-Means basics"] == "13"
    bob = float(grades["bob"]["total"]) - float(grades["bob"]["q3_scratch"]) + 1.5
    assert float(by_login["bob"]["K-Means basics"]) == pytest.approx(bob)  # the override
    assert by_login["zoe"]["K-Means basics"] == ""  # no submission: left as it is in Canvas
    assert "eve" in done.unmatched and "alice" not in done.unmatched


@pytest.mark.kernel
def test_moodle_export_has_identity_grade_and_feedback_columns(graded, tmp_path):
    export_graded(graded, "moodle", overrides=tmp_path / "overrides.csv")
    rows = _rows(graded / "moodle.csv")
    assert list(rows[0]) == ["Username", "kmeans_basics", "kmeans_basics feedback"]
    bob = next(r for r in rows if r["Username"] == "bob")
    assert "Instructor override: q3_scratch set to 1.5/3" in bob["kmeans_basics feedback"]


@pytest.mark.parametrize("text, problem", [
    ("student,question,points\nbob,q1_fit,1\n", "expected the columns"),
    ("student,question,points,reason\nbob,q1_fit,lots,x\n", "line 2: points must be a number"),
    ("student,question,points,reason\nbob,q1_fit,1,\n", "line 2: student, question and reason"),
    ("student,question,points,reason\nbob,q1,1,a\nbob,q1,2,b\n", "two overrides for bob's q1"),
])
def test_bad_override_files_say_which_line(tmp_path, text, problem):
    path = tmp_path / "o.csv"
    path.write_text(text)
    with pytest.raises(UsageError, match=problem):
        load_overrides(path)


@pytest.mark.kernel
def test_override_naming_an_unknown_question_or_student_is_refused(graded, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("student,question,points,reason\nbob,q9,1,typo\n")
    assert "no question 'q9'" in run_cli("export", graded, "--overrides", path, check_exit=2).stderr
    for line, problem in (("bobby,q1_fit,1,typo", "no graded submission for bobby"),
                          ("bob,q1_fit,4,too many", "outside 0..3")):
        path.write_text(f"student,question,points,reason\n{line}\n")
        with pytest.raises(UsageError, match=problem):
            export_graded(graded, overrides=path)
    assert not (graded / "overrides.csv").exists()  # a refused file is not kept
