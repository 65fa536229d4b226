"""The versions every report names: results depend on them."""

from __future__ import annotations

import platform
from functools import cache, lru_cache
from importlib.metadata import PackageNotFoundError, version


@lru_cache(maxsize=1)
def environment() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": _version("numpy"),
            "scikit-learn": _version("scikit-learn"), "grader": _version("grader")}


# The libraries whose versions the reference answers depend on: numpy (and the OpenBLAS its
# wheel ships), scipy and scikit-learn compute every number, label and centre the checks compare.
# A student bundle records them with its released values, pins them in its requirements.txt, and
# `grader check` / `ci` say when the running ones differ (grader.grading.public). Matplotlib only
# draws (figure checks count axes and points), pandas is not used by the solutions, and
# threadpoolctl only sets thread counts (kernels run one BLAS thread whatever it is).
REFERENCE_PACKAGES = ("numpy", "scipy", "scikit-learn")


def reference_environment() -> dict[str, str]:
    """Python and the versions of REFERENCE_PACKAGES running here."""
    return {"python": platform.python_version(),
            **{package: _version(package) for package in REFERENCE_PACKAGES}}


@cache   # asked for by every reference lookup; packages do not change
def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


# Set in every kernel the grader starts: `check()` in a notebook being graded does nothing.
GRADING_ENV = "GRADER_GRADING"
