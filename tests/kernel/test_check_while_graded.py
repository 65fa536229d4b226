"""`from grader import check` in a student's notebook works in the sandbox, does nothing there,
and shows no more of the course than the grader package itself (installed editable, the package
lives in the course's checkout, beside the solutions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import EXERCISE, ROOT

import grader
from grader.core.records import Limits
from grader.kernel.execute import run_notebook

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]

PACKAGE = Path(grader.__file__).resolve().parent
USES_CHECK = f'''
from grader import check
result = check("q1_fit")
beside_package = sorted(__import__("os").listdir({str(PACKAGE.parent)!r}))
'''


def test_a_notebook_that_calls_check_is_graded_in_full_and_sees_only_the_package(tmp_path):
    nb = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    first = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("grader", {}).get("question") == "q1_fit")
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(USES_CHECK))
    nbformat.write(nb, tmp_path / "student.ipynb")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(tmp_path / "student.ipynb"),
                           "--exercise", EXERCISE, "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / "student" / "report.json").read_text())
    assert report["cell_errors"] == [], report["cell_errors"]
    assert report["score"] == report["max_score"]
    # The same cell, run in the sandbox: beside the package it sees nothing of the course (the
    # venv, when it lives in the checkout, is bound too).
    run = run_notebook(nbformat.read(tmp_path / "student.ipynb", as_version=4),
                       ["beside_package"], [], {}, Limits(isolate=True))
    seen = set(run.answers.values["beside_package"])
    assert PACKAGE.name in seen and "solutions" not in seen
    assert seen <= {PACKAGE.name, Path(sys.prefix).name}, seen

def test_check_is_a_no_op_that_says_why_while_the_grader_runs_the_notebook(monkeypatch, capsys):
    from grader.core.environment import GRADING_ENV
    monkeypatch.setenv(GRADING_ENV, "1")
    report = grader.check("q1_fit", namespace={})
    assert report.status == "skipped"
    assert "does nothing while the grader runs this notebook" in capsys.readouterr().out
