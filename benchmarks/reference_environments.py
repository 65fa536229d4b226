"""Do the answers move between library versions? Each solution's answers computed in one
environment, checked with every check of its spec (public and hidden) against the answers
computed in another: what a student bundle does when the student's libraries are not the
instructor's (issue 15, section 5).

Usage (one virtual environment per side, each with this checkout installed):

    A/bin/python benchmarks/reference_environments.py save DIR        # the reference side
    B/bin/python benchmarks/reference_environments.py compare DIR     # the other side

`save` runs every solution (in the sandbox when the machine has one, one BLAS thread, the
exercise's own parameters) and stores its answers in DIR/<id>/ with the versions in
DIR/environment.json. `compare` runs every solution again where it is run and prints, per
exercise, every check that failed against DIR's answers and every answer whose value moved
(largest absolute and relative difference; labels: how many differ, before and after
renaming). Exit status 1 when a check failed. Pass exercise ids after DIR to do only those.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from grader import list_exercises
from grader.core.answers import load_answers, save_answers
from grader.core.environment import environment, reference_environment
from grader.grading.pipeline import execution_limits
from grader.grading.reference import reference_answers
from grader.grading.score import run_check


def save(folder: Path, ids: list[str]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for spec in _exercises(ids):
        answers = reference_answers(spec, spec.parameters, execution_limits(spec))
        save_answers(answers.values, folder / spec.id)
        print(f"saved {spec.id}: {len(answers.values)} answers", flush=True)
    versions = {**environment(), **reference_environment()}
    (folder / "environment.json").write_text(json.dumps(versions, indent=2) + "\n")
    return 0


def compare(folder: Path, ids: list[str]) -> int:
    theirs = json.loads((folder / "environment.json").read_text())
    mine = {**environment(), **reference_environment()}
    print(f"reference: {_versions(theirs)}\nhere:      {_versions(mine)}\n")
    failures = 0
    for spec in _exercises(ids):
        expected = load_answers(folder / spec.id).values
        got = reference_answers(spec, spec.parameters, execution_limits(spec)).values
        rows = []
        for question in spec.questions:
            for check in question.checks:
                # every check public, so that each comparison carries its numbers
                check = dataclasses.replace(check, visibility="public")
                result = run_check(check, got, expected)
                if not result.passed:
                    failures += 1
                    rows.append(f"  FAIL {question.id} {check.check}({result.answer}) "
                                f"[{question.visibility}]: {result.detail or result.message}")
        moved = [_moved(name, got.get(name), value) for name, value in sorted(expected.items())]
        moved = [m for m in moved if m]
        verdict = "all checks pass" if not rows else f"{len(rows)} check(s) fail"
        print(f"{spec.id}: {verdict}; {len(moved)} of {len(expected)} answers moved", flush=True)
        for line in rows + [f"  moved {m}" for m in moved]:
            print(line, flush=True)
    print(f"\n{failures} failed check(s)")
    return 1 if failures else 0


def _moved(name: str, got, expected) -> str | None:
    """How `name` differs, in words, or None when it is the same."""
    if isinstance(expected, dict) or isinstance(got, dict):
        return None if got == expected else f"{name}: differs"
    try:
        a = np.asarray(got)
        b = np.asarray(expected)
    except Exception:
        return None if got == expected else f"{name}: differs"
    if a.shape != b.shape:
        return f"{name}: shape {a.shape} vs {b.shape}"
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        a, b = a.astype(float), b.astype(float)
        if np.array_equal(a, b, equal_nan=True):
            return None
        diff = np.abs(a - b)
        rel = diff / np.maximum(np.abs(b), 1e-300)
        return (f"{name}: max |Δ| {np.nanmax(diff):.3g}, max rel {np.nanmax(rel):.3g} "
                f"({int(np.count_nonzero(diff))} of {a.size} values)")
    if a.dtype.kind in "iub" and a.ndim == 1 and a.size > 20:
        differ = int(np.count_nonzero(a != b))
        if not differ:
            return None
        # labels: how many differ once the clusters are renamed (first-seen order)
        return f"{name}: {differ} of {a.size} entries differ ({_renamed(a, b)} after renaming)"
    if np.array_equal(a, b):
        return None
    return f"{name}: {np.count_nonzero(a != b)} of {a.size} entries differ"


def _renamed(a: np.ndarray, b: np.ndarray) -> int:
    from grader.checks.matching import match_clusters

    mapping = match_clusters(a, b)
    renamed = np.array([mapping.get(int(x), -2) if x != -1 else -1 for x in a])
    return int(np.count_nonzero(renamed != b))


def _versions(env: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in env.items())


def _exercises(ids: list[str]):
    return [e for e in list_exercises() if not ids or e.id in ids]


if __name__ == "__main__":
    command, folder, *wanted = sys.argv[1:]
    sys.exit({"save": save, "compare": compare}[command](Path(folder), wanted))
