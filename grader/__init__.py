"""grader: grade machine-learning notebooks fairly, fast, with feedback people read.

The common case is one call::

    from grader import grade
    report = grade("exercises/kmeans_basics.ipynb")
    print(report.score, "/", report.max_score)

In a student's notebook, `from grader import check; check("q1_fit")` runs one question's
public checks on the live answers.
"""

from .batch import grade_class
from .catalog import get_exercise, list_exercises
from .errors import GraderError, InternalError, SpecError, SubmissionError, UsageError
from .notebook_check import check
from .pipeline import grade
from .results import CheckResult, QuestionResult, Report, Status

__all__ = [
    "grade", "grade_class", "check", "list_exercises", "get_exercise",
    "Report", "QuestionResult", "CheckResult", "Status",
    "GraderError", "UsageError", "SubmissionError", "SpecError", "InternalError",
]
