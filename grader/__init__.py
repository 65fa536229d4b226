"""grader: grade machine-learning notebooks fairly, fast, with feedback people read.

The common case is one call::

    from grader import grade
    report = grade("exercises/kmeans_basics.ipynb")
    print(report.score, "/", report.max_score)
"""

from .batch import grade_class
from .catalog import get_exercise, list_exercises
from .errors import GraderError, InternalError, SpecError, SubmissionError, UsageError
from .pipeline import grade
from .results import CheckResult, QuestionResult, Report, Status

__all__ = [
    "grade", "grade_class", "list_exercises", "get_exercise",
    "Report", "QuestionResult", "CheckResult", "Status",
    "GraderError", "UsageError", "SubmissionError", "SpecError", "InternalError",
]
