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
import re
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
                used = _used(result, check, got, expected)
                if result.passed and used is not None and used >= 0.01:
                    rows.append(f"  pass {question.id} {check.check}({result.answer}) "
                                f"[{question.visibility}]: {used:.0%} of its tolerance used")
                if not result.passed:
                    failures += 1
                    rows.append(f"  FAIL {question.id} {check.check}({result.answer}) "
                                f"[{question.visibility}]: {result.detail or result.message}")
        asked = _questions_of(spec)
        moved = [(name, _moved(got.get(name), value)) for name, value in sorted(expected.items())]
        moved = [f"{name} [{', '.join(asked.get(name, ['no check']))}]: {how}"
                 for name, how in moved if how]
        failed = sum(1 for r in rows if r.startswith("  FAIL"))
        verdict = "all checks pass" if not failed else f"{failed} check(s) fail"
        print(f"{spec.id}: {verdict}; {len(moved)} of {len(expected)} answers moved", flush=True)
        for line in rows + [f"  moved {m}" for m in moved]:
            print(line, flush=True)
    print(f"\n{failures} failed check(s)")
    return 1 if failures else 0


BOUND = re.compile(r"got (\S+), expected (\S+), bound (\S+)")


def _used(result, check, got: dict, expected: dict) -> float | None:
    """How much of its tolerance a check used: the largest |got - expected| over what it allows
    (`close`), how far towards the bound the answer went (`at_least`, `at_most`), or None."""
    c = result.comparison
    if check.check == "close" and (c.atol or c.rtol):
        try:
            g = np.asarray(got[check.answer], dtype=float)
            e = np.asarray(expected[check.answer], dtype=float)
            return float(np.nanmax(np.abs(g - e) / ((c.atol or 0.0) + (c.rtol or 0.0)
                                                    * np.abs(e))))
        except (KeyError, TypeError, ValueError):
            return None
    found = BOUND.search(result.detail or "")
    if found:
        got, wanted, bound = map(float, found.groups())
        return max(0.0, (got - wanted) / (bound - wanted)) if bound != wanted else None
    return None


def _questions_of(spec) -> dict[str, list[str]]:
    """Answer name -> the questions whose checks read it."""
    asked: dict[str, list[str]] = {}
    for question in spec.questions:
        for check in question.checks:
            for name in check.answer_names:
                if question.id not in asked.setdefault(name, []):
                    asked[name].append(question.id)
    return asked


def _moved(got, expected) -> str | None:
    """How an answer differs, in words, or None when it is the same."""
    if isinstance(expected, dict) or isinstance(got, dict):
        return None if got == expected else "differs (an estimator's or figure's description)"
    try:
        a = np.asarray(got)
        b = np.asarray(expected)
    except Exception:
        return None if got == expected else "differs"
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        a, b = a.astype(float), b.astype(float)
        if np.array_equal(a, b, equal_nan=True):
            return None
        diff = np.abs(a - b)
        scale = float(np.nanmax(np.abs(b))) or 1.0
        return (f"max |Δ| {np.nanmax(diff):.3g} ({np.nanmax(diff) / scale:.2g} of the largest "
                f"|value|; {int(np.count_nonzero(diff))} of {a.size} values differ)")
    if a.dtype.kind in "iub" and a.ndim == 1 and a.size > 20:
        differ = int(np.count_nonzero(a != b))
        if not differ:
            return None
        # labels: how many differ once the clusters are renamed (first-seen order)
        return f"{differ} of {a.size} entries differ ({_renamed(a, b)} after renaming)"
    if np.array_equal(a, b):
        return None
    return f"{np.count_nonzero(a != b)} of {a.size} entries differ"


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
