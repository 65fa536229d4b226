"""Gradescope: build the autograder zip, and grade inside Gradescope's container.

The zip (`grader gradescope build`) is the instructor's: it holds the exercise's solution and
full spec (hidden checks included), so that the reference is computed in the same environment
as the submissions. Gradescope runs `setup.sh` once when it builds the image (install Python
packages and the grader, then run the solution once to fill the reference cache) and
`run_autograder` for every submission, which calls `grader gradescope run`. That command always
writes /autograder/results/results.json, even when grading fails.

Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

One test per question: name, number, score, max_score, status ("passed" / "failed"), output
(Markdown: the message and what to try), output_format "md", visibility. Public questions are
"visible"; hidden questions are shown "after_published" (once the instructor publishes grades)
unless told otherwise. The top-level output names the versions and the seed, so a regrade can be
reproduced.
"""

from __future__ import annotations

import time
import traceback
import zipfile
from pathlib import Path

from ..core.catalog import get_exercise
from ..core.environment import environment
from ..core.results import Report, Status
from ..core.settings import GradeSettings
from ..core.spec import Exercise
from ..errors import InternalError, SubmissionError, UsageError
from ..formats.templates import render_to
from .common import find_submission, for_credit, install_line, write_results

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def results_json(report: Report, execution_time: float,
                 hidden_visibility: str = "after_published") -> dict:
    tests = [_test(i, q, hidden_visibility) for i, q in enumerate(report.questions, start=1)]
    return {"score": report.score, "execution_time": max(0, round(execution_time)),
            "output": _overview(report), "output_format": "md", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def _test(number: int, q, hidden_visibility: str) -> dict:
    lines = [q.message]
    if q.hint and q.status != Status.PASSED:
        lines.append(f"*Try:* {q.hint}")
    if q.cell_error and q.status != Status.PASSED:
        lines.append(f"```\n{q.cell_error.ename}: {q.cell_error.evalue}\n```")
    return {"name": f"{q.id}: {q.title}", "number": str(number), "score": q.score,
            "max_score": q.max_score,
            "status": "passed" if q.status == Status.PASSED else "failed",
            "output": "\n\n".join(lines), "output_format": "md",
            "visibility": "visible" if q.visibility == "public" else hidden_visibility,
            "tags": [str(q.status)]}


def _overview(report: Report) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in report.environment.items())
    lines = [f"**{report.exercise}**: {report.score:g}/{report.max_score:g} points.",
             f"Graded with {versions}; seed {report.seed}."]
    lines += [f"* {n}" for n in report.notices]
    lines += [f"* Cell {e.index + 1} raised {e.ename}: {e.evalue}" for e in report.stray_errors]
    return "\n\n".join(lines[:2]) + ("\n\n" + "\n".join(lines[2:]) if lines[2:] else "")


def failure_json(public_message: str, details: str, max_score: float,
                 execution_time: float, versions: dict,
                 name: str = "Grading failed: tell your instructor") -> dict:
    """When the submission could not be graded: a visible entry saying so, the details hidden
    (shown to the instructor only). Score 0 until the instructor regrades."""
    names = ", ".join(f"{k} {v}" for k, v in versions.items())
    return {"score": 0.0, "execution_time": max(0, round(execution_time)),
            "output": f"{public_message}\n\nGrader: {names}.", "output_format": "md",
            "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [
                {"name": name, "number": "0",
                 "score": 0.0, "max_score": max_score, "status": "failed",
                 "output": public_message, "output_format": "md", "visibility": "visible"},
                {"name": "Grading failure details (instructors only)", "number": "0.1",
                 "score": 0.0, "max_score": 0.0, "status": "failed",
                 "output": f"```\n{details}\n```", "output_format": "md",
                 "visibility": "hidden"}]}


DEFAULT_ROOT = "/autograder"


def build_zip(exercise: str, out: Path, course=None, install: str | None = None,
              wheel: Path | None = None, hidden_visibility: str = "after_published",
              allow_unisolated: bool = False) -> Path:
    """Write the autograder zip for one exercise; return its path."""
    import tempfile


    spec = get_exercise(exercise, course)
    if not spec.solution_path.is_file():
        raise UsageError(f"{spec.id!r} has no solution here ({spec.solution_path})",
                         "build the autograder from the instructor's course, not a bundle")
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        context = {"exercise": spec.id, "install": install_line(install, wheel, staging),
                   "hidden_visibility": hidden_visibility,
                   "allow_unisolated": allow_unisolated}
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
    from ..grading.pipeline import execution_limits, final_parameters
    from ..grading.reference import reference_answers

    spec = get_exercise(exercise, course)
    final = GradeSettings(final=True)   # what `run` grades with: the [grading] parameters too
    reference_answers(spec, final_parameters(spec, final), execution_limits(spec))


def run(exercise: str, course=None, root: str | Path = DEFAULT_ROOT,
        hidden_visibility: str = "after_published", allow_unisolated: bool = False) -> dict:
    """Grade /autograder/submission and write /autograder/results/results.json, always. Grades
    in the sandbox, or unisolated only with `allow_unisolated` (set when the zip was built)."""
    from ..grading.pipeline import grade

    started = time.monotonic()
    root = Path(root)
    max_score = 0.0
    try:
        spec = get_exercise(exercise, course)
        max_score = spec.max_score
        submission = find_submission(root / "submission", spec)  # the student's mistake first
        report = grade(submission, spec.id, for_credit(course, allow_unisolated))
        data = results_json(report, time.monotonic() - started, hidden_visibility)
    except (SubmissionError, UsageError) as exc:
        data = failure_json(f"Your submission could not be graded: {exc.message}"
                            + (f"\n\n*Try:* {exc.hint}" if exc.hint else ""),
                            traceback.format_exc(), max_score, time.monotonic() - started,
                            environment(), name="Your submission could not be graded")
    except InternalError as exc:
        data = failure_json(f"The autograder cannot grade this submission: {exc.message}. This "
                            "is not your mistake; please tell your instructor.",
                            f"{exc.message}\n{exc.hint}", max_score,
                            time.monotonic() - started, environment())
    except Exception:
        data = failure_json("The autograder failed on this submission: this is not your "
                            "mistake. Please tell your instructor; your submission is kept.",
                            traceback.format_exc(), max_score, time.monotonic() - started,
                            environment())
    write_results(data, root / "results" / "results.json")
    return data
