"""What a batch adds per submission over the students' own cells, for every exercise of the
chapter, with a breakdown of ours by step (issue 16).

* **cells**: the solution's code cells exec'd in a Python that has already imported the
  libraries and run them once (figures rendered to PNG and closed, one BLAS thread): what the
  students' code costs at least; median of `--cell-runs` runs.
* **ours**: the marginal wall per submission of `grader grade --jobs 1` (warm kernels, sandbox
  on): (wall of N copies - wall of 1 copy) / (N - 1), so start-up, zygote and reference cancel
  out; batches of 1 and N alternate `--rounds` times, the median is shown with every run.
* **steps**: where a submission's time goes (GRADER_TIMINGS, grader.core.timings): medians over
  the submissions after the first of every N-copy batch. "cells" there is the cells as run
  over the Jupyter protocol (ours), so ours "cells" - the cells above is the protocol's share.
* **class of C on 2 workers**: `grader grade --jobs 2` of C copies, wall time (once).

Usage: python benchmarks/overhead.py [EXERCISE ...] [--copies 9] [--rounds 3] [--class-size 50]
Writes the table to benchmarks/results/overhead-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRADER = [sys.executable, "-m", "grader"]
ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                            "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"), "1")
STEPS = ("load", "kernel start", "cells", "snapshots", "extract", "kernel stop",
         "reference wait", "score", "pictures", "reports", "gradebook")

# Runs in a fresh Python: the exercise's code cells, `runs` times, after importing what they
# need once. Prints one JSON list of seconds.
CELLS_RUNNER = r"""
import json, sys, time, io, os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy, sklearn, scipy
cells, parameters_at, parameters, runs = json.loads(sys.stdin.read())
times = []
for run in range(runs + 1):
    ns = {"__name__": "__main__"}
    started = time.perf_counter()
    for i, source in enumerate(cells):
        exec(compile(source, f"cell{i}", "exec"), ns)
        if i == parameters_at:
            exec(parameters, ns)
        for number in plt.get_fignums():
            plt.figure(number).savefig(io.BytesIO(), format="png")
        plt.close("all")
    if run:   # the first run imports what the cells import: not the students' cost
        times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def cell_times(exercise: str, runs: int) -> list[float]:
    from grader import get_exercise
    from grader.kernel.execute import parameters_cell_index

    spec = get_exercise(exercise)
    import nbformat

    nb = nbformat.read(spec.solution_path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    cells = [_no_magics(c.source) for c in code]
    at = parameters_cell_index(code)
    parameters = "\n".join(f"{k} = {v!r}" for k, v in spec.parameters.items())
    with tempfile.TemporaryDirectory(prefix="grader-cells-") as tmp:
        for d in spec.data:
            shutil.copy(spec.spec_path.parent / d, Path(tmp) / Path(d).name)
        out = subprocess.run([sys.executable, "-c", CELLS_RUNNER], cwd=tmp, text=True,
                             input=json.dumps([cells, at, parameters, runs]),
                             capture_output=True, env={**os.environ, **ONE_THREAD}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _no_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def batch(exercise: str, copies: int, jobs: int, work: Path) -> tuple[float, list[dict]]:
    """(wall of `grader grade` on `copies` copies of the solution, the timings lines)."""
    from grader import get_exercise

    spec = get_exercise(exercise)
    shutil.rmtree(work, ignore_errors=True)
    subs = work / "subs"
    subs.mkdir(parents=True)
    for i in range(copies):
        shutil.copy(spec.solution_path, subs / f"s{i:03d}.ipynb")
    timings = work / "timings.jsonl"
    env = {**os.environ, **ONE_THREAD, "GRADER_TIMINGS": str(timings)}
    started = time.perf_counter()
    done = subprocess.run([*GRADER, "grade", str(subs), "--exercise", exercise,
                           "--out", str(work / "out"), "--jobs", str(jobs)],
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{exercise}: grader grade failed ({done.returncode}):\n"
                         f"{done.stdout}\n{done.stderr}")
    lines = [json.loads(line) for line in timings.read_text().splitlines()]
    return wall, lines


def steps_by_submission(lines: list[dict]) -> dict[str, dict[str, float]]:
    merged: dict[str, dict[str, float]] = defaultdict(dict)
    for line in lines:
        for step, seconds in line["steps"].items():
            merged[line["student"]][step] = merged[line["student"]].get(step, 0.0) + seconds
    return merged


def measure(exercise: str, args, work: Path) -> dict:
    cells = cell_times(exercise, args.cell_runs)
    ones, manys, steps = [], [], defaultdict(list)
    for _ in range(args.rounds):
        ones.append(batch(exercise, 1, 1, work / "one")[0])
        wall, lines = batch(exercise, args.copies, 1, work / "many")
        manys.append(wall)
        for _, record in sorted(steps_by_submission(lines).items())[1:]:
            for step in STEPS:
                steps[step].append(record.get(step, 0.0))
    marginal = [(m - o) / (args.copies - 1) for o, m in zip(ones, manys)]
    row = {"exercise": exercise, "cells": statistics.median(cells), "cell_runs": cells,
           "ours": statistics.median(marginal), "ours_runs": marginal,
           "steps": {s: statistics.median(v) for s, v in steps.items()}}
    if args.class_size:
        row["class_wall"] = batch(exercise, args.class_size, 2, work / "class")[0]
    return row


def table(rows: list[dict], args) -> str:
    head = ("| exercise | cells | ours | ours - cells | ours / cells | class of "
            f"{args.class_size}, 2 workers | ours, every run |")
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['exercise']} | {r['cells']:.3f} s | {r['ours']:.3f} s | "
                     f"{r['ours'] - r['cells']:+.3f} s | {r['ours'] / r['cells']:.1f}x | "
                     f"{r.get('class_wall', float('nan')):.1f} s | "
                     f"{', '.join(f'{t:.3f}' for t in r['ours_runs'])} |")
    lines += ["", "Steps of ours (median seconds per submission, submissions after the first "
              "of each batch):", "", "| exercise | " + " | ".join(STEPS) + " |",
              "|---" * (len(STEPS) + 1) + "|"]
    for r in rows:
        lines.append(f"| {r['exercise']} | " + " | ".join(
            f"{r['steps'].get(s, 0.0):.3f}" for s in STEPS) + " |")
    lines += ["", "Cells, every run (s): " + "; ".join(
        f"{r['exercise']} {', '.join(f'{t:.3f}' for t in r['cell_runs'])}" for r in rows)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cell-runs", type=int, default=3)
    parser.add_argument("--class-size", type=int, default=50)
    args = parser.parse_args()
    from grader.core.catalog import list_exercises

    exercises = args.exercises or [e.id for e in list_exercises()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="grader-overhead-") as tmp:
        for exercise in exercises:
            row = measure(exercise, args, Path(tmp) / exercise)
            rows.append(row)
            print(f"{exercise}: cells {row['cells']:.3f} s, ours {row['ours']:.3f} s "
                  f"({row['ours'] - row['cells']:+.3f} s)", flush=True)
    text = (f"# Per-submission overhead, {datetime.date.today()}\n\n`python benchmarks/"
            f"overhead.py {' '.join(sys.argv[1:])}` (copies {args.copies}, rounds "
            f"{args.rounds}; machine: {os.cpu_count()} cores)\n\n" + table(rows, args))
    results = ROOT / "benchmarks" / "results"
    stem = f"overhead-{datetime.date.today()}"
    path = results / f"{stem}.md"
    n = 1
    while path.exists():
        n += 1
        path = results / f"{stem}-run{n}.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
