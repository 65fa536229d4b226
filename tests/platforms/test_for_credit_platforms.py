"""For-credit platform runs (Gradescope, PrairieLearn) never grade unisolated by surprise: where
bubblewrap cannot run they refuse, in the results the student sees, unless the instructor opted
in (`--allow-unisolated`, written into the Gradescope zip), and then every report says so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from helpers import EXERCISE, ROOT

pytestmark = pytest.mark.kernel

ALICE = ROOT / "examples" / EXERCISE / "alice.ipynb"


@pytest.fixture
def no_bubblewrap(tmp_path):
    """An environment in which `bwrap` exists but cannot create namespaces."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    return {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}


def platform_run(env, tmp_path, platform: str, *extra: str) -> tuple[dict, str]:
    folder = {"gradescope": "submission", "prairielearn": "student"}[platform]
    (tmp_path / folder).mkdir()
    shutil.copy(ALICE, tmp_path / folder)
    proc = subprocess.run([sys.executable, "-m", "grader", platform, "run", "--exercise",
                           EXERCISE, "--root", str(tmp_path), *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((tmp_path / "results" / "results.json").read_text()), proc.stderr


@pytest.mark.parametrize("platform", ["gradescope", "prairielearn"])
def test_without_the_sandbox_a_for_credit_run_refuses_and_says_why(no_bubblewrap, tmp_path,
                                                                     platform):
    data, _ = platform_run(no_bubblewrap, tmp_path, platform)
    said = json.dumps(data)
    assert data["score"] == 0
    assert "cannot isolate student code" in said and "not your mistake" in said


@pytest.mark.parametrize("platform", ["gradescope", "prairielearn"])
def test_with_the_instructors_opt_in_it_grades_unisolated_and_says_so(no_bubblewrap, tmp_path,
                                                                      platform):
    data, _ = platform_run(no_bubblewrap, tmp_path, platform, "--allow-unisolated")
    assert data["score"] == {"gradescope": 13, "prairielearn": 1.0}[platform]  # PL: a fraction
    said = json.dumps(data)
    assert "Graded without the sandbox" in said and "instructors grade in a sandbox" not in said


def test_the_opt_in_is_written_into_the_autograder_zip(tmp_path):
    for flag, wanted in (([], False), (["--allow-unisolated"], True)):
        out = tmp_path / f"zip{len(flag)}.zip"
        subprocess.run([sys.executable, "-m", "grader", "gradescope", "build", "--exercise",
                        EXERCISE, str(out), "--install", "grader==0.1.0", *flag], cwd=ROOT,
                       check=True, capture_output=True, timeout=600)
        with zipfile.ZipFile(out) as zf:
            script = zf.read("run_autograder").decode()
        assert ("--allow-unisolated" in script) is wanted


def test_without_the_sandbox_a_self_check_runs_and_says_so_but_a_class_is_refused(
        no_bubblewrap, tmp_path):
    def grader(*args):
        return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT,
                              env=no_bubblewrap, capture_output=True, text=True, timeout=600)

    check = grader("check", ALICE)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Ran unisolated (bubblewrap" in check.stdout and "Score: 13/13" in check.stdout
    batch = grader("grade", ALICE, "--exercise", EXERCISE, "--out", tmp_path / "out")
    assert batch.returncode != 0 and not (tmp_path / "out" / "grades.csv").exists()
    assert "refusing to grade a class unisolated" in batch.stderr
    assert "apt install bubblewrap" in batch.stderr and "--allow-unisolated" in batch.stderr
