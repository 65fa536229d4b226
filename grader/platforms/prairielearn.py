"""PrairieLearn external grader: grade /grade/student and write /grade/results/results.json.

PrairieLearn mounts the student's files in /grade/student, the question's tests/ folder in
/grade/tests and course files in /grade/serverFilesCourse; the course (exercises/ and
solutions/) goes in one of them (see the README's PrairieLearn recipe).

PrairieLearn's external-grader results.json.

`score` is the fraction of the points in [0, 1]; `tests[]` has name, description, points,
max_points, message, output and `images` (data URLs, from the pictures the report carries, if
any); `gradable` says whether the submission could be graded at all (false: the student sees the
message and keeps the attempt).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from ..core.catalog import get_exercise
from ..core.results import Report, Status
from ..errors import InternalError, SubmissionError, UsageError
from .common import find_submission, for_credit, write_results


def results_json(report: Report) -> dict:
    tests = [_test(q) for q in report.questions]
    versions = ", ".join(f"{k} {v}" for k, v in report.environment.items())
    return {"gradable": True,
            "score": report.score / report.max_score if report.max_score else 0.0,
            "message": f"{report.exercise}: {report.score:g}/{report.max_score:g} points.",
            "output": "\n".join([*report.notices, f"Graded with {versions}; seed {report.seed}."]),
            "images": _images(report), "tests": tests}


def _test(q) -> dict:
    message = q.message + (f"\nTry: {q.hint}" if q.hint and q.status != Status.PASSED else "")
    output = ""
    if q.cell_error and q.status != Status.PASSED:
        output = f"{q.cell_error.ename}: {q.cell_error.evalue}\n{q.cell_error.traceback}"
    return {"name": f"{q.id}: {q.title}", "description": str(q.status),
            "points": q.score, "max_points": q.max_score, "message": message,
            "output": output, "images": _images(q)}


def _images(result) -> list[dict]:
    # Pictures (title, data_url) come with reports that have them; none is fine.
    return [{"label": p.title, "url": p.data_url} for p in getattr(result, "pictures", ())
            if str(getattr(p, "data_url", "")).startswith("data:")]


def not_gradable(message: str) -> dict:
    return {"gradable": False, "score": 0.0, "message": message, "output": "", "images": [],
            "tests": []}


DEFAULT_ROOT = "/grade"


def run(exercise: str, course=None, root: str | Path = DEFAULT_ROOT,
        allow_unisolated: bool = False) -> dict:
    """Grade the student's notebook; results.json is written whatever happens. In the sandbox,
    or unisolated only with `allow_unisolated` (the instructor's run command says so)."""
    from ..grading.pipeline import grade

    root = Path(root)
    try:
        spec = get_exercise(exercise, course)
        submission = find_submission(root / "student", spec)  # the student's mistake first
        report = grade(submission, spec.id, for_credit(course, allow_unisolated))
        data = results_json(report)
    except (SubmissionError, UsageError) as exc:
        data = not_gradable(f"Your submission could not be graded: {exc.message}"
                            + (f" Try: {exc.hint}" if exc.hint else ""))
    except InternalError as exc:
        print(f"{exc.message}\n{exc.hint}", file=sys.stderr)
        data = not_gradable(f"The autograder cannot grade this submission: {exc.message}. This "
                            "is not your mistake; please tell your instructor.")
    except Exception:
        print(traceback.format_exc(), file=sys.stderr)  # the job log, for course staff
        data = not_gradable("The autograder failed on this submission: this is not your "
                            "mistake. Please tell your instructor.")
    write_results(data, root / "results" / "results.json")
    return data
