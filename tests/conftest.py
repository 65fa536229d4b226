"""Shared fixtures: the course of this checkout, a private reference cache, and one class graded
through the real command line (real kernels, real notebooks) that many tests read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "kmeans_basics"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/goldens/* from the current output")


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    os.environ["GRADER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield


def run_cli(*args, cwd=ROOT, check_exit=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    if check_exit is not None:
        assert proc.returncode == check_exit, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="session")
def cli():
    return run_cli


def solution_as_module() -> str:
    """The solution written as a .py module with `# %%` cells, solution markers removed."""
    nb = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    cells = ["\n".join(line for line in c.source.splitlines() if "SOLUTION" not in line)
             for c in nb.cells if c.cell_type == "code"]
    return "\n\n".join(f"# %%\n{c}" for c in cells) + "\n"


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """A class of eight graded with `grader grade --jobs 2`; returns (out_dir, cli result)."""
    subs = tmp_path_factory.mktemp("class")
    for example in (ROOT / "examples" / EXERCISE).glob("*.ipynb"):
        shutil.copy(example, subs / example.name)
    shutil.copy(ROOT / "solutions" / f"{EXERCISE}.ipynb", subs / "teacher.ipynb")
    (subs / "untouched").mkdir()
    shutil.copy(ROOT / "exercises" / f"{EXERCISE}.ipynb", subs / "untouched" / f"{EXERCISE}.ipynb")
    text = (ROOT / "examples" / EXERCISE / "alice.ipynb").read_text()
    (subs / "broken.ipynb").write_text(text[: len(text) // 2])
    (subs / "modular.py").write_text(solution_as_module())
    nbformat.write(forgot_inertia(), subs / "eve.ipynb")
    out = tmp_path_factory.mktemp("graded")
    proc = run_cli("grade", subs, "--exercise", EXERCISE, "--out", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc


def forgot_inertia() -> nbformat.NotebookNode:
    """The solution with question 2's `inertia = ...` line deleted."""
    nb = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("grader", {}).get("question") == "q2_inertia":
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                    if not line.startswith("inertia ="))
    return nb


def report_of(out: Path, student: str) -> dict:
    return json.loads((out / student / "report.json").read_text())


def max_score() -> float:
    listing = json.loads(run_cli("list", "--json", check_exit=0).stdout)
    return next(e["max_score"] for e in listing if e["id"] == EXERCISE)
