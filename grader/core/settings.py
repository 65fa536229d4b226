"""How to grade, as one typed object per scope, each field with its default and what it means.

`GradeSettings` is everything one submission's grade depends on besides the files (and what
every student of a batch shares); `BatchSettings` adds how a class is run. The command line
builds them from its options; `grade()` and `grade_class()` take them whole, and a batch hands
the same `GradeSettings` to every worker, local or on Dask (they are frozen and picklable).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LimitOverrides:
    """The caller's changes to an exercise's execution limits (None keeps the exercise's)."""

    cell_timeout: float | None = None      # seconds per cell
    notebook_timeout: float | None = None  # seconds for all the student's cells together
    memory_gib: float | None = None        # address space per process, GiB (default 4)
    readable: tuple[str, ...] = ()         # files or folders the sandboxed kernel may read


@dataclass(frozen=True)
class GradeSettings:
    """How a submission is graded."""

    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Overrides of the notebook's `parameters` cell, for the solution and submission alike."""
    limits: LimitOverrides = LimitOverrides()
    """Execution limits, where they differ from the exercise's."""
    isolate: bool | None = None
    """True: the sandbox is required; False: run unisolated; None: isolate when possible."""
    course: str | os.PathLike | None = None
    """The course folder (exercises/ and solutions/); None: found from the current folder."""
    final: bool = False
    """Final grading: the exercise's [grading] parameters apply (values students never saw).
    A class batch and the for-credit platform runs set it; a self-check does not."""
    unisolated_notice: str | None = None
    """What a report says when it ran unisolated ({why} is filled in); None: the self-check
    notice ("fine for checking your own work; instructors grade in a sandbox")."""
    pool: Any = field(default=None, compare=False)
    """A grader.kernel.warm.KernelPool to fork the kernel from; None starts a cold kernel. A
    live object of one process: a batch sets it per worker, it never travels to Dask."""
    reference: Any = field(default=None, compare=False)
    """A function returning the reference answers (it may wait for them): a local batch loads
    them once for all its submissions. None: each grade finds them (cache, bundle or solution).
    Like `pool`, of one process only."""


@dataclass(frozen=True)
class BatchSettings:
    """How a class is graded: the submissions' settings, plus the batch's own."""

    grading: GradeSettings = GradeSettings()
    jobs: int | None = None
    """Submissions graded at the same time on this machine; None: one per core."""
    allow_unisolated: bool = False
    """Grade without the sandbox when it is unavailable (trusted code only)."""
    resume: bool = False
    """Finish an earlier run: grade only what it did not record, or what changed since."""
    fresh: bool = False
    """Forget the exercise's rows and reports in the output folder; grade everything."""
    scheduler: str | None = None
    """A Dask scheduler's address to grade on, instead of local workers."""
    warm: bool = True
    """Fork each kernel from a pre-warmed zygote per worker (else start every kernel cold)."""
    released: str | None = None
    """The instructor's copy of the student bundle: each student repository's release files
    (workflow, specs, references, requirements) are compared with it and changes reported."""
