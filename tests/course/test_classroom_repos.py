"""GitHub Classroom: each student owns a clone of the bundle and can edit its specs, references
and workflow. The instructor grades the collected repositories against the course itself, and
sees who changed which release file, in the report and on the dashboard."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import EXERCISE, ROOT, run_cli

pytestmark = pytest.mark.kernel
ALICE = ROOT / "examples" / EXERCISE / "alice.ipynb"
BOB = ROOT / "examples" / EXERCISE / "bob.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    top = tmp_path_factory.mktemp("classroom")
    bundle = top / "bundle"
    run_cli("release", bundle, "--exercise", EXERCISE, "--install", "grader==0.1.0",
            check_exit=0)
    repos = top / "repos"
    for student, notebook in (("alice", ALICE), ("mallory", BOB)):
        shutil.copytree(bundle, repos / student)
        shutil.copy(notebook, repos / student / "exercises" / f"{EXERCISE}.ipynb")
    mallory = repos / "mallory"
    # What a student who owns the repository can do to pass in its own CI:
    spec = mallory / "solutions" / f"{EXERCISE}.toml"
    spec.write_text(spec.read_text().replace("[[questions]]", "# all tolerances loosened\n"
                                             "[[questions]]", 1))
    (mallory / ".github" / "workflows" / "always-green.yml").write_text("on: push\n")
    (mallory / "requirements.txt").unlink()
    out = top / "out"
    proc = run_cli("grade", repos, "--exercise", EXERCISE, "--out", out, "--released", bundle,
                   check_exit=0)
    return out, proc


def report(out, student) -> dict:
    return json.loads((out / student / "report.json").read_text())


def test_each_changed_release_file_is_named_in_the_students_report(graded):
    out, _ = graded
    assert report(out, "mallory")["release_changes"] == [
        f"changed solutions/{EXERCISE}.toml", "removed requirements.txt",
        "added .github/workflows/always-green.yml"]
    assert any("changed 3 file(s) of the course release" in n
               for n in report(out, "mallory")["notices"])
    assert report(out, "alice")["release_changes"] == []


def test_the_grade_comes_from_the_course_whatever_the_repository_says(graded):
    out, _ = graded
    # The notebooks found in exercises/, graded as the examples are graded anywhere else.
    alice, mallory = report(out, "alice"), report(out, "mallory")
    assert alice["score"] == alice["max_score"] == 13
    assert mallory["score"] < 13 and mallory["submission"].endswith(f"exercises/{EXERCISE}.ipynb")


def test_the_dashboard_lists_who_changed_what(graded):
    out, _ = graded
    html = (out / "index.html").read_text()
    assert "Repositories that changed course files" in html
    section = html.split("Repositories that changed course files", 1)[1].split("<h2>", 1)[0]
    assert "mallory" in section and f"changed solutions/{EXERCISE}.toml" in section
    assert "alice" not in section
