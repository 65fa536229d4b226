"""grader: grade machine-learning notebooks fairly, fast, with feedback people read.

The common case is one call::

    from grader import grade
    report = grade("exercises/kmeans_basics.ipynb")
    print(report.score, "/", report.max_score)

In a student's notebook, `from grader import check; check("q1_fit")` runs one question's
public checks on the live answers.
"""

import importlib

# Loaded on first use: `import grader` (and so every `grader` command, and `check` in a
# student's notebook) pays only for the modules the names it uses need.
_PUBLIC = {
    "grade": "pipeline", "grade_class": "batch", "check": "notebook_check",
    "list_exercises": "catalog", "get_exercise": "catalog",
    "Report": "results", "QuestionResult": "results", "CheckResult": "results",
    "Status": "results",
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
