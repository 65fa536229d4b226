"""Every exercise grades fairly: wrong variants fail exactly what they break, correct variants
written differently from the solution pass (see tests/variants/README.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, VARIANTS, run_cli

from grader.checks.toolkit import CHECK_HINT

pytestmark = pytest.mark.kernel
ARTIFACTS = ROOT / "test-artifacts"


def variant_files() -> list[Path]:
    """Every exercise's variants; GRADER_VARIANTS=a,b narrows them (a quicker loop while
    working on some exercises; the share of generic messages is then theirs only)."""
    only = {e for e in os.environ.get("GRADER_VARIANTS", "").split(",") if e}
    return sorted(p for p in VARIANTS.glob("*.toml") if not only or p.stem in only)


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


def submissions(exercise: str, subs: Path) -> dict:
    """The exercise's variants written as notebooks into `subs`, with the solution itself and
    the untouched stub; returns the variants by student id."""
    spec = tomllib.loads((VARIANTS / f"{exercise}.toml").read_text())
    solution = nbformat.read(ROOT / "solutions" / f"{exercise}.ipynb", as_version=4)
    subs.mkdir(parents=True)
    variants = {slug(v["name"]): v for v in spec["variants"]}
    for key, variant in variants.items():
        nbformat.write(build(solution, variant), subs / f"{key}.ipynb")
    shutil.copy(ROOT / "solutions" / f"{exercise}.ipynb", subs / "the_solution.ipynb")
    shutil.copy(ROOT / "exercises" / f"{exercise}.ipynb", subs / "the_stub.ipynb")
    return variants


@pytest.fixture(scope="module")
def graded_all(tmp_path_factory) -> dict:
    """exercise -> (variants, reports by student id, the `grader grade` process). Two batches
    run at a time with one job each: the same two cores busy, but no batch's start (its
    zygote, its reference) or end (its last submission) leaves one of them idle."""
    top = tmp_path_factory.mktemp("variants")

    def grade(exercise: str):
        variants = submissions(exercise, top / exercise / "subs")
        out = top / exercise / "out"
        proc = run_cli("grade", top / exercise / "subs", "--exercise", exercise, "--out", out,
                       "--jobs", "1")
        reports = {key: json.loads((out / key / "report.json").read_text())
                   for key in [*variants, "the_solution", "the_stub"]
                   if (out / key / "report.json").exists()}
        return exercise, (variants, reports, proc)

    # The slowest first, so that the two lanes end together.
    order = sorted((p.stem for p in variant_files()), key=lambda e: e not in SLOW)
    with ThreadPoolExecutor(2) as lanes:
        return dict(lanes.map(grade, order))


SLOW = {"pdsh_clustering", "olivetti_faces", "olivetti_gmm", "image_segmentation"}


@pytest.mark.parametrize("path", variant_files(), ids=lambda p: p.stem)
def test_variants_grade_as_expected(path, graded_all):
    variants, reports, proc = graded_all[path.stem]
    assert proc.returncode == 0, proc.stdout + proc.stderr
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
        points = {q["id"]: q["score"] for q in reports[key]["questions"]}
        for qid, want in variant.get("points", {}).items():
            if points[qid] != pytest.approx(want):
                wrong_outcomes.append(f"{variant['name']}: {qid} earned {points[qid]}, "
                                      f"expected {want}")
        lost = [q["id"] for q in reports[key]["questions"]
                if q["status"] != "passed" and q["score"] >= q["max_score"]]
        assert not lost, f"{variant['name']}: {lost} did not pass but lost no points"
    _write_points(path.stem, variants, reports)
    assert not wrong_outcomes, "\n".join(wrong_outcomes)
    solution, stub = reports["the_solution"], reports["the_stub"]
    assert solution["score"] == solution["max_score"], solution["questions"]
    assert stub["score"] == 0
    assert {q["status"] for q in stub["questions"]} <= {"missing", "error"}, stub["questions"]


def _write_points(exercise: str, variants: dict, reports: dict) -> None:
    """What each variant earned, per question: test-artifacts/variant-points/<exercise>.md."""
    lines = [f"# {exercise}: points earned by each variant", ""]
    for key, variant in variants.items():
        report = reports[key]
        parts = ", ".join(f"{q['id']} {q['score']:g}/{q['max_score']:g}"
                          for q in report["questions"])
        lines.append(f"- {variant['kind']} / {variant['name']}: "
                     f"**{report['score']:g}/{report['max_score']:g}** ({parts})")
    folder = ARTIFACTS / "variant-points"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{exercise}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# At most this share of the failed questions of wrong variants may lead with the generic
# "check the computation" advice (45 % before the headline took the specific diagnosis, 29 %
# before a check's own diagnosis replaced the advice and a question built on a failed one
# said to fix that one first).
GENERIC_SHARE_AT_MOST = 0.10


def test_failed_questions_mostly_say_what_to_fix(graded_all):
    """The share of generic messages, written to test-artifacts/variant-messages.md."""
    generic, failed = [], 0
    for exercise, (variants, reports, _) in sorted(graded_all.items()):
        for key, variant in variants.items():
            for q in reports[key]["questions"] if variant["kind"] == "wrong" else []:
                if q["status"] == "failed":
                    failed += 1
                    if CHECK_HINT in q["message"]:
                        generic.append(f"- {exercise} / {variant['name']} / {q['id']}: "
                                       f"{q['message']}")
    share = len(generic) / failed
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "variant-messages.md").write_text(
        f"{len(generic)} of {failed} failed questions ({share:.0%}) lead with the generic "
        "advice:\n\n" + "\n".join(generic) + "\n", encoding="utf-8")
    assert failed >= 50   # enough wrong variants to mean something
    assert share <= GENERIC_SHARE_AT_MOST, f"{share:.0%}: see {ARTIFACTS / 'variant-messages.md'}"
