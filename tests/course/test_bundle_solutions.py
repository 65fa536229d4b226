"""In a student bundle, every public question of a solution passes: the bundle releases only
the reference values checks compare with, and a check that reads none (`in_range`,
`monotonic`, `one_of`) must not miss them (three public questions did: kmeans_scaling q2,
image_segmentation q2_range, mnist_homework q4_choose_k)."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import ROOT, run_cli

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]
EXERCISES = ("kmeans_scaling", "image_segmentation", "mnist_homework")


def test_the_solutions_pass_every_public_question_in_a_bundle(tmp_path):
    bundle = tmp_path / "student-repo"
    run_cli("release", bundle, *[a for e in EXERCISES for a in ("--exercise", e)],
            "--install", "grader @ git+https://example.org/grader@v0.1.0", check_exit=0)
    for exercise in EXERCISES:
        work = tmp_path / f"{exercise}.ipynb"
        shutil.copy(ROOT / "solutions" / f"{exercise}.ipynb", work)
        report = tmp_path / f"{exercise}.json"
        run_cli("check", work, "--json", report, cwd=bundle, check_exit=0)
        statuses = {q["id"]: q["status"] for q in json.loads(report.read_text())["questions"]}
        assert set(statuses.values()) == {"passed"}, (exercise, statuses)
