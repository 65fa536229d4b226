"""What students may see of the reference: the values public checks compare against.

A student bundle (`grader release`) and the in-notebook `check()` need reference values, but only
those of public checks: a hidden check's reference value must never leave the instructor's
machine. The released values live in `<course>/references/<exercise id>/`, in the format of the
reference cache (answers.json plus .npy files), so the same loader reads both.
"""

from __future__ import annotations

from pathlib import Path

from .extract import Extracted, load_answers, save_answers
from .spec import Exercise

RELEASED = "references"


def public_checks(exercise: Exercise):
    """(question, check) pairs a student may run: both the question and the check are public."""
    return [(q, c) for q in exercise.questions if q.visibility == "public"
            for c in q.checks if c.visibility == "public"]


def public_names(exercise: Exercise) -> set[str]:
    """Reference answers public checks read (answers, companions and inputs)."""
    return {name for _, check in public_checks(exercise) for name in check.answer_names}


def public_answers(exercise: Exercise, reference: Extracted) -> dict:
    """The reference's values restricted to what public checks need."""
    wanted = public_names(exercise)
    return {name: value for name, value in reference.values.items() if name in wanted}


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
