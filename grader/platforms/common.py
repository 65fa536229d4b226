"""What the platform drivers share: finding the student's notebook in the files a platform
hands over, and writing its results file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..core.environment import environment
from ..core.settings import GradeSettings
from ..core.spec import Exercise
from ..errors import InternalError, SubmissionError
from ..kernel.sandbox import bubblewrap, isolation_problem

SKIP_PARTS = {".ipynb_checkpoints", "__MACOSX", "__pycache__"}


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


DEFAULT_INSTALL = "grader @ git+https://github.com/YOUR-ORG/grader@v{version}"


def install_line(install: str | None, wheel: Path | None, out: Path) -> str:
    if wheel:
        (out / "vendor").mkdir(exist_ok=True)
        shutil.copy(wheel, out / "vendor" / Path(wheel).name)
        return f"./vendor/{Path(wheel).name}"
    return install or DEFAULT_INSTALL.format(version=environment()["grader"])


UNISOLATED_NOTICE = ("Graded without the sandbox ({why}), as the instructor allowed for this "
                     "autograder.")


def for_credit(course, allow_unisolated: bool) -> GradeSettings:
    """How a platform grades for credit: in the sandbox, or unisolated only when the instructor
    opted in (then with a notice every report shows). Without either, InternalError: a for-credit
    run must not run student code next to the course and its reference answers."""
    if bubblewrap() is not None:
        return GradeSettings(course=course, isolate=True, final=True)
    if not allow_unisolated:
        why = isolation_problem()
        raise InternalError(f"the autograder cannot isolate student code on this machine "
                            f"({why}), so it refuses to grade for credit",
                            "instructors: install bubblewrap in the autograder's image, or "
                            "rebuild it with --allow-unisolated if you accept the risk")
    return GradeSettings(course=course, isolate=False, final=True,
                         unisolated_notice=UNISOLATED_NOTICE)
