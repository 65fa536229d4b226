"""The same submission gets the same grades with --jobs 1 or 2, on repeated runs, and whatever
BLAS thread settings the instructor's shell has: the kernel's threads are pinned (reference and
submission alike) and so are the grader's own."""

from __future__ import annotations

import pytest
from batch_runs import (
    DEMO,
    THREAD_VARS,
    comparable,
    environment,
    grade_command,
    rows,
    run,
    uninterrupted,
)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return uninterrupted(tmp_path_factory)   # --jobs 2, no thread variable set


@pytest.mark.kernel
def test_one_job_and_two_blas_threads_in_the_shell_grade_alike(baseline, tmp_path):
    # bob fails four questions and carol's code raises: their messages carry the numbers
    # that would move first.
    students = ("bob", "carol")
    out = tmp_path / "out"
    proc = run(grade_command(out, *(DEMO / f"{s}.ipynb" for s in students), jobs=1),
               environment(2))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert comparable(out) == comparable(baseline[1], students)


@pytest.mark.kernel
def test_the_same_file_twice_in_one_batch_gets_the_same_grades(baseline):
    graded = comparable(baseline[1])["submissions"]
    alice, again = graded["alice"], graded["alice_again"]
    assert alice["sha256"] == again["sha256"]
    for key in ("score", "status", "message"):
        assert alice[key] == again[key]
    same = {k: v for k, v in alice["report"].items() if k != "submission"}
    assert same == {k: v for k, v in again["report"].items() if k != "submission"}
    assert rows(baseline[1])["bob"]["score"] < alice["score"]   # the comparison can fail


def test_the_kernel_runs_one_blas_thread_whatever_the_shell_says(monkeypatch, tmp_path):
    from grader.kernel.kernels import kernel_env

    for var in THREAD_VARS:
        monkeypatch.setenv(var, "2")
    env = kernel_env(tmp_path)
    assert {env[var] for var in THREAD_VARS} == {"1"}
