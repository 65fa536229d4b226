"""What every tool's module shares: the run context, a measurement, and how to take one."""

from __future__ import annotations

import os
import statistics
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import measure

# Every BLAS / OpenMP pool the scientific stack may start: one thread per worker, so 2 workers
# on 2 cores do not fight over them (with the defaults, 2 workers are slower than 1).
ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                            "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                            "NUMEXPR_NUM_THREADS"), "1")


@dataclass
class Context:
    work: Path                      # everything the run writes
    students: list                  # assignment.Student
    refs: dict                      # reference values (from the solution)
    ours_python: str                # the python our grader is installed in
    anchors_python: str | None      # the python otter-grader and nbgrader are installed in
    log: Path                       # every command and its output
    load_at_start: tuple = ()       # os.getloadavg() before anything ran
    busy_at_start: float = 0.0      # share of the CPU in use just before (measure.busy_share)
    sample_hz: float | None = 10.0   # memory sampling rate (None: memory not measured)

    @property
    def env(self) -> dict:
        return {**os.environ, **ONE_THREAD, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"}

    def env_of(self, python: str | None) -> dict:
        """`env` with `python`'s virtual environment activated (nbgrader runs `alembic` from the
        PATH, as in an instructor's activated environment)."""
        bin_dir = str(Path(python).parent)
        return {**self.env, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                "VIRTUAL_ENV": str(Path(bin_dir).parent)}

    def bin(self, python: str | None, name: str) -> str:
        return str(Path(python).parent / name)

    def run(self, argv: list, **kwargs) -> measure.Run:
        kwargs.setdefault("env", self.env_of(argv[0]))   # every tool runs from a venv's bin/
        return measure.run(argv, log=self.log, **kwargs)


@dataclass
class Measurement:
    tool: str
    workers: int
    wall: float | None = None
    end_to_end: float | None = None   # the whole command, start-up included (else: wall)
    per_submission: list = field(default_factory=list)   # seconds each submission took
    peak_tree_bytes: int | None = None   # None: memory not measured
    peak_tree_pss: int | None = None
    sampler_cpu_s: float = 0.0           # CPU time the memory sampler used during the run
    error: str | None = None
    note: str = ""
    verdicts: dict | None = None    # student -> tuple of bools (question passed?)
    repeats: list = field(default_factory=list)   # the runs behind a median row, in run order

    @property
    def median(self) -> float | None:
        return statistics.median(self.per_submission) if self.per_submission else None

    @property
    def peak_per_worker(self) -> float | None:
        return None if self.peak_tree_bytes is None else self.peak_tree_bytes / self.workers

    @property
    def pss_per_worker(self) -> float | None:
        return None if self.peak_tree_pss is None else self.peak_tree_pss / self.workers


def median_of(runs: list[Measurement]) -> Measurement:
    """One row for several runs of the same tool and worker count: the median wall of the runs
    that did not fail (of those without the memory sampler, if any); median/sub over every
    submission of those runs; the largest peak memory;
    the verdicts of the run whose wall is the median (every run stays in `repeats`, whose
    verdicts the agreement check reads)."""
    ok = [r for r in runs if not r.error]
    if len(runs) == 1 or not ok:
        return runs[0]
    # Times from the runs without the memory sampler, when there are any.
    timed = [r for r in ok if r.peak_tree_bytes is None] or ok
    middle = sorted(timed, key=lambda r: r.wall)[(len(timed) - 1) // 2]
    m = Measurement(middle.tool, middle.workers, wall=statistics.median(r.wall for r in timed),
                    end_to_end=statistics.median(r.end_to_end or r.wall for r in timed),
                    per_submission=[t for r in timed for t in r.per_submission],
                    peak_tree_bytes=_largest(r.peak_tree_bytes for r in ok),
                    peak_tree_pss=_largest(r.peak_tree_pss for r in ok),
                    sampler_cpu_s=max(r.sampler_cpu_s for r in ok),
                    note=middle.note, verdicts=middle.verdicts, repeats=list(runs))
    failed = [r for r in runs if r.error]
    if failed:
        said = f"{len(failed)} of {len(runs)} runs failed: {failed[0].error.splitlines()[0][:100]}"
        m.note = f"{m.note}; {said}" if m.note else said
    return m


def _largest(values) -> int | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


class Failed(Exception):
    """A tool failed: the message is what the table says."""


def measured(ctx: Context, tool: str, workers: int,
             body: Callable[[Measurement], None]) -> Measurement:
    """Run `body` (which fills the measurement's times and verdicts) under the memory sampler
    (unless `ctx.sample_hz` is None); any failure becomes the row's error instead of ending the
    benchmark."""
    m = Measurement(tool, workers)
    started = time.monotonic()
    try:
        if ctx.sample_hz is None:
            body(m)
        else:
            with measure.TreeMemory(ctx.sample_hz) as memory:
                body(m)
            m.peak_tree_bytes, m.peak_tree_pss = memory.peak, memory.peak_pss
            m.sampler_cpu_s = memory.cpu_s
        if m.wall is None:
            m.wall = time.monotonic() - started
    except Failed as exc:
        m.error = str(exc)
    except Exception as exc:   # a bug here or a tool's surprise: say it, go on with the others
        m.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    return m


def in_pool(workers: int, jobs: list[Callable[[], measure.Run]]) -> tuple[float, list]:
    """Run independent commands `workers` at a time (as an instructor's shell loop with
    `xargs -P` would); return the wall time and the runs in job order."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(lambda job: job(), jobs))
    return time.monotonic() - started, runs


def failed_run(what: str, r: measure.Run) -> Failed:
    """The run's most telling line (the last that names an error, else its last line)."""
    lines = [s.strip() for s in (r.stderr + "\n" + r.stdout).splitlines() if s.strip()]
    telling = [s for s in lines if "rror" in s or "xception" in s] or lines or ["no output"]
    return Failed(f"{what} exited {r.returncode}: {telling[-1][:200]}")
