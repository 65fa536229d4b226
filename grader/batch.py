"""Grade a class: many submissions of one exercise, in parallel, into one gradebook.

One broken submission never stops the batch: a file that cannot be read, or a fault of ours,
becomes that student's row with a clear status, and the others go on.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .catalog import get_exercise
from .environment import environment
from .errors import GraderError, SubmissionError, UsageError
from .formats.html import write_html
from .formats.json_report import write_json
from .formats.lms import export_csv
from .gradebook import connect, record
from .pipeline import execution_limits, grade
from .reference import reference_answers
from .results import QuestionResult, Report, Status
from .sandbox import bubblewrap, isolation_problem
from .spec import Exercise
from .warm import KernelPool

SUFFIXES = (".ipynb", ".py")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


@dataclass(frozen=True)
class BatchResult:
    out: Path
    gradebook: Path
    grades_csv: Path
    reports: dict   # student -> Report


def grade_class(paths: list[str | os.PathLike], exercise: str, out: str | os.PathLike, *,
                jobs: int = 1, course: str | os.PathLike | None = None,
                parameters: dict | None = None, limits: dict | None = None,
                isolate: bool | None = None, allow_unisolated: bool = False, on_result: Callable[[str, Report], None] | None = None) -> BatchResult:
    """Grade every submission found in `paths` into `out` (gradebook, CSV, reports).

    Refuses to run student code unisolated unless `allow_unisolated` (trusted code only)."""
    spec = get_exercise(exercise, course)
    if not allow_unisolated and (isolate is False or bubblewrap() is None):
        why = "isolation was turned off" if isolate is False else isolation_problem()
        raise UsageError(f"refusing to grade a class unisolated: {why}",
                         "install bubblewrap (Debian/Ubuntu: apt install bubblewrap), or pass "
                         "--allow-unisolated if every submission is trusted")
    submissions = discover(paths, spec)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    params = {**spec.parameters, **(parameters or {})}
    run = {"limits": limits or {}, "isolate": isolate, "parameters": params}
    reference_answers(spec, params, execution_limits(spec, run["limits"], isolate))  # once
    db = connect(out / "gradebook.sqlite")
    reports = {}
    with KernelPool() as kernels, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        run["pool"] = kernels
        futures = {pool.submit(_grade_one, s, spec, course, run): s for s in submissions}
        for future in as_completed(futures):
            sub = futures[future]
            status, report = future.result()
            _write_reports(report, out / sub.student)
            record(db, sub.student, _sha256(sub.path), status, report)
            reports[sub.student] = report
            if on_result:
                on_result(sub.student, report)
    export_csv(db, spec.id, [q.id for q in spec.questions], out / "grades.csv")
    db.close()
    return BatchResult(out, out / "gradebook.sqlite", out / "grades.csv", reports)


def discover(paths: list[str | os.PathLike], spec: Exercise) -> list[Submission]:
    """Submissions and student ids: `alice.ipynb` is alice's; so is `alice/<anything>.ipynb`."""
    found: list[Submission] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += _from_folder(path, spec)
        elif path.exists():
            found.append(Submission(_student_of(path, spec), path))
        else:
            raise UsageError(f"{path}: no such file or folder", "check the path")
    _reject_duplicates(found)
    return sorted(found, key=lambda s: s.student)


def _from_folder(folder: Path, spec: Exercise) -> list[Submission]:
    found = [Submission(_student_of(p, spec), p) for p in sorted(folder.iterdir())
             if p.is_file() and p.suffix in SUFFIXES]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = [p for p in sorted(sub.iterdir()) if p.is_file() and p.suffix in SUFFIXES]
        preferred = [p for p in files if p.stem == spec.id] or files
        # A student folder without a notebook is graded too: its row says what is missing.
        found.append(Submission(sub.name, preferred[0] if preferred else sub))
    return found


def _student_of(path: Path, spec: Exercise) -> str:
    # A file named after the exercise says nothing about its author: the folder does.
    return path.parent.name if path.stem == spec.id else path.stem


def _reject_duplicates(found: list[Submission]) -> None:
    seen: dict[str, Path] = {}
    for sub in found:
        if sub.student in seen:
            raise UsageError(f"two submissions for student {sub.student!r}: {seen[sub.student]} "
                             f"and {sub.path}", "keep one file per student")
        seen[sub.student] = sub.path


def _grade_one(sub: Submission, spec: Exercise, course, run: dict) -> tuple[str, Report]:
    try:
        return "graded", grade(sub.path, spec.id, course=course, **run)
    except SubmissionError as exc:
        return "unreadable", unreadable_report(spec, sub.path, Status.ERROR, str(exc))
    except GraderError as exc:
        return "grader-error", unreadable_report(spec, sub.path, Status.GRADER_ERROR, str(exc))
    except Exception as exc:  # our fault: record it for this student, go on with the others
        return "grader-error", unreadable_report(
            spec, sub.path, Status.GRADER_ERROR, f"internal error ({type(exc).__name__}: {exc})")


def unreadable_report(spec: Exercise, path: Path, status: Status, message: str) -> Report:
    """A report for a submission that could not be graded at all: every question says why."""
    questions = tuple(QuestionResult(q.id, q.title, 0.0, q.points, status, message,
                                     visibility=q.visibility) for q in spec.questions)
    return Report(spec.id, str(path), 0.0, spec.max_score, questions, environment(),
                  spec.seed, 0.0, {}, notices=(message,))


def _write_reports(report: Report, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_json(report, folder / "report.json")
    write_html(report, folder / "report.html")


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
