"""Students copying the book's `random_state=42` lose points when the instructor grades with
another seed: the message names the cause, in the cell that has it."""

from __future__ import annotations

import json

import nbformat
import pytest
from helpers import EXERCISE, ROOT, run_cli

pytestmark = pytest.mark.kernel


def test_a_hard_coded_seed_is_named_when_grading_with_another(tmp_path):
    nb = nbformat.read(ROOT / "examples" / EXERCISE / "alice.ipynb", as_version=4)
    q5 = next(c for c in nb.cells if c.metadata.get("grader", {}).get("question") == "q5_init")
    assert "random_state=model_seed" in q5.source
    q5.source = q5.source.replace("random_state=model_seed", "random_state=42")
    path = tmp_path / "book_style.ipynb"
    nbformat.write(nb, path)

    same = run_cli("check", path, "--json", tmp_path / "same.json")   # public seed: 42 too
    assert same.returncode == 0, same.stdout + same.stderr

    other = run_cli("check", path, "-p", "model_seed=7", "--json", tmp_path / "other.json")
    assert other.returncode == 1, other.stdout + other.stderr   # a question failed
    report = json.loads((tmp_path / "other.json").read_text())
    q = {r["id"]: r for r in report["questions"]}["q5_init"]
    assert q["status"] == "failed"
    assert "hard-codes `random_state=42`: use `random_state=model_seed`" in q["message"]
    others = [r for r in report["questions"] if r["id"] != "q5_init"]
    assert not any("hard-codes" in r["message"] for r in others)
