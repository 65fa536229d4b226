"""Grade one submission: the whole data flow, top to bottom."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..core.catalog import get_exercise
from ..core.environment import environment
from ..core.records import Limits, ResourceLimits
from ..core.results import Report
from ..core.spec import Exercise
from ..core.submission import exercise_id_of, load_submission
from ..errors import UsageError
from ..kernel.execute import run_notebook
from ..kernel.sandbox import bubblewrap, isolation_problem
from ..kernel.warm import KernelPool
from .pictures import with_pictures
from .reference import reference_for
from .score import score_questions


def grade(submission: str | os.PathLike, exercise: str | None = None, *,
          course: str | os.PathLike | None = None, parameters: dict | None = None,
          limits: dict | None = None, isolate: bool | None = None,
          pool: KernelPool | None = None) -> Report:
    """Grade one notebook or module and return its Report.

    `exercise` names the exercise; when omitted it is read from the notebook's metadata.
    `parameters` override the exercise's `parameters` cell, for the solution and the submission
    alike. `limits` overrides the exercise's execution limits (cell_timeout, notebook_timeout,
    memory_gib, readable). `isolate`: True requires the sandbox, False runs unisolated, None
    (default) isolates when the machine can. `pool`: a grader.kernel.warm.KernelPool to fork the
    kernel from a pre-warmed zygote (a batch passes one; by default a kernel starts cold). Raises SubmissionError / UsageError when the file
    cannot be graded at all.
    """
    started = time.monotonic()
    nb = load_submission(submission)
    spec, notices = resolve_exercise(nb, exercise, course, Path(submission))
    params = {**spec.parameters, **(parameters or {})}
    limits = execution_limits(spec, limits or {}, isolate)
    if not limits.isolate:
        why = "isolation was turned off" if bubblewrap() else isolation_problem()
        notices.append(f"Ran unisolated ({why}): fine for checking your own work; instructors "
                       "grade in a sandbox.")
    reference = reference_for(spec, params, limits)  # a student bundle has no solution
    execution = run_notebook(nb, spec.extract_names, spec.probes, params, limits,
                             tuple(spec.spec_path.parent / d for d in spec.data), pool)
    questions = score_questions(spec, execution, reference)
    questions, figures = with_pictures(spec, nb, execution, reference, questions)
    return Report(
        exercise=spec.id, submission=str(submission),
        score=sum(q.score for q in questions), max_score=spec.max_score,
        questions=questions, environment=environment(),
        seed=params.get("seed", spec.seed), duration_s=round(time.monotonic() - started, 3),
        parameters=params, cell_errors=tuple(r.error for r in execution.cells if r.error),
        notices=tuple(notices) + execution.notices, pictures=figures,
    )


def resolve_exercise(nb, exercise: str | None, course, path: Path) -> tuple[Exercise, list[str]]:
    """The exercise named on the command line, else the one in the notebook's metadata."""
    declared = exercise_id_of(nb)
    if exercise is None and declared is None:
        raise UsageError(f"{path}: cannot tell which exercise this is (its metadata names none "
                         f"and no --exercise was given)",
                         "pass --exercise ID (see `grader list`), or start from the notebook in "
                         "exercises/, which carries its exercise id")
    spec = get_exercise(exercise or declared, course)
    notices = []
    if exercise and declared and declared != exercise:
        notices.append(f"This notebook says it belongs to {declared!r}; it was graded as "
                       f"{exercise!r} as asked.")
    return spec, notices


def execution_limits(spec: Exercise, overrides: dict, isolate: bool | None) -> Limits:
    """The exercise's limits, with the caller's overrides, isolated whenever possible."""
    available = bubblewrap() is not None
    if isolate and not available:
        raise UsageError(f"cannot isolate student code: {isolation_problem()}",
                         "install bubblewrap, or run without isolation on trusted code only")
    memory = overrides.get("memory_gib")
    resources = ResourceLimits(memory_bytes=int(memory * 2**30)) if memory else ResourceLimits()
    return Limits(cell_timeout=overrides.get("cell_timeout") or spec.cell_timeout,
                  notebook_timeout=overrides.get("notebook_timeout") or spec.notebook_timeout,
                  resources=resources, isolate=available if isolate is None else isolate,
                  readable=tuple(str(Path(p).resolve()) for p in overrides.get("readable", ())))
