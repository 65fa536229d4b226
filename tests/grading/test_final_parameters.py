"""Final grading runs with parameters students never saw ([grading] in the spec): a notebook
that pastes the public reference values shipped in its bundle passes its self-check there and
fails when the instructor grades. The bundle never holds the [grading] table."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from helpers import EXERCISE, ROOT, where_it_can_run

from grader.core.answers import load_answers

pytestmark = pytest.mark.kernel
FINAL = "\n[grading.parameters]\ndata_seed = 11\n"


def grader(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *where_it_can_run(args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for folder in ("solutions", "exercises"):
        (root / folder).mkdir()
        for path in (ROOT / folder).glob(f"{EXERCISE}.*"):
            shutil.copy(path, root / folder / path.name)
    spec = root / "solutions" / f"{EXERCISE}.toml"
    spec.write_text(spec.read_text() + FINAL)
    bundle = tmp_path_factory.mktemp("bundle") / "b"
    proc = grader("release", bundle, "--course", root, "--exercise", EXERCISE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root, bundle


def paster(bundle) -> nbformat.NotebookNode:
    """The stub with every released reference value pasted in as a literal."""
    released = load_answers(bundle / "references" / EXERCISE).values
    lines = ["import numpy as np"]
    for name, value in sorted(released.items()):
        if "." in name:
            continue
        literal = (f"np.array({value.tolist()!r})" if isinstance(value, np.ndarray)
                   else repr(value))
        lines.append(f"{name} = {literal}")
    nb = nbformat.read(bundle / "exercises" / f"{EXERCISE}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    return nb


def statuses(report_path) -> dict[str, str]:
    return {q["id"]: q["status"] for q in json.loads(report_path.read_text())["questions"]}


def test_the_bundle_never_holds_the_final_parameters(course):
    _, bundle = course
    released = (bundle / "solutions" / f"{EXERCISE}.toml").read_text()
    assert "grading" not in released and "data_seed = 11" not in released


def test_pasted_public_values_pass_the_self_check_and_fail_final_grading(course, tmp_path):
    root, bundle = course
    nbformat.write(paster(bundle), tmp_path / "paster.ipynb")
    check = grader("check", tmp_path / "paster.ipynb", "--json", tmp_path / "self.json",
                   cwd=bundle)
    assert check.returncode in (0, 1), check.stdout + check.stderr
    self_check = statuses(tmp_path / "self.json")
    fooled = [q for q, s in self_check.items() if s == "passed"]
    assert fooled, f"pasting fooled no self-check question: {self_check}"
    out = tmp_path / "out"
    final = grader("grade", tmp_path / "paster.ipynb", "--exercise", EXERCISE, "--out", out,
                   "--course", root)
    assert final.returncode == 0, final.stdout + final.stderr
    graded = statuses(out / "paster" / "report.json")
    assert not [q for q in fooled if graded[q] == "passed"], graded
    report = json.loads((out / "paster" / "report.json").read_text())
    assert report["parameters"]["data_seed"] == 11   # the report says what it was graded with
