"""Helpers shared by the batch tests (resume, determinism, Dask, progress): one uninterrupted
`grader grade` run of a six-student class, graded once per session, that the others compare
against; and the README's definition of "identical gradebooks", written out independently of
the grader's own code.

The class: the four demo notebooks (graded from examples/kmeans_basics, so every run that names
them stores the same paths) plus a folder with `alice_again` (a byte copy of alice: the same
submission graded twice) and `eve` (the solution without its `inertia` line).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from helpers import EXERCISE, ROOT, forgot_inertia, where_it_can_run

DEMO = Path("examples") / EXERCISE          # relative to ROOT, where every command runs
DEMO_STUDENTS = ("alice", "bob", "carol", "dan")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
TIMING_COLUMNS = {"duration_s", "graded_at"}
STUDENT_LINE = re.compile(r"^  (\S+) +[0-9.]+/[0-9.]+  [a-z -]+$", re.MULTILINE)
_RUNS: dict = {}


def grade_command(out: Path, *submissions, jobs: int | None = 2, options=()) -> list[str]:
    jobs_option = ["--jobs", str(jobs)] if jobs else []
    return [sys.executable, "-m", "grader",
            *where_it_can_run(["grade", *submissions, "--exercise", EXERCISE, "--out", out,
                               *jobs_option, *options])]


def environment(blas_threads: int | None, **extra) -> dict:
    """The grader's own environment, with the BLAS thread variables set to `blas_threads` or
    removed (as in an instructor's shell that never set them)."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    if blas_threads is not None:
        env.update({var: str(blas_threads) for var in THREAD_VARS})
    return {**env, **extra}


def run(command: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def uninterrupted(tmp_path_factory) -> tuple[list, Path, subprocess.CompletedProcess]:
    """(submissions, out, process) of the class graded in one go: --jobs 2, no BLAS thread
    variable in the environment. Graded once per session."""
    if "run" not in _RUNS:
        extra = tmp_path_factory.mktemp("extra-submissions")
        shutil.copy(ROOT / DEMO / "alice.ipynb", extra / "alice_again.ipynb")
        nbformat.write(forgot_inertia(), extra / "eve.ipynb")
        submissions = [DEMO, extra]
        out = tmp_path_factory.mktemp("uninterrupted")
        proc = run(grade_command(out, *submissions), environment(None))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        _RUNS["run"] = (submissions, out, proc)
    return _RUNS["run"]


def read_only(out: Path) -> sqlite3.Connection:
    """A read-only look at a gradebook another process may be writing."""
    return sqlite3.connect(f"file:{out / 'gradebook.sqlite'}?mode=ro", uri=True, timeout=10)


def rows(out: Path) -> dict[str, dict]:
    """student -> the submissions row, every column (timing ones included)."""
    if not (out / "gradebook.sqlite").exists():
        return {}
    db = read_only(out)
    try:
        cursor = db.execute("SELECT * FROM submissions")
        names = [c[0] for c in cursor.description]
        return {r["student"]: r for r in (dict(zip(names, row)) for row in cursor)}
    except sqlite3.OperationalError:   # the tables are not created yet
        return {}
    finally:
        db.close()


def comparable(out: Path, students=None) -> dict:
    """The gradebook as two runs of the same batch must agree on it: every column of both
    tables except duration_s and graded_at, and the stored report minus its duration_s."""
    subs = {}
    for student, row in rows(out).items():
        if students is None or student in students:
            report = json.loads(row["report_json"])
            report.pop("duration_s")
            subs[student] = {**{k: v for k, v in row.items()
                                if k not in TIMING_COLUMNS | {"report_json"}}, "report": report}
    db = read_only(out)
    questions = sorted(q for q in db.execute("SELECT * FROM questions")
                       if students is None or q[1] in students)
    db.close()
    return {"submissions": subs, "questions": questions}


def graded_lines(stdout: str) -> list[str]:
    """The students named by the per-submission lines (`  alice   13/13  passed ...`)."""
    return STUDENT_LINE.findall(stdout)


def start(command, env) -> subprocess.Popen:
    # Its own process group: the kill reaches the grader and nothing else of the test's.
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def kill_when(proc: subprocess.Popen, ready, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, "the batch ended before the moment it was to be killed at"
        assert time.monotonic() < deadline, "the batch never reached the moment to kill it at"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
