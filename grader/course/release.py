"""The student bundle (`grader release OUT`): what students get, and nothing they must not see.

A bundle is a course folder a student can clone and check their work in:

    README.md                    how to work, check and submit (for students)
    requirements.txt             the install line of the grader, and the numpy, scipy and
                                 scikit-learn versions the reference values were computed
                                 with, pinned (==)
    .github/workflows/grade.yml  grades every push (GitHub Actions / Classroom)
    exercises/<id>.ipynb         the stubs
    solutions/<id>.toml          the released specs: public questions and public checks only
    references/<id>/             the reference values those public checks compare against
                                 (answers.json + .npy), and withheld.json: the hidden
                                 questions' ids, titles and points, nothing else
    references/environment.json  the versions the reference values were computed with
                                 (python, numpy, scipy, scikit-learn): `grader check` and
                                 `grader ci` say when the running ones differ

No solution notebook, no hidden check and no hidden reference value is in it. Hidden questions
are stripped from the released spec (a spec with their checks would tell what they test, and
their reference values cannot ship): a student's score in the bundle is out of the public
points, and every report says how many points the instructor grades later. The folder is named
`solutions/` only because that is where a course keeps its specs (see grader/catalog.py).
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import tomli_w

from ..core.catalog import find_course, list_exercises
from ..core.spec import Exercise, load_spec
from ..errors import SpecError, UsageError
from ..formats.templates import render_to
from ..grading.public import (
    RELEASED,
    WITHHELD,
    pinned,
    withheld,
    write_environment,
    write_released,
)
from ..grading.reference import reference_answers
from ..platforms.common import install_line

WORKFLOW = Path(".github") / "workflows" / "grade.yml"


def build_bundle(out: Path, course=None, exercises: list[str] | None = None,
                 install: str | None = None, wheel: Path | None = None) -> Path:
    """Write the student bundle into `out` (a new or empty folder) and return it."""
    from ..grading.pipeline import execution_limits

    root = find_course(course)
    chosen = _choose(list_exercises(root), exercises)
    out = _empty_folder(Path(out))
    for spec in chosen:
        reference = reference_answers(spec, spec.parameters, execution_limits(spec))
        _release_exercise(spec, reference, out)
    # The references were computed here (or cached under these versions: the cache key holds
    # them): record the versions beside them and pin them for students and the workflow.
    recorded = write_environment(out)
    install = install_line(install, wheel, out)
    (out / "requirements.txt").write_text(requirements(install, recorded), encoding="utf-8")
    context = {"exercises": [load_released(out, s.id) for s in chosen],
               "withheld": {s.id: withheld(out, s.id) for s in chosen}, "install": install,
               "pins": pinned(recorded),
               "python": ".".join(recorded["python"].split(".")[:2])}
    render_to("bundle/README.md.j2", out / "README.md", **context)
    render_to("bundle/grade.yml.j2", out / WORKFLOW, **context)
    return out


def requirements(install: str, recorded: dict[str, str]) -> str:
    """requirements.txt: the grader, and the libraries the answers depend on pinned to the
    versions the reference values were computed with (other versions can move an answer out
    of a tolerance; `grader check` says so when they differ)."""
    return "\n".join([install, "# The versions the reference values in references/ were "
                       "computed with (grader release):", *pinned(recorded)]) + "\n"


def _choose(available: list[Exercise], wanted: list[str] | None) -> list[Exercise]:
    if not wanted:
        return available
    known = {e.id: e for e in available}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}", f"known exercises: "
                         f"{', '.join(sorted(known))} (see `grader list`)")
    return [known[w] for w in wanted]


def _empty_folder(out: Path) -> Path:
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty", "give a new folder: the bundle is written from "
                         "scratch so nothing stale ends up in it")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _release_exercise(spec: Exercise, reference, out: Path) -> None:
    (out / "exercises").mkdir(exist_ok=True)
    (out / "solutions").mkdir(exist_ok=True)
    shutil.copy(spec.exercise_path, out / "exercises" / spec.exercise_path.name)
    raw = tomllib.loads(spec.spec_path.read_text(encoding="utf-8"))
    public, hidden = released_spec(raw)
    (out / "solutions" / spec.spec_path.name).write_bytes(tomli_w.dumps(public).encode())
    for name in spec.data:
        target = out / "solutions" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(spec.spec_path.parent / name, target)
    released = load_released(out, spec.id)
    write_released(released, reference, out)
    (out / RELEASED / spec.id / WITHHELD).write_text(json.dumps(hidden, indent=2) + "\n",
                                                     encoding="utf-8")


def released_spec(raw: dict) -> tuple[dict, dict]:
    """The spec without hidden questions, hidden checks and instructor notes (`why`); and what
    was withheld: {"questions": [{id, title, points}], "checks": {question id: count}}."""
    # [grading] holds the final-grading parameters: students must never see them.
    public = {k: v for k, v in raw.items() if k not in ("questions", "grading")}
    withheld = {"questions": [], "checks": {}}
    questions = []
    for q in raw.get("questions", []):
        visibility = q.get("visibility", "public")
        if visibility == "hidden":
            withheld["questions"].append({"id": q["id"], "title": q.get("title", q["id"]),
                                          "points": q["points"]})
            continue
        checks = [_without_notes(c) for c in q.get("checks", [])
                  if c.get("visibility", visibility) == "public"]
        if len(checks) < len(q.get("checks", [])):
            withheld["checks"][q["id"]] = len(q["checks"]) - len(checks)
        questions.append({**_without_notes(q), "checks": checks})
    if not questions:
        raise SpecError(f"exercise {raw.get('id')!r} has no public question to release",
                        "make at least one question public, or leave the exercise out "
                        "(--exercise)")
    public["questions"] = questions
    return public, withheld


def _without_notes(table: dict) -> dict:
    return {k: v for k, v in table.items() if k != "why"}


def load_released(out: Path, exercise_id: str) -> Exercise:
    """The released spec as the bundle's grader will load it (validates it, too)."""
    return load_spec(out / "solutions" / f"{exercise_id}.toml", out / "exercises",
                     out / "solutions")


