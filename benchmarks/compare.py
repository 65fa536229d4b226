#!/usr/bin/env python3
"""Grade the same class with nbgrader, otter-grader and our grader, side by side.

One run: installs otter-grader and nbgrader in their own virtual environment (same numpy /
scikit-learn / matplotlib as ours), builds one small clustering assignment in each tool's own
format, generates the same submissions for all, grades them with each tool as its instructors
run it, and prints wall time, per-submission median, throughput, the ratio to the physical
limit (the cells in warm kernels) and to ours, peak memory per worker, and whether all tools
passed the same questions. The table also goes to benchmarks/results/compare-<date>.md.

    python benchmarks/compare.py                       # 20 submissions, every tool, 1 and 2 workers
    python benchmarks/compare.py --submissions 3 --tools ours,warm --workers 1

The limit and ours (the pair behind the 1.15x target) run --repeat times (default 3) per worker
count, interleaved (limit, ours, limit, ours, ...), and the table gives the median wall and
every run's; the other tools run once. Memory is sampled at 10 Hz, PSS only at a new peak
(--no-memory: not at all). Runs with any python 3.11 (stdlib only); our grader is taken from
--ours-python (default: the checkout's .venv). About 18 minutes on 2 cores for 20 submissions.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    anchors,
    assignment,
    floor,
    nbgrader_tool,
    otter_tool,
    ours,
    table,
    warm,
)
from harness.common import Context, Measurement, median_of  # noqa: E402
from harness.measure import adopt_orphans, busy_share  # noqa: E402

SAMPLE_HZ = 10.0
TOOLS = ("warm", "floor", "ours", "nbgrader", "otter")
BUILDERS = {"warm": warm, "floor": floor, "ours": ours, "nbgrader": nbgrader_tool,
            "otter": otter_tool}
REPEATED = ("warm", "ours")   # the pair behind the 1.15x target: measured --repeat times
LABELS = {"warm": "warm kernels (limit)", "floor": "plain python (floor)", "ours": "ours",
          "nbgrader": "nbgrader autograde", "otter": "otter run"}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Example:\n  python benchmarks/compare.py --submissions 3")
    p.add_argument("--submissions", type=int, default=20, help="class size (default 20)")
    p.add_argument("--tools", default=",".join(TOOLS),
                   help=f"comma-separated subset of {','.join(TOOLS)} (default: all)")
    p.add_argument("--workers", default="1,2", help="worker counts to measure (default 1,2)")
    p.add_argument("--repeat", type=int, default=3,
                   help="runs of the warm-kernel limit and of ours per worker count, "
                        "interleaved; the table gives their median (default 3)")
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument("--work", type=Path,
                   help="work folder (kept; default: a temporary folder, removed unless --keep)")
    p.add_argument("--ours-python", default=str(HERE.parent / ".venv" / "bin" / "python"),
                   help="the python our grader is installed in (default: .venv of the checkout)")
    p.add_argument("--anchors-venv", type=Path, default=HERE / ".venv-anchors",
                   help="virtual environment for otter-grader and nbgrader (created if needed)")
    p.add_argument("--results", type=Path, default=HERE / "results",
                   help="folder for compare-<date>.md")
    p.add_argument("--no-memory", action="store_true",
                   help="do not sample memory (the memory columns show -)")
    args = p.parse_args(argv)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(args.tools) - set(TOOLS)
    if unknown:
        p.error(f"unknown tool(s) {', '.join(sorted(unknown))}; choose from {','.join(TOOLS)}")
    args.workers = sorted({int(w) for w in args.workers.split(",")})
    if args.submissions < 1 or min(args.workers) < 1 or args.repeat < 1:
        p.error("--submissions, --workers and --repeat must be at least 1")
    return args


def say(text: str = "") -> None:
    print(text, flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    python = os.path.relpath(sys.executable)
    python = python if not python.startswith("..") else sys.executable
    command = " ".join(shlex.quote(a) for a in [python, *sys.argv])
    say(f"command: {command}")
    adopt_orphans()
    work = args.work or Path(tempfile.mkdtemp(prefix="grader-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        ctx, broken = prepare(args, work)
        rows = measure_all(args, ctx, broken)
        report(args, ctx, rows, command)
    finally:
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"work folder kept: {work} (commands and their output: {work}/commands.log)")
    return 0


def prepare(args, work: Path) -> tuple[Context, dict]:
    """The context every tool shares, and the tools that could not be set up (and why)."""
    broken: dict[str, str] = {}
    ctx = Context(work=work, students=assignment.students(args.submissions), refs={},
                  ours_python=args.ours_python, anchors_python=None, log=work / "commands.log",
                  sample_hz=None if args.no_memory else SAMPLE_HZ)
    ctx.load_at_start, ctx.busy_at_start = os.getloadavg(), busy_share()
    say(f"CPU in use at start: {ctx.busy_at_start:.0%}; load average "
        f"{' '.join(f'{x:.2f}' for x in ctx.load_at_start)} on {os.cpu_count()} cores "
        "(BLAS threads pinned to 1 everywhere)")
    if {"nbgrader", "otter"} & set(args.tools):
        try:
            ctx.anchors_python = str(anchors.ensure(args.anchors_venv, args.ours_python, say))
            say(f"anchors: {anchors.tool_versions(Path(ctx.anchors_python))}")
        except Exception as exc:
            for tool in ("nbgrader", "otter"):
                broken[tool] = f"anchors venv: {exc}"
    say(f"ours: {anchors.versions(args.ours_python, ('grader', *anchors.SHARED))}")
    ctx.refs = assignment.compute_references(args.ours_python, ctx.env)
    say(f"reference answers (from the solution): {ctx.refs}")
    for tool in args.tools:
        if tool in broken:
            continue
        say(f"building the assignment for {tool}...")
        try:
            BUILDERS[tool].build(ctx)
        except Exception as exc:
            broken[tool] = f"build: {exc}"
            say(f"  {tool} failed to build: {exc}")
    return ctx, broken


def measure_all(args, ctx: Context, broken: dict) -> list[Measurement]:
    rows = []
    paired = [t for t in REPEATED if t in args.tools and t not in broken]
    for tool in args.tools:
        if tool in broken:
            rows += [Measurement(LABELS[tool], w, error=broken[tool]) for w in args.workers]
        elif tool in paired:
            if tool == next(t for t in args.tools if t in paired):
                rows += measure_repeated(args, ctx, paired)
        else:
            say(f"measuring {tool}...")
            rows += [progress(BUILDERS[tool].measure(ctx, w)) for w in args.workers]
    order = {LABELS[t]: i for i, t in enumerate(TOOLS)}
    return sorted(rows, key=lambda m: (order.get(m.tool, order["ours"]), m.workers))


def measure_repeated(args, ctx: Context, tools: list[str]) -> list[Measurement]:
    """The limit and ours, `args.repeat` runs each per worker count, interleaved (limit, ours,
    limit, ours, ...) so the machine's drift hits both alike; one row (the median) per tool and
    worker count. Ours first runs once with a cold cache (that fills the cache)."""
    rows = []
    if "ours" in tools:
        say("measuring ours with a cold cache...")
        rows.append(progress(ours.measure(ctx, args.workers[0], cold=True)))
    repeated = f", {args.repeat} runs each" if args.repeat > 1 else ""
    repeated += ", interleaved" if repeated and len(tools) > 1 else ""
    # The memory sampler costs CPU the tools then lack: memory gets a run of its own, and the
    # wall times come from runs without the sampler.
    timing = dataclasses.replace(ctx, sample_hz=None)
    for w in args.workers:
        say(f"measuring {' and '.join(tools)}, {w} worker(s){repeated}...")
        runs: dict[str, list] = {t: [] for t in tools}
        if ctx.sample_hz is not None:
            for t in tools:
                runs[t].append(progress(BUILDERS[t].measure(ctx, w), " (memory)"))
        for i in range(args.repeat):
            for t in tools:
                which = f" run {i + 1}" if args.repeat > 1 else ""
                runs[t].append(progress(BUILDERS[t].measure(timing, w), which))
        rows += [median_of(runs[t]) for t in tools]
    return rows


def progress(m: Measurement, run: str = "") -> Measurement:
    what = f"failed: {m.error}" if m.error else f"{m.wall:.1f} s"
    sampler = (f" (memory sampler: {m.sampler_cpu_s:.2f} s CPU)"
               if m.peak_tree_bytes is not None else "")
    say(f"  {m.tool}, {m.workers} worker(s){run}: {what}{sampler}")
    return m


def report(args, ctx: Context, rows: list[Measurement], command: str) -> None:
    n = args.submissions
    _, agreement = table.agreement(rows, ctx.students)
    data = table.table_rows(rows, n)
    busy = ctx.busy_at_start > 0.25
    notes = [
        (f"MEASURED ON A BUSY MACHINE ({ctx.busy_at_start:.0%} of the CPU in use over the 2 s "
         "before the start): ratios are indicative only; re-run on an idle machine for "
         "reference numbers." if busy else
         f"machine idle at start ({ctx.busy_at_start:.0%} of the CPU in use over the 2 s "
         f"before; load average {ctx.load_at_start[0]:.2f})."),
        f"{n} submissions of one 4-question clustering notebook; BLAS threads pinned to 1.",
        repeat_note(args),
        "x limit: wall / wall of the warm-kernel limit with the same workers; x ours: wall / "
        "wall of ours with the same workers (medians for repeated rows).",
        "median/sub: warm = cells only; floor and otter = one process each; nbgrader = gap "
        "between its per-student log lines; ours = report.json duration_s.",
        memory_note(ctx),
        "otter grade (the batch command) needs Docker: not run; otter run is its no-Docker path.",
        f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores.",
    ]
    extra = table.overhead_lines(rows, n) + table.target_lines(rows) + agreement
    say()
    say(f"command: {command}")
    say(table.render(data, markdown=False))
    say()
    for line in extra + notes:
        say(line)
    write_markdown(args, ctx, command, data, extra, notes)


def repeat_note(args) -> str:
    if args.repeat == 1:
        return ("every tool ran once (--repeat 1): on a shared machine the wall of the same "
                "command drifts by 10-15 % from minute to minute.")
    return (f"warm kernels (limit) and ours: {args.repeat} runs each per worker count, "
            "interleaved (limit, ours, limit, ours, ...) so drift on the machine hits both "
            "alike, without the memory sampler (memory is measured in one more run of each, "
            "first); wall = median of the timed runs, runs (s) = each run's wall in the order "
            "they ran (memory run first), median/sub = median over every submission of the "
            "timed runs, peak memory = the memory run's, agreement = every run. The floor, "
            "nbgrader and otter (2-10x slower) and ours (cold cache) ran once, with the "
            "sampler.")


def memory_note(ctx: Context) -> str:
    if ctx.sample_hz is None:
        return "peak RSS/PSS MiB/worker: not measured (--no-memory)."
    return ("peak RSS/PSS MiB/worker: max of the RSS (PSS) sum of the whole process tree (tool "
            f"+ kernels + sandbox) sampled at {ctx.sample_hz:g} Hz, / workers; PSS is read only "
            "on ticks whose RSS sum is a new high (PSS peaks come with RSS "
            "peaks; reading it on every tick slowed the runs). /usr/bin/time -v sees only the "
            "largest process. RSS counts pages shared by forked processes once per process "
            "(ours forks kernels from a pre-imported zygote); PSS splits them, so its sum is "
            "the real total.")


def write_markdown(args, ctx, command, data, extra, notes) -> None:
    day = datetime.date.today().isoformat()
    suffix = "" if args.submissions == 20 else f"-n{args.submissions}"
    path = args.results / f"compare-{day}{suffix}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    versions = anchors.versions(args.ours_python, ("grader", *anchors.SHARED))
    if ctx.anchors_python:
        versions |= anchors.tool_versions(Path(ctx.anchors_python))
    text = "\n".join([
        f"# Grading the same class with each tool ({day})", "",
        "```", command, "```", "",
        table.render(data, markdown=True), "",
        *[f"- {line.strip()}" for line in extra + notes], "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()), ""])
    path.write_text(text, encoding="utf-8")
    say(f"table written to {path}")


if __name__ == "__main__":
    sys.exit(main())
