"""Grade one submission: the whole data flow, top to bottom."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..core import timings
from ..core.catalog import get_exercise
from ..core.environment import environment
from ..core.records import Limits, ResourceLimits
from ..core.results import Report
from ..core.settings import GradeSettings
from ..core.spec import Exercise
from ..core.submission import exercise_id_of, load_submission
from ..errors import UsageError
from ..kernel.execute import run_notebook
from ..kernel.sandbox import bubblewrap, hidden_from_others, isolation_problem, kernel_uid
from .hints import with_seed_hints
from .pictures import with_pictures
from .reference import reference_for
from .score import score_questions

UNISOLATED = ("Ran unisolated ({why}): fine for checking your own work; instructors grade in a "
              "sandbox.")


def grade(submission: str | os.PathLike, exercise: str | None = None,
          settings: GradeSettings = GradeSettings()) -> Report:
    """Grade one notebook or module and return its Report.

    `exercise` names the exercise; when omitted it is read from the notebook's metadata.
    `settings` (grader.core.settings.GradeSettings): parameters, limits, isolation, course and
    the warm kernel pool; the defaults isolate when the machine can and start a cold kernel.
    Raises SubmissionError / UsageError when the file cannot be graded at all.
    """
    started = time.monotonic()
    with timings.timed("load"):
        nb = load_submission(submission)
        spec, notices = resolve_exercise(nb, exercise, settings.course, Path(submission))
        params = final_parameters(spec, settings)
        limits = execution_limits(spec, settings)
    if not limits.isolate:
        why = "isolation was turned off" if bubblewrap() else isolation_problem()
        notices.append((settings.unisolated_notice or UNISOLATED).format(why=why))
    # The reference (cached, released in a student bundle, or the solution run in a kernel of
    # its own) is only needed to score: it is found while the submission runs.
    with ThreadPoolExecutor(1, thread_name_prefix="grader-reference") as one:
        reference = (one.submit(settings.reference) if settings.reference else
                     one.submit(reference_for, spec, params, limits))
        execution = run_notebook(nb, spec.extract_names, spec.probes, params, limits,
                                 tuple(spec.spec_path.parent / d for d in spec.data),
                                 settings.pool, spec.question_names)
        with timings.timed("reference wait"):
            reference = reference.result()
    with timings.timed("score"):
        questions = with_seed_hints(nb, params, execution,
                                    score_questions(spec, execution, reference))
    with timings.timed("pictures"):
        questions, figures = with_pictures(spec, nb, execution, reference, questions)
    return Report(
        exercise=spec.id, submission=str(submission),
        score=round(sum(q.score for q in questions), 2), max_score=spec.max_score,
        questions=questions, environment=environment(),
        seed=params.get("seed", spec.seed), duration_s=round(time.monotonic() - started, 3),
        parameters=params, cell_errors=tuple(r.error for r in execution.cells if r.error),
        notices=tuple(notices) + execution.notices, pictures=figures,
    )


def final_parameters(spec: Exercise, settings: GradeSettings) -> dict:
    """The parameters cell's overrides: the exercise's, its [grading] ones when grading is
    final, then the caller's (-p)."""
    grading = spec.grading_parameters if settings.final else {}
    return {**spec.parameters, **grading, **settings.parameters}


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


def execution_limits(spec: Exercise, settings: GradeSettings = GradeSettings()) -> Limits:
    """The exercise's limits, with the caller's overrides, isolated whenever possible."""
    available = bubblewrap() is not None
    isolate, overrides = settings.isolate, settings.limits
    if isolate and not available:
        raise UsageError(f"cannot isolate student code: {isolation_problem()}",
                         "install bubblewrap, or run without isolation on trusted code only")
    memory = overrides.memory_gib
    resources = ResourceLimits(memory_bytes=int(memory * 2**30)) if memory else ResourceLimits()
    limits = Limits(cell_timeout=overrides.cell_timeout or spec.cell_timeout,
                    notebook_timeout=overrides.notebook_timeout or spec.notebook_timeout,
                    resources=resources, isolate=available if isolate is None else isolate,
                    readable=tuple(str(Path(p).resolve()) for p in overrides.readable))
    if limits.isolate and kernel_uid() is not None:
        for path in limits.readable:
            hidden = hidden_from_others(Path(path))
            if hidden:
                raise UsageError(f"--data {path}: {hidden} cannot be read by student code, which "
                                 "runs as an unprivileged user of its own (the grader runs as "
                                 "root)", f"make it readable to others: chmod -R o+rX {path}")
    return limits
