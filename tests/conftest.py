"""Shared fixtures: the course of this checkout, a private reference cache, and one class graded
through the real command line (real kernels, real notebooks) that many tests read."""

from __future__ import annotations

import os
import shutil

import nbformat
import pytest
from helpers import EXERCISE, ROOT, forgot_inertia, run_cli, solution_as_module


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/goldens/* from the current output")


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    os.environ["GRADER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield


@pytest.fixture(scope="session")
def cli():
    return run_cli


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
