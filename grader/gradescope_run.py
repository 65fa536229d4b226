"""Gradescope: build the autograder zip, and grade inside Gradescope's container.

The zip (`grader gradescope build`) is the instructor's: it holds the exercise's solution and
full spec (hidden checks included), so that the reference is computed in the same environment
as the submissions. Gradescope runs `setup.sh` once when it builds the image (install Python
packages and the grader, then run the solution once to fill the reference cache) and
`run_autograder` for every submission, which calls `grader gradescope run`. That command always
writes /autograder/results/results.json, even when grading fails.
"""

from __future__ import annotations

import json
import time
import traceback
import zipfile
from pathlib import Path

from .catalog import get_exercise
from .environment import environment
from .errors import SubmissionError, UsageError
from .formats.gradescope import failure_json, results_json
from .release import render_to
from .spec import Exercise

DEFAULT_ROOT = "/autograder"
SKIP_PARTS = {".ipynb_checkpoints", "__MACOSX", "__pycache__"}


def build_zip(exercise: str, out: Path, course=None, install: str | None = None,
              wheel: Path | None = None, hidden_visibility: str = "after_published") -> Path:
    """Write the autograder zip for one exercise; return its path."""
    import tempfile

    from .release import _install_line

    spec = get_exercise(exercise, course)
    if not spec.solution_path.is_file():
        raise UsageError(f"{spec.id!r} has no solution here ({spec.solution_path})",
                         "build the autograder from the instructor's course, not a bundle")
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        context = {"exercise": spec.id, "install": _install_line(install, wheel, staging),
                   "hidden_visibility": hidden_visibility}
        render_to("gradescope/setup.sh.j2", staging / "setup.sh", **context)
        render_to("gradescope/run_autograder.j2", staging / "run_autograder", **context)
        (staging / "requirements.txt").write_text(context["install"] + "\n", encoding="utf-8")
        files = {p.relative_to(staging).as_posix(): p for p in staging.rglob("*") if p.is_file()}
        files.update(_course_files(spec))
        return _write_zip(Path(out), files)


def _course_files(spec: Exercise) -> dict[str, Path]:
    files = {f"course/exercises/{spec.exercise_path.name}": spec.exercise_path,
             f"course/solutions/{spec.solution_path.name}": spec.solution_path,
             f"course/solutions/{spec.spec_path.name}": spec.spec_path}
    for name in spec.data:
        files[f"course/solutions/{name}"] = spec.spec_path.parent / name
    return files


def _write_zip(out: Path, files: dict[str, Path]) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return out


def warm(exercise: str, course=None) -> None:
    """Run the solution once so every submission finds its reference in the cache."""
    from .pipeline import execution_limits
    from .reference import reference_answers

    spec = get_exercise(exercise, course)
    reference_answers(spec, spec.parameters, execution_limits(spec, {}, None))


def run(exercise: str, course=None, root: str | Path = DEFAULT_ROOT,
        hidden_visibility: str = "after_published") -> dict:
    """Grade /autograder/submission and write /autograder/results/results.json, always."""
    from .pipeline import grade

    started = time.monotonic()
    root = Path(root)
    max_score = 0.0
    try:
        spec = get_exercise(exercise, course)
        max_score = spec.max_score
        report = grade(find_submission(root / "submission", spec), spec.id, course=course)
        data = results_json(report, time.monotonic() - started, hidden_visibility)
    except (SubmissionError, UsageError) as exc:
        data = failure_json(f"Your submission could not be graded: {exc.message}"
                            + (f"\n\n*Try:* {exc.hint}" if exc.hint else ""),
                            traceback.format_exc(), max_score, time.monotonic() - started,
                            environment(), name="Your submission could not be graded")
    except Exception:  # noqa: BLE001 - whatever happens, Gradescope gets a results.json
        data = failure_json("The autograder failed on this submission: this is not your "
                            "mistake. Please tell your instructor; your submission is kept.",
                            traceback.format_exc(), max_score, time.monotonic() - started,
                            environment())
    write_results(data, root / "results" / "results.json")
    return data


def write_results(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, allow_nan=False, default=str) + "\n",
                   encoding="utf-8")
    tmp.replace(path)


def find_submission(folder: Path, spec: Exercise) -> Path:
    """The notebook (or module) to grade among the uploaded files."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".ipynb", ".py")
                   and not SKIP_PARTS & set(p.relative_to(folder).parts))
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    named = [p for p in files if p.stem == spec.id]
    if named:
        return sorted(named, key=lambda p: p.suffix != ".ipynb")[0]
    if len(notebooks) == 1:
        return notebooks[0]
    if len(notebooks) == 0 and len(files) == 1:
        return files[0]
    found = ", ".join(p.relative_to(folder).as_posix() for p in files) or "no notebook at all"
    raise SubmissionError(f"expected one notebook, {spec.id}.ipynb; found {found}",
                          f"upload the notebook {spec.id}.ipynb (from the exercises folder)")
