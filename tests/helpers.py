"""Helpers shared by the tests (imported as `from helpers import ...`; tests/ is on the path,
see pyproject.toml): where things are, the command line as a subprocess, and a few notebooks
and reports the tests build or read. Fixtures live in conftest.py."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import nbformat

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXERCISE = "kmeans_basics"
GOLDENS = TESTS / "goldens"
SCHEMAS = TESTS / "schemas"
ADVERSARIAL = TESTS / "adversarial"
VARIANTS = TESTS / "variants"


def run_cli(*args, cwd=ROOT, check_exit=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    if check_exit is not None:
        assert proc.returncode == check_exit, proc.stdout + proc.stderr
    return proc


def solution_as_module() -> str:
    """The solution written as a .py module with `# %%` cells, solution markers removed."""
    nb = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    cells = ["\n".join(line for line in c.source.splitlines() if "SOLUTION" not in line)
             for c in nb.cells if c.cell_type == "code"]
    return "\n\n".join(f"# %%\n{c}" for c in cells) + "\n"


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


@cache
def junit_schema():
    """Jenkins' junit-10.xsd (tests/schemas/), which JUnit XML must follow."""
    import xmlschema

    return xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd")
