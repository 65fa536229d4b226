"""PrairieLearn external grader: grade /grade/student and write /grade/results/results.json.

PrairieLearn mounts the student's files in /grade/student, the question's tests/ folder in
/grade/tests and course files in /grade/serverFilesCourse; the course (exercises/ and
solutions/) goes in one of them (see the README's PrairieLearn recipe).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from .catalog import get_exercise
from .errors import SubmissionError, UsageError
from .formats.prairielearn import not_gradable, results_json
from .gradescope_run import find_submission, write_results

DEFAULT_ROOT = "/grade"


def run(exercise: str, course=None, root: str | Path = DEFAULT_ROOT) -> dict:
    """Grade the student's notebook; results.json is written whatever happens."""
    from .pipeline import grade

    root = Path(root)
    try:
        spec = get_exercise(exercise, course)
        report = grade(find_submission(root / "student", spec), spec.id, course=course)
        data = results_json(report)
    except (SubmissionError, UsageError) as exc:
        data = not_gradable(f"Your submission could not be graded: {exc.message}"
                            + (f" Try: {exc.hint}" if exc.hint else ""))
    except Exception:  # noqa: BLE001 - whatever happens, PrairieLearn gets a results.json
        print(traceback.format_exc(), file=sys.stderr)  # the job log, for course staff
        data = not_gradable("The autograder failed on this submission: this is not your "
                            "mistake. Please tell your instructor.")
    write_results(data, root / "results" / "results.json")
    return data
