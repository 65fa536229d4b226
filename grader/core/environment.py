"""The versions every report names: results depend on them."""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version


@lru_cache(maxsize=1)
def environment() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": _version("numpy"),
            "scikit-learn": _version("scikit-learn"), "grader": _version("grader")}


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


# Set in every kernel the grader starts: `check()` in a notebook being graded does nothing.
GRADING_ENV = "GRADER_GRADING"
