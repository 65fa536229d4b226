"""Every exercise grades fairly: wrong variants fail exactly what they break, correct variants
written differently from the solution pass (see tests/variants/README.md)."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, VARIANTS, run_cli

pytestmark = pytest.mark.kernel


def variant_files() -> list[Path]:
    return sorted(VARIANTS.glob("*.toml"))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def build(solution: nbformat.NotebookNode, variant: dict) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(solution)
    for cell in nb.cells:
        cell.source = "\n".join(line for line in cell.source.splitlines()
                                 if "### BEGIN SOLUTION" not in line
                                 and "### END SOLUTION" not in line)
    def asked(cell) -> bool:
        return ("question" not in variant
                or cell.metadata.get("grader", {}).get("question") == variant["question"])

    cells = [c for c in nb.cells if c.cell_type == "code" and asked(c)]
    assert cells, f"{variant['name']}: no cell tagged {variant.get('question')!r}"
    if "source" in variant:
        cells[0].source = variant["source"]
    for old, new in variant.get("replace", []):
        hits = [c for c in cells if old in c.source]
        assert hits, f"{variant['name']}: {old!r} does not occur in the solution"
        for cell in hits:
            cell.source = cell.source.replace(old, new)
    return nb


def graded(exercise: str, tmp: Path) -> tuple[dict, dict]:
    spec = tomllib.loads((VARIANTS / f"{exercise}.toml").read_text())
    solution = nbformat.read(ROOT / "solutions" / f"{exercise}.ipynb", as_version=4)
    subs = tmp / "subs"
    subs.mkdir()
    variants = {slug(v["name"]): v for v in spec["variants"]}
    for key, variant in variants.items():
        nbformat.write(build(solution, variant), subs / f"{key}.ipynb")
    # The solution itself and the untouched stub ride in the same batch.
    shutil.copy(ROOT / "solutions" / f"{exercise}.ipynb", subs / "the_solution.ipynb")
    shutil.copy(ROOT / "exercises" / f"{exercise}.ipynb", subs / "the_stub.ipynb")
    run_cli("grade", subs, "--exercise", exercise, "--out", tmp / "out", "--jobs", "2",
            check_exit=0)
    reports = {key: json.loads((tmp / "out" / key / "report.json").read_text())
               for key in [*variants, "the_solution", "the_stub"]}
    return variants, reports


@pytest.mark.parametrize("path", variant_files(), ids=lambda p: p.stem)
def test_variants_grade_as_expected(path, tmp_path):
    variants, reports = graded(path.stem, tmp_path)
    wrong_outcomes = []
    for key, variant in variants.items():
        statuses = {q["id"]: q["status"] for q in reports[key]["questions"]}
        expected = dict.fromkeys(statuses, "passed") | dict(variant.get("expect", {}))
        assert variant["kind"] in ("wrong", "correct")
        if variant["kind"] == "correct":
            assert not variant.get("expect"), \
                f"{variant['name']}: a correct variant expects no failures"
        else:
            assert variant.get("expect"), f"{variant['name']}: a wrong variant must break something"
        if statuses != expected:
            messages = {q["id"]: q["message"] for q in reports[key]["questions"]
                        if q["status"] != expected[q["id"]]}
            wrong_outcomes.append(f"{variant['name']}: got {statuses}, expected {expected}; "
                                  f"messages {messages}")
    assert not wrong_outcomes, "\n".join(wrong_outcomes)
    solution, stub = reports["the_solution"], reports["the_stub"]
    assert solution["score"] == solution["max_score"], solution["questions"]
    assert stub["score"] == 0
    assert {q["status"] for q in stub["questions"]} <= {"missing", "error"}, stub["questions"]
