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
from ..core.environment import REFERENCE_PACKAGES, reference_environment
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
    """The report with the bundle's notices, when it was graded in a bundle: first whether this
    machine's libraries differ from those the released values were computed with, then what
    the instructor grades later."""
    spec = get_exercise(report.exercise, course)
    first = () if spec.solution_path.is_file() else \
        (environment_notice(spec, recorded_environment(spec.spec_path.parent.parent)),)
    notices = tuple(n for n in (*first, *report.notices, withheld_notice(spec)) if n)
    return replace(report, notices=notices) if notices != report.notices else report


# --- The environment the released values were computed with ---------------------------------
# A bundle records it in references/environment.json (python and REFERENCE_PACKAGES) and pins
# the packages in its requirements.txt: with other versions a student's right answer can land
# outside a tolerance measured with the instructor's (MiniBatchKMeans on float32 data moved by
# 3e-4 between scikit-learn 1.5 and 1.9: benchmarks/results/reference-environments-2026-12-04.md).
ENVIRONMENT = "environment.json"
# Checks whose verdict a library version can move: numbers compared within a tolerance or
# against a bound, and clusterings, centres and components matched up to renaming, order or
# sign. Exact answers (equal, one_of), an estimator's settings, shapes and figures' structure
# come out the same with any supported version (measured as above).
VERSION_SENSITIVE = frozenset({"close", "at_least", "at_most", "matched_rows", "matched_columns",
                               "sign_free", "same_partition", "labels_agree", "index_set"})
MAY_MOVE = "answers compared within a tolerance or as clusterings"


def write_environment(course: Path) -> dict[str, str]:
    """Record, beside the released values, the versions they were computed with (the running
    ones) and return them."""
    recorded = reference_environment()
    path = Path(course) / RELEASED / ENVIRONMENT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
    return recorded


def recorded_environment(course: Path) -> dict[str, str] | None:
    """The versions a bundle's released values were computed with; None when it records none
    (a course, or a bundle released before they were recorded) or the file cannot be read."""
    try:
        data = json.loads((Path(course) / RELEASED / ENVIRONMENT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} or None


def pinned(recorded: dict[str, str]) -> list[str]:
    """Requirement lines pinning the recorded versions: `numpy==2.4.6`..."""
    return [f"{p}=={recorded[p]}" for p in REFERENCE_PACKAGES
            if recorded.get(p, "unknown") != "unknown"]


def version_differences(recorded: dict[str, str]) -> list[tuple[str, str, str]]:
    """(package, running version, recorded version) for each package that differs."""
    running = reference_environment()
    return [(p, running[p], recorded[p]) for p in REFERENCE_PACKAGES
            if recorded.get(p, "unknown") != "unknown" and running[p] != recorded[p]]


def questions_that_may_move(exercise: Exercise) -> list[str]:
    return [q.id for q in exercise.questions if any(c.check in VERSION_SENSITIVE
                                                    for c in q.checks)]


def environment_notice(exercise: Exercise, recorded: dict[str, str] | None) -> str | None:
    """For `grader check` / `ci` in a bundle: what differs from the released values'
    environment and which answers may move; None when nothing differs."""
    differ = version_differences(recorded) if recorded else []
    if not differ:
        return None
    return (f"This machine has {_versions(differ, 1)}; the reference values were computed "
            f"with {_versions(differ, 2)}: {_may_move(exercise)}. Install the pinned "
            f"versions: pip install -r requirements.txt")


def released_environment_notice(exercise: Exercise, released: Path | str | None) -> str | None:
    """For `grader grade --released BUNDLE`: the reference is computed here, from the solution;
    when this machine's versions differ from those the released values were computed with,
    students' self-checks compared with other values. None when nothing differs, or no
    environment is recorded."""
    recorded = recorded_environment(Path(released)) if released else None
    differ = version_differences(recorded) if recorded else []
    if not differ:
        return None
    return (f"This grade's reference was computed here with {_versions(differ, 1)}; the "
            f"released values students checked against ({released}) were computed with "
            f"{_versions(differ, 2)}: {_may_move(exercise, 'from what students saw')}. To "
            f"grade with the release's versions: pip install "
            f"{' '.join(f'{p}=={there}' for p, _, there in differ)}")


def _versions(differ: list[tuple[str, str, str]], which: int) -> str:
    return ", ".join(f"{d[0]} {d[which]}" for d in differ)


def _may_move(exercise: Exercise, than: str = "from the reference, and a right answer can "
              "fail") -> str:
    ids = questions_that_may_move(exercise)
    if not ids:
        return ("no answer of this exercise is compared within a tolerance or as a clustering, "
                "so none should move")
    return f"{MAY_MOVE} ({', '.join(ids)}) may differ slightly {than}"
