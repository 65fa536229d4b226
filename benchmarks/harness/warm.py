"""The physical limit: the submissions' cells in kernels that are already warm (one per worker,
started and with the libraries imported before the clock starts), each cell sent through a
jupyter_client session that reuses the kernel; only cell execution is timed. No isolation and
no fresh state: a bound no real grader can reach, only approach."""

from __future__ import annotations

import json
from pathlib import Path

from .assignment import SETUP
from .common import Context, Failed, Measurement, failed_run, measured

SCRIPT = Path(__file__).with_name("warm_kernels.py")


def build(ctx: Context) -> None:
    cells = {s.id: [SETUP, *s.answers] for s in ctx.students}
    path = ctx.work / "warm" / "cells.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cells), encoding="utf-8")


def measure(ctx: Context, workers: int) -> Measurement:
    def body(m: Measurement) -> None:
        out = ctx.work / "warm" / f"times-w{workers}.json"
        r = ctx.run([ctx.ours_python, SCRIPT, ctx.work / "warm" / "cells.json", out,
                     "--workers", workers])
        if not r.ok:
            raise failed_run("warm kernels", r)
        times = json.loads(out.read_text(encoding="utf-8"))
        if times["errors"]:
            raise Failed(f"kernel trouble: {times['errors'][:2]}")
        m.wall = times["wall"]
        m.end_to_end = r.wall   # its kernels' start and imports too, as ours counts them
        m.per_submission = list(times["per_submission"].values())
        m.note = "cells only"

    return measured(ctx, "warm kernels (limit)", workers, body)
