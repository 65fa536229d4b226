"""Find the course: its exercises (stubs), solutions and specs.

A course is a folder with `exercises/<id>.ipynb` (what students fill in), `solutions/<id>.ipynb`
(the instructor's solution) and `solutions/<id>.toml` (the spec). It is found from, in order:
an explicit path, $GRADER_COURSE, the current folder or one of its parents, the grader checkout.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..errors import UsageError
from .spec import Exercise, load_spec


def find_course(explicit: str | os.PathLike | None = None) -> Path:
    candidates = [Path(explicit)] if explicit else []
    if os.environ.get("GRADER_COURSE"):
        candidates.append(Path(os.environ["GRADER_COURSE"]))
    cwd = Path.cwd().resolve()
    candidates += [cwd, *cwd.parents, Path(__file__).resolve().parents[2]]
    for folder in candidates:
        if _is_course(folder):
            return folder.resolve()
    if explicit:
        raise UsageError(f"{explicit} is not a course folder: it has no solutions/*.toml",
                         "pass the folder that holds exercises/ and solutions/")
    raise UsageError("no course found: no solutions/*.toml here or in any parent folder",
                     "run the command inside the course checkout, or pass --course DIR "
                     "(or set GRADER_COURSE)")


def _is_course(folder: Path) -> bool:
    return (folder / "solutions").is_dir() and any((folder / "solutions").glob("*.toml"))


def list_exercises(course: str | os.PathLike | None = None) -> list[Exercise]:
    root = find_course(course)
    return [_load(p) for p in sorted((root / "solutions").glob("*.toml"))]


def get_exercise(exercise_id: str, course: str | os.PathLike | None = None) -> Exercise:
    exercises = {e.id: e for e in list_exercises(course)}
    if exercise_id not in exercises:
        raise UsageError(f"unknown exercise {exercise_id!r}",
                         f"known exercises: {', '.join(sorted(exercises)) or 'none'} "
                         "(see `grader list`)")
    return exercises[exercise_id]


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime: float) -> Exercise:
    root = path.parent.parent
    return load_spec(path, root / "exercises", root / "solutions")


def _load(path: Path) -> Exercise:
    return _load_cached(path.resolve(), path.stat().st_mtime)
