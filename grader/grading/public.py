"""What students may see of the reference: the values public checks compare against.

A student bundle (`grader release`) and the in-notebook `check()` need reference values, but only
those of public checks: a hidden check's reference value must never leave the instructor's
machine. The released values live in `<course>/references/<exercise id>/`, in the format of the
reference cache (answers.json plus .npy files), so the same loader reads both.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import checks
from ..core.answers import Extracted, load_answers, save_answers
from ..core.catalog import get_exercise
from ..core.spec import Exercise

RELEASED = "references"


def public_checks(exercise: Exercise):
    """(question, check) pairs a student may run: both the question and the check are public."""
    return [(q, c) for q in exercise.questions if q.visibility == "public"
            for c in q.checks if c.visibility == "public"]


def public_names(exercise: Exercise) -> set[str]:
    """Reference answers a student may have: those a public check compares with (answers and
    companions). A name a public check only inspects (`shape`, `monotonic`, `consistent`...) is
    not among them: its reference value may be what a hidden check compares with."""
    return {name for _, check in public_checks(exercise)
            if checks.REFERENCE_USE.get(check.check) == "values" for name in check.answer_names}


def shape_only_names(exercise: Exercise) -> set[str]:
    """Answers whose reference shape (not values) a public `shape` check needs."""
    return {check.answer for _, check in public_checks(exercise)
            if checks.REFERENCE_USE.get(check.check) == "shape" and check.answer} \
        - public_names(exercise)


def public_answers(exercise: Exercise, reference: Extracted) -> dict:
    """The reference's values restricted to what public checks need; for a shape-only check,
    an array of zeros of the reference's shape (its values stay with the instructor)."""
    wanted = public_names(exercise)
    values = {name: value for name, value in reference.values.items() if name in wanted}
    for name in shape_only_names(exercise) & set(reference.values):
        value = reference.values[name]
        if isinstance(value, np.ndarray):
            values[name] = np.zeros(value.shape, dtype=value.dtype)
        elif isinstance(value, list):
            values[name] = np.zeros(np.shape(value)).tolist()
    return values


def write_released(exercise: Exercise, reference: Extracted, course: Path) -> Path:
    """Store the public part of the reference where a student bundle's `check()` finds it."""
    folder = Path(course) / RELEASED / exercise.id
    save_answers(public_answers(exercise, reference), folder)
    return folder


def released_reference(exercise: Exercise) -> Extracted | None:
    """The released public reference next to the spec's course, if this is a student bundle."""
    folder = exercise.spec_path.parent.parent / RELEASED / exercise.id
    if not (folder / "answers.json").is_file():
        return None
    return load_answers(folder)


WITHHELD = "withheld.json"


def withheld(course: Path, exercise_id: str) -> dict:
    """What the instructor grades later, for a bundle; empty in the instructor's course."""
    path = Path(course) / RELEASED / exercise_id / WITHHELD
    if not path.is_file():
        return {"questions": [], "checks": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def withheld_notice(spec: Exercise) -> str | None:
    """One line for every report made in a bundle: what is not graded here, and why."""
    if spec.solution_path.is_file():
        return None
    held = withheld(spec.spec_path.parent.parent, spec.id)
    points = sum(q["points"] for q in held["questions"])
    parts = []
    if held["questions"]:
        ids = ", ".join(q["id"] for q in held["questions"])
        many = len(held["questions"]) > 1
        parts.append(f"hidden question{'s' * many} {ids} ({points:g} point{'s' * (points != 1)})"
                     f" {'are' if many else 'is'} graded by your instructor")
    if held["checks"]:
        parts.append(f"{sum(held['checks'].values())} hidden check(s) of "
                     f"{', '.join(held['checks'])} run only when your instructor grades")
    if not parts:
        return None
    return ("Self-check against the public checks only: " + "; ".join(parts) +
            ". The score here is out of the public points.")


def with_bundle_notice(report, course=None):
    """The report with the bundle's "graded later" notice, when it was graded in a bundle."""


    notice = withheld_notice(get_exercise(report.exercise, course))
    return replace(report, notices=report.notices + (notice,)) if notice else report
