"""The plain-python floor: each submission's code as one `python` script (set-up cell, then the
answer cells), timed as a whole process: interpreter start, imports, the student's code. Each
answer cell runs in its own try block, as a notebook goes on after a failing cell."""

from __future__ import annotations

from .assignment import SETUP
from .common import Context, Measurement, failed_run, in_pool, measured

CELL = """
try:
    exec(compile({source!r}, "answer cell {n}", "exec"))
except Exception as exc:
    print(f"{{type(exc).__name__}}: {{exc}}", file=sys.stderr)
"""


def script(answers: tuple) -> str:
    return "import sys\n" + SETUP + "\n" + "".join(
        CELL.format(source=code, n=i + 1) for i, code in enumerate(answers))


def build(ctx: Context) -> None:
    folder = ctx.work / "floor"
    folder.mkdir(parents=True, exist_ok=True)
    for s in ctx.students:
        (folder / f"{s.id}.py").write_text(script(s.answers), encoding="utf-8")


def measure(ctx: Context, workers: int) -> Measurement:
    def body(m: Measurement) -> None:
        jobs = [lambda s=s: ctx.run([ctx.ours_python, ctx.work / "floor" / f"{s.id}.py"])
                for s in ctx.students]
        m.wall, runs = in_pool(workers, jobs)
        for r in runs:
            if not r.ok:
                raise failed_run("python", r)
        m.per_submission = [r.wall for r in runs]

    return measured(ctx, "plain python (floor)", workers, body)
