"""Where a submission's time goes: named steps, timed where they happen, summed per submission.

`with timed("cells"):` adds the wall time of its block to the step "cells" of the submission
being graded in this thread (a batch grades several at once, one per thread; a step timed
outside any submission is not recorded). `measuring()` opens a submission's record and yields
its dict of step -> seconds. Costs a perf_counter call per step: always on, read by the batch
(GRADER_TIMINGS=FILE appends one JSON line per submission) and by benchmarks/overhead.py.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_local = threading.local()
_write_lock = threading.Lock()
ENV = "GRADER_TIMINGS"


@contextmanager
def measuring() -> Iterator[dict[str, float]]:
    """A fresh record for the submission graded in this thread, yielded while it runs."""
    outer = getattr(_local, "steps", None)
    _local.steps = steps = {}
    try:
        yield steps
    finally:
        _local.steps = outer


@contextmanager
def timed(step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        add(step, time.perf_counter() - started)


def add(step: str, seconds: float) -> None:
    steps = getattr(_local, "steps", None)
    if steps is not None:
        steps[step] = steps.get(step, 0.0) + seconds


def current() -> dict[str, float] | None:
    """The record of the submission graded in this thread (None outside one)."""
    return getattr(_local, "steps", None)


def write(student: str, steps: dict[str, float], total: float) -> None:
    """One JSON line to the file GRADER_TIMINGS names, if it names one."""
    path = os.environ.get(ENV)
    if not path:
        return
    line = json.dumps({"student": student, "total": round(total, 4),
                       "steps": {k: round(v, 4) for k, v in steps.items()}})
    with _write_lock, Path(path).open("a", encoding="utf-8") as f:
        f.write(line + "\n")


@contextmanager
def phases(manager, start: str, stop: str):
    """`with manager`, its entering timed as step `start` and its leaving as step `stop`."""
    with timed(start):
        value = manager.__enter__()
    try:
        yield value
    except BaseException as exc:
        with timed(stop):
            suppressed = manager.__exit__(type(exc), exc, exc.__traceback__)
        if not suppressed:
            raise
    else:
        with timed(stop):
            manager.__exit__(None, None, None)
