"""grader: grade machine-learning notebooks fairly, fast, with feedback people read.

The common case is one call::

    from grader import grade
    report = grade("exercises/kmeans_basics.ipynb")
    print(report.score, "/", report.max_score)

How to grade (parameters, limits, isolation, course; a class's jobs, resume...) is one typed
object: `grade(path, settings=GradeSettings(isolate=True))`,
`grade_class(paths, "kmeans_basics", "graded", BatchSettings(jobs=2))`.

In a student's notebook, `from grader import check; check("q1_fit")` runs one question's
public checks on the live answers.
"""

import importlib

# Loaded on first use: `import grader` (and so every `grader` command, and `check` in a
# student's notebook) pays only for the modules the names it uses need.
_PUBLIC = {
    "grade": "grading.pipeline", "grade_class": "grading.batch",
    "check": "grading.notebook_check",
    "list_exercises": "core.catalog", "get_exercise": "core.catalog",
    "Report": "core.results", "QuestionResult": "core.results", "CheckResult": "core.results",
    "Status": "core.results",
    "GradeSettings": "core.settings", "BatchSettings": "core.settings",
    "LimitOverrides": "core.settings",
    "GraderError": "errors", "UsageError": "errors", "SubmissionError": "errors",
    "SpecError": "errors", "InternalError": "errors",
}
__all__ = list(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'grader' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value  # once is enough
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
