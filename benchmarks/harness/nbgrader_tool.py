"""nbgrader as instructors run it: a course directory with nbgrader_config.py, the source
notebook (`### BEGIN SOLUTION` answer cells, locked autograder test cells with asserts),
`nbgrader generate_assignment`, submitted/<student>/<assignment>/, and `nbgrader autograde`
into the course's gradebook database. It grades one notebook after the other; "2 workers" is
two copies of the course run by hand, each with half of the class."""

from __future__ import annotations

import json
import shutil

from . import notebooks
from .assignment import QUESTIONS, SETUP, TITLE, asserts
from .common import Context, Measurement, failed_run, in_pool, measured

ASSIGNMENT = "ps1"
CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "bench"
c.Execute.timeout = 300
"""


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook(refs: dict) -> dict:
    tests = asserts(refs)
    cells = notebooks.Cells().md(f"# {TITLE}").code(SETUP, _meta("setup", locked=True))
    for q in QUESTIONS:
        cells.md(f"## {q.title} ({q.points} points)\n\n{q.prompt}")
        cells.code(f"# ANSWER {q.id}\n### BEGIN SOLUTION\n{q.solution}\n### END SOLUTION",
                   _meta(f"{q.id}_answer", solution=True))
        cells.code(tests[q.id], _meta(f"{q.id}_test", grade=True, locked=True, points=q.points))
    return notebooks.notebook(cells.cells)


def nbgrader_cmd(ctx: Context) -> str:
    return ctx.bin(ctx.anchors_python, "nbgrader")


def build(ctx: Context) -> None:
    course = ctx.work / "nbgrader" / "course"
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    notebooks.write(source_notebook(ctx.refs),
                    course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    r = ctx.run([nbgrader_cmd(ctx), "generate_assignment", ASSIGNMENT, "--force"], cwd=course)
    if not r.ok:
        raise failed_run("nbgrader generate_assignment", r)
    release = notebooks.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    for s in ctx.students:
        answers = {q.id: code for q, code in zip(QUESTIONS, s.answers)}
        notebooks.write(notebooks.fill_answers(release, answers),
                        course / "submitted" / s.id / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def _copy_course(ctx: Context, name: str, students: list) -> object:
    """A fresh course (nothing autograded yet) holding the submissions of `students`."""
    base = ctx.work / "nbgrader" / "course"
    dest = ctx.work / "nbgrader" / name
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(base, dest, ignore=shutil.ignore_patterns("submitted", "autograded"))
    for s in students:
        shutil.copytree(base / "submitted" / s.id, dest / "submitted" / s.id)
    return dest


def measure(ctx: Context, workers: int) -> Measurement:
    def body(m: Measurement) -> None:
        share = [ctx.students[i::workers] for i in range(workers)]
        courses = [_copy_course(ctx, f"run-w{workers}-{i}", part) for i, part in enumerate(share)]
        jobs = [lambda c=c: ctx.run([nbgrader_cmd(ctx), "autograde", ASSIGNMENT], cwd=c)
                for c in courses]
        m.wall, runs = in_pool(workers, jobs)
        for r in runs:
            if not r.ok:
                raise failed_run("nbgrader autograde", r)
            m.per_submission += _per_submission(r)
        m.verdicts = {}
        for c in courses:
            m.verdicts.update(_verdicts(ctx, c))
        if workers > 1:
            m.note = f"{workers} copies by hand"

    return measured(ctx, "nbgrader autograde", workers, body)


def _per_submission(r) -> list:
    """nbgrader logs 'Creating/updating student' as it starts each submission: the gaps between
    those lines (the last one up to the exit) are the submissions' times."""
    starts = [t for t, line in r.lines if "Creating/updating student" in line]
    ends = starts[1:] + [r.wall]
    return [b - a for a, b in zip(starts, ends)]


_GRADES = """
import json, sys
from nbgrader.api import Gradebook
out = {}
with Gradebook("sqlite:///" + sys.argv[1] + "/gradebook.db", course_id="bench") as gb:
    for student in gb.students:
        out[student.id] = {}
        for qid in sys.argv[2:]:
            g = gb.find_grade(qid + "_test", "ps1", "ps1", student.id)
            out[student.id][qid] = [g.score, g.max_score]
print(json.dumps(out))
"""


def _verdicts(ctx: Context, course) -> dict:
    r = ctx.run([ctx.anchors_python, "-c", _GRADES, course, *[q.id for q in QUESTIONS]])
    if not r.ok:
        raise failed_run("reading nbgrader's gradebook", r)
    grades = json.loads(r.stdout.strip().splitlines()[-1])
    return {s: tuple(grades[s][q.id][0] == grades[s][q.id][1] for q in QUESTIONS)
            for s in grades}
