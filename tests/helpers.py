"""Helpers shared by the tests (imported as `from helpers import ...`; tests/ is on the path,
see pyproject.toml): where things are, the command line as a subprocess, and a few notebooks
and reports the tests build or read. Fixtures live in conftest.py."""

from __future__ import annotations

import json
import shutil
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


@cache
def missing_on_this_machine(need: str) -> str | None:
    """Why a test that needs the sandbox or Chromium cannot run here, with what to install; None
    when it can."""
    if need == "sandbox":
        from grader.kernel.sandbox import bubblewrap, isolation_problem

        return None if bubblewrap() else f"needs the sandbox: {isolation_problem()}"
    if need == "chromium":
        if chromium() is None:
            return ("needs a headless Chromium: Debian's `chromium` (apt install chromium) "
                    "and Playwright (pip install -e '.[test]')")
        return None
    raise ValueError(need)


@cache
def chromium() -> str | None:
    """Debian's chromium, if it runs, and Playwright is importable."""
    path = shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401

        ok = path is not None and subprocess.run([path, "--version"], capture_output=True,
                                                  timeout=60).returncode == 0
    except (ImportError, OSError, subprocess.TimeoutExpired):
        ok = False
    return path if ok else None


def run_cli(*args, cwd=ROOT, check_exit=None) -> subprocess.CompletedProcess:
    """`python -m grader ARGS`. Where the sandbox cannot run, `grade` (a batch, which refuses to
    grade unisolated) gets --allow-unisolated: the tests grade our own examples, which are safe
    to run unisolated; the tests of hostile notebooks are marked `sandbox` and skipped there."""
    proc = subprocess.run([sys.executable, "-m", "grader", *where_it_can_run(args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    if check_exit is not None:
        assert proc.returncode == check_exit, proc.stdout + proc.stderr
    return proc


def where_it_can_run(args) -> list[str]:
    """`grader` ARGS, plus --allow-unisolated for `grade` where the sandbox cannot run."""
    args = [str(a) for a in args]
    if args[:1] == ["grade"] and "--allow-unisolated" not in args and \
            missing_on_this_machine("sandbox"):
        args.insert(1, "--allow-unisolated")   # first: callers slice and extend the tail
    return args


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


def spec_from_text(folder: Path, text: str):
    """An exercise loaded from a spec written in `folder` (its notebooks need not exist)."""
    from grader.core.spec import load_spec

    path = folder / "ex.toml"
    path.write_text(text)
    return load_spec(path, folder, folder)
