"""Plain records of one execution: what each cell did, what came back, and the limits it ran
under. They cross from the kernel stack to the scorer, which must not import that stack."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Extracted
from .results import CellError

GiB = 2**30



@dataclass(frozen=True)
class CellRun:
    index: int                 # position in the notebook (all cells, markdown included)
    source: str
    status: str                # ok | error | timeout | not-run
    error: CellError | None = None
    question: str | None = None  # the question the exercise tagged this cell with, if any
    outputs: tuple = ()        # the images this run displayed ({"data": {mime: base64}})


@dataclass(frozen=True)
class Execution:
    cells: tuple[CellRun, ...]
    answers: Extracted | None  # None when nothing could be extracted (dead or stuck kernel)
    notices: tuple[str, ...]
    duration_s: float


@dataclass(frozen=True)
class ResourceLimits:
    memory_bytes: int = 4 * GiB      # address space of each process
    cpu_seconds: int = 900           # CPU time of the kernel (its wall-clock limit is lower)
    max_processes: int = 128         # processes and threads the submission may have at once
    max_file_bytes: int = 1 * GiB    # largest file it may write
    workdir_bytes: int = 1 * GiB     # all it may keep in its working folder at once


DISK_ENAME = "DiskQuotaExceeded"   # a cell's error when the kernel was stopped for what its
                                   # working folder held (grader.kernel.diskwatch)


@dataclass(frozen=True)
class Limits:
    cell_timeout: float = 120.0
    notebook_timeout: float = 600.0
    resources: ResourceLimits = ResourceLimits()
    isolate: bool = False   # run the kernel in the bubblewrap sandbox (grader.kernel.sandbox)
    readable: tuple[str, ...] = ()   # extra folders the sandboxed kernel may read (data)
