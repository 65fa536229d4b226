"""otter-grader as instructors run it without Docker: an `otter assign` master notebook
(assignment config, BEGIN QUESTION / SOLUTION / TESTS blocks with assert test cells), which
writes the student notebook and the autograder zip; then `otter run -a autograder.zip
SUBMISSION` once per submission, N at a time. (`otter grade`, the batch command, needs Docker.)"""

from __future__ import annotations

import json
import shutil

from . import notebooks
from .assignment import EXERCISE, QUESTIONS, SETUP, TITLE, asserts
from .common import Context, Failed, Measurement, failed_run, in_pool, measured

CONFIG = """\
# ASSIGNMENT CONFIG
init_cell: true
check_all_cell: false
export_cell: false
run_tests: true
generate: true"""


def master_notebook(refs: dict) -> dict:
    tests = asserts(refs)
    cells = notebooks.Cells().raw(CONFIG).md(f"# {TITLE}").code(SETUP)
    for q in QUESTIONS:
        cells.raw(f"# BEGIN QUESTION\nname: {q.id}\npoints: {q.points}")
        cells.md(f"## {q.title} ({q.points} points)\n\n{q.prompt}")
        cells.raw("# BEGIN SOLUTION")
        cells.code(f"# ANSWER {q.id}\n# BEGIN SOLUTION\n{q.solution}\n# END SOLUTION")
        cells.raw("# END SOLUTION").raw("# BEGIN TESTS").code(tests[q.id]).raw("# END TESTS")
        cells.raw("# END QUESTION")
    return notebooks.notebook(cells.cells)


def otter_cmd(ctx: Context) -> str:
    return ctx.bin(ctx.anchors_python, "otter")


def build(ctx: Context) -> None:
    root = ctx.work / "otter"
    master = notebooks.write(master_notebook(ctx.refs), root / "master" / f"{EXERCISE}.ipynb")
    dist = root / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    r = ctx.run([otter_cmd(ctx), "assign", master, dist], cwd=root / "master")
    if not r.ok:
        raise failed_run("otter assign", r)
    released = notebooks.read(dist / "student" / f"{EXERCISE}.ipynb")
    for s in ctx.students:
        answers = {q.id: code for q, code in zip(QUESTIONS, s.answers)}
        notebooks.write(notebooks.fill_answers(released, answers),
                        root / "submissions" / f"{s.id}.ipynb")


def autograder_zip(ctx: Context):
    found = sorted((ctx.work / "otter" / "dist" / "autograder").glob("*.zip"))
    if not found:
        raise Failed("otter assign wrote no autograder zip")
    return found[-1]


def measure(ctx: Context, workers: int) -> Measurement:
    root = ctx.work / "otter"

    def body(m: Measurement) -> None:
        zip_path = autograder_zip(ctx)
        out = root / f"out-j{workers}"
        shutil.rmtree(out, ignore_errors=True)

        def job(s):
            (out / s.id).mkdir(parents=True)
            return lambda: ctx.run([otter_cmd(ctx), "run", "--no-logo", "-a", zip_path,
                                    "-o", out / s.id, root / "submissions" / f"{s.id}.ipynb"],
                                   cwd=out / s.id)
        m.wall, runs = in_pool(workers, [job(s) for s in ctx.students])
        for s, r in zip(ctx.students, runs):
            if not r.ok:
                raise failed_run(f"otter run ({s.id})", r)
        m.per_submission = [r.wall for r in runs]
        m.verdicts = {s.id: _verdicts(out / s.id / "results.json") for s in ctx.students}
        m.note = "otter grade needs Docker"

    return measured(ctx, "otter run", workers, body)


def _verdicts(path) -> tuple:
    if not path.exists():
        raise Failed(f"otter run wrote no {path}")
    results = json.loads(path.read_text(encoding="utf-8"))
    tests = {t["name"]: t for t in results.get("tests", [])}
    return tuple(q.id in tests and tests[q.id]["score"] == tests[q.id]["max_score"]
                 for q in QUESTIONS)
