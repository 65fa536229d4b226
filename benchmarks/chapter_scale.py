"""The whole chapter at scale (issue 16): every exercise x N submissions, generated from its
solution and its variants (tests/variants: right and wrong ways to answer), graded on this
machine with `grader grade --jobs 2`, then the same on a two-worker Dask LocalCluster.

Per exercise: wall time of each way, their ratio, and the peak memory of the grader's whole
process tree (RSS sum, sampled 10 times a second: an upper bound) divided by the 2 workers.

Usage: python benchmarks/chapter_scale.py [EXERCISE ...] [--per-exercise 100] [--no-dask]
Writes benchmarks/results/chapter-scale-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness.measure import TreeMemory, adopt_orphans, run

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ROOT / "tests" / "variants"
ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                            "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"), "1")


def variant_notebook(solution: nbformat.NotebookNode, variant: dict) -> nbformat.NotebookNode:
    """The solution with the variant's edits (tests/variants/README.md), markers removed."""
    nb = nbformat.from_dict(solution)
    for cell in nb.cells:
        cell.source = "\n".join(line for line in cell.source.splitlines()
                                if "### BEGIN SOLUTION" not in line
                                and "### END SOLUTION" not in line)
    cells = [c for c in nb.cells if c.cell_type == "code" and (
        "question" not in variant
        or c.metadata.get("grader", {}).get("question") == variant["question"])]
    if "source" in variant:
        cells[0].source = variant["source"]
    for old, new in variant.get("replace", []):
        for cell in cells:
            cell.source = cell.source.replace(old, new)
    return nb


def submissions(exercise: str, count: int, folder: Path) -> None:
    """`count` notebooks: the solution and each variant in turn."""
    solution = nbformat.read(ROOT / "solutions" / f"{exercise}.ipynb", as_version=4)
    path = VARIANTS / f"{exercise}.toml"
    variants = tomllib.loads(path.read_text())["variants"] if path.exists() else []
    kinds = [solution] + [variant_notebook(solution, v) for v in variants]
    folder.mkdir(parents=True)
    for i in range(count):
        nbformat.write(kinds[i % len(kinds)], folder / f"student{i:04d}.ipynb")


def grade(exercise: str, subs: Path, out: Path, extra: list[str], env: dict) -> tuple:
    with TreeMemory() as memory:
        done = run([sys.executable, "-m", "grader", "grade", subs, "--exercise", exercise,
                    "--out", out, *extra], env=env, timeout=3600)
    if not done.ok:
        raise SystemExit(f"{exercise}: grader grade failed:\n{done.tail()}")
    return done.wall, memory.peak / 2**20 / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--per-exercise", type=int, default=100)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    from grader.core.catalog import list_exercises

    adopt_orphans()
    exercises = args.exercises or [e.id for e in list_exercises()]
    env = {**os.environ, **ONE_THREAD}
    local, dask = {}, {}
    with tempfile.TemporaryDirectory(prefix="grader-scale-") as tmp:
        for exercise in exercises:
            submissions(exercise, args.per_exercise, Path(tmp) / exercise / "subs")
        # All local batches first: the Dask workers, idle, would count in their memory.
        for exercise in exercises:
            local[exercise] = grade(exercise, Path(tmp) / exercise / "subs",
                                    Path(tmp) / exercise / "local", ["--jobs", "2"], env)
            print(f"{exercise}: local {local[exercise][0]:.1f} s", flush=True)
        if not args.no_dask:
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster):
                for exercise in exercises:
                    dask[exercise] = grade(exercise, Path(tmp) / exercise / "subs",
                                           Path(tmp) / exercise / "dask",
                                           ["--scheduler", cluster.scheduler_address], env)
                    print(f"{exercise}: dask {dask[exercise][0]:.1f} s", flush=True)
    rows = [(e, local[e], dask.get(e)) for e in exercises]
    n = args.per_exercise
    lines = [f"# The chapter at scale, {datetime.date.today()}", "",
             f"`python benchmarks/chapter_scale.py {' '.join(sys.argv[1:])}`: {len(rows)} "
             f"exercises x {n} submissions (the solution and its variants in turn), 2 workers, "
             f"warm kernels, sandbox on; {os.cpu_count()} cores.", "",
             "| exercise | local wall | per submission | peak MB per worker | Dask wall | "
             "Dask / local | Dask peak MB per worker |", "|---|---|---|---|---|---|---|"]
    for exercise, (wall, mem), dask in rows:
        lines.append(f"| {exercise} | {wall:.1f} s | {wall / n:.2f} s | {mem:.0f} | "
                     + (f"{dask[0]:.1f} s | {dask[0] / wall:.2f}x | {dask[1]:.0f} |" if dask
                        else "- | - | - |"))
    total = sum(r[1][0] for r in rows)
    dask_total = sum(r[2][0] for r in rows if r[2])
    lines += ["", f"Whole chapter: {len(rows) * n} notebooks, local {total:.0f} s "
              f"({total / 60:.1f} min)" + (f", Dask {dask_total:.0f} s "
                                            f"({dask_total / total:.2f}x)" if dask_total else "")]
    text = "\n".join(lines) + "\n"
    path = ROOT / "benchmarks" / "results" / f"chapter-scale-{datetime.date.today()}.md"
    path.write_text(text, encoding="utf-8")
    print(text + f"\nwritten to {path}")


if __name__ == "__main__":
    main()
