"""A batch computes the reference while its first submissions run: once, whoever asks first,
and a broken solution still stops the batch before a single row is recorded."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

import pytest
from helpers import EXERCISE, ROOT, missing_on_this_machine, run_cli

from grader import BatchSettings, grade_class
from grader.grading import reference

pytestmark = pytest.mark.kernel
DEMO = ROOT / "examples" / EXERCISE


def test_the_reference_is_computed_once_while_two_workers_wait_for_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    calls, original = [], reference._compute

    def slow_compute(*args):
        calls.append(threading.current_thread().name)
        time.sleep(1.0)   # long enough for both workers to ask for it meanwhile
        return original(*args)

    monkeypatch.setattr(reference, "_compute", slow_compute)
    settings = BatchSettings(jobs=2, allow_unisolated=bool(missing_on_this_machine("sandbox")))
    two = [DEMO / "alice.ipynb", DEMO / "bob.ipynb"]
    meanwhile = grade_class(two, EXERCISE, tmp_path / "out", settings)
    assert len(calls) == 1, calls
    cached = grade_class(two, EXERCISE, tmp_path / "again", settings)   # from the cache
    assert len(calls) == 1, calls
    assert outcomes(meanwhile) == outcomes(cached)
    assert len(outcomes(cached)) == 2 and outcomes(cached)["alice"][0] == 13


def outcomes(result) -> dict:
    return {student: (report.score, [(q.id, q.status) for q in report.questions])
            for student, report in result.reports.items()}


def test_a_broken_solution_stops_the_batch_before_any_row(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions")
    solution = course / "solutions" / f"{EXERCISE}.ipynb"
    solution.write_text(solution.read_text().replace(
        '"from sklearn.cluster import KMeans', '"raise RuntimeError(\\"broken\\")\\n",\n    '
        '"from sklearn.cluster import KMeans', 1))
    out = tmp_path / "out"
    proc = run_cli("grade", DEMO / "alice.ipynb", DEMO / "bob.ipynb", "--exercise", EXERCISE,
                   "--out", out, "--course", course, "--jobs", "1")
    assert proc.returncode != 0
    assert f"the solution of '{EXERCISE}' failed in cell" in proc.stderr
    assert "RuntimeError: broken" in proc.stderr and "Traceback" not in proc.stderr
    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("SELECT count(*) FROM submissions").fetchone() == (0,)
    assert not (out / "grades.csv").exists()
