"""The command line: parse, call the library, turn its errors into a message and an exit code.

Exit status: 0 all passed / done, 1 some question did not pass, 2 unusable input (a file that
is not a notebook, an unknown exercise, bad options), 3 a fault of the grader (or the exercise).
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from pathlib import Path

import click

from . import catalog
from .assign import assign as write_stubs
from .assign import drifted as stubs_drifted
from .batch import default_jobs, grade_class
from .errors import GraderError
from .formats import terminal
from .formats.html import write_html
from .formats.json_report import write_json
from .pipeline import grade
from .progress import progress_for

def _parse_params(ctx, param, values) -> dict:
    """NAME=VALUE pairs; VALUE is read as JSON when it can be (3, 0.5, "text", [1, 2])."""
    parsed = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name.isidentifier():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}")
        try:
            parsed[name] = json.loads(raw)
        except json.JSONDecodeError:
            parsed[name] = raw
    return parsed


param_option = click.option("-p", "--param", "params", multiple=True, callback=_parse_params,
                            metavar="NAME=VALUE",
                            help="Override a value of the notebook's `parameters` cell, for the "
                                 "solution and the submission alike (repeatable).")
def limit_options(fn):
    """Execution limits, shared by check and grade; collected into one `limits` dict."""
    options = [
        click.option("--cell-timeout", type=click.FloatRange(min=1), metavar="SECONDS",
                     help="Time limit per cell (default: the exercise's, often 120)."),
        click.option("--notebook-timeout", type=click.FloatRange(min=1), metavar="SECONDS",
                     help="Time limit for the whole notebook (default: the exercise's)."),
        click.option("--memory", "memory_gib", type=click.FloatRange(min=0.25), metavar="GIB",
                     help="Memory limit per process, in GiB (default 4)."),
        click.option("--data", "readable", multiple=True, type=click.Path(exists=True),
                     help="A file or folder the notebook may read (read-only in the sandbox; "
                          "repeatable)."),
    ]
    for option in reversed(options):
        fn = option(fn)

    @functools.wraps(fn)
    def wrapper(*args, cell_timeout, notebook_timeout, memory_gib, readable, **kwargs):
        limits = {"cell_timeout": cell_timeout, "notebook_timeout": notebook_timeout,
                  "memory_gib": memory_gib, "readable": readable}
        return fn(*args, limits=limits, **kwargs)
    return wrapper


course_option = click.option("--course", type=click.Path(file_okay=False),
                             help="Course folder (holds exercises/ and solutions/); "
                                  "default: found from the current folder.")


def reported(fn):
    """Library errors become one clear message and the documented exit code; never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except GraderError as exc:
            click.secho(f"error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"  try: {exc.hint}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception:
            click.secho("error: the grader itself failed (this is a bug, not your mistake):",
                        fg="red", err=True)
            click.echo(traceback.format_exc(), err=True)
            sys.exit(3)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="grader")
def main():
    """Grade machine-learning notebooks: clusterings up to relabelling, tolerances per answer,
    HTML feedback.

    \b
    Example:
      grader check exercises/kmeans_basics.ipynb
    """


@main.command()
@click.argument("notebook", type=click.Path(dir_okay=True))
@click.option("--exercise", help="Exercise id; default: read from the notebook's metadata.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False),
              help="Also write the JSON report to this file.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write the HTML report to this file.")
@click.option("--isolate/--no-isolate", default=None,
              help="Run the notebook in the sandbox (default: whenever this machine can).")
@param_option
@limit_options
@course_option
@reported
def check(notebook, exercise, json_path, html_path, isolate, params, limits, course):
    """Grade one notebook (or .py module) and print one line per question.

    Exit status: 0 every question passed, 1 some did not, 2 unusable input, 3 grader fault.

    \b
    Example:
      grader check exercises/kmeans_basics.ipynb --html report.html
      grader check my_kmeans.py --exercise kmeans_basics --json report.json
      grader check exercises/kmeans_basics.ipynb -p data_seed=11
    """
    report = grade(notebook, exercise, course=course, parameters=params, limits=limits,
                   isolate=isolate)
    click.echo(terminal.render(report))
    if json_path:
        write_json(report, Path(json_path))
        click.echo(f"JSON report: {json_path}")
    if html_path:
        write_html(report, Path(html_path))
        click.echo(f"HTML report: {html_path}")
    sys.exit(0 if report.all_passed else 1)


@main.command(name="grade")
@click.argument("submissions", nargs=-1, required=True, type=click.Path())
@click.option("--exercise", required=True, help="Exercise id (see `grader list`).")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder for gradebook.sqlite, grades.csv and one report folder per student.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help=f"Submissions graded at the same time on this machine (default: one per "
                   f"core, {default_jobs()} here; with --scheduler the workers decide).")
@click.option("--resume", is_flag=True,
              help="Finish an earlier (killed) run into OUT: grade only the submissions it has "
                   "not recorded, or whose file changed since.")
@click.option("--fresh", is_flag=True,
              help="Forget this exercise's rows and reports in OUT and grade everything again.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Grade on this Dask scheduler's workers (tcp://host:8786) instead of on "
                   "this machine; needs grader[dask] and the course on every worker.")
@click.option("--allow-unisolated", is_flag=True,
              help="Grade without the sandbox when it is unavailable (trusted code only).")
@param_option
@limit_options
@course_option
@reported
def grade_command(submissions, exercise, out, jobs, resume, fresh, scheduler, allow_unisolated,
                  params, limits, course):
    """Grade a class: every notebook in SUBMISSIONS (files or folders) into a gradebook.

    The student id is the file name (alice.ipynb) or, for a file named after the exercise, its
    folder (alice/kmeans_basics.ipynb). A broken submission gets its own status and the batch
    goes on. Each submission is recorded as it finishes: a killed batch is finished with
    --resume; an OUT that already holds this exercise's rows needs --resume or --fresh.

    \b
    Example:
      grader grade submissions/ --exercise kmeans_basics --out graded --jobs 2
      grader grade submissions/ --exercise kmeans_basics --out graded --resume
      grader grade submissions/ --exercise kmeans_basics --out graded --scheduler tcp://host:8786
    """
    result = _grade_and_print(list(submissions), exercise, out, jobs, course, params=params,
                              limits=limits, allow_unisolated=allow_unisolated, resume=resume,
                              fresh=fresh, scheduler=scheduler)
    _print_outputs(result)


def _grade_and_print(submissions, exercise, out, jobs, course, **options):
    where = (f"on the Dask cluster at {options['scheduler']}" if options.get("scheduler")
             else f"with {jobs or default_jobs()} job(s)")
    click.echo(f"Grading {exercise} into {out} {where}...")
    with progress_for() as shown:
        result = grade_class(submissions, exercise, out, jobs=jobs, course=course,
                             on_start=shown.start, on_result=shown.done,
                             parameters=options.get("params"), limits=options.get("limits"),
                             allow_unisolated=options.get("allow_unisolated", False),
                             resume=options.get("resume", False),
                             fresh=options.get("fresh", False),
                             scheduler=options.get("scheduler"))
    skipped = f", skipped {len(result.skipped)} unchanged" if result.skipped else ""
    click.echo(f"Done: graded {len(result.reports)}{skipped}.")
    return result


def _print_outputs(result):
    click.echo(f"Gradebook:  {result.gradebook}")
    click.echo(f"Grades CSV: {result.grades_csv}")
    click.echo(f"Reports:    {result.out}/<student>/report.html (and report.json)")


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@course_option
@reported
def list_command(as_json, course):
    """List the exercises with their questions, points and the names students define.

    \b
    Example:
      grader list --json
    """
    exercises = catalog.list_exercises(course)
    if as_json:
        click.echo(json.dumps([_exercise_dict(e) for e in exercises], indent=2))
        return
    for e in exercises:
        click.secho(f"{e.id}  ({e.max_score:g} points)  {e.title}", bold=True)
        for q in e.questions:
            click.echo(f"  {q.id:<16} {q.points:>4g} pt  {', '.join(q.answers)}")


def _exercise_dict(e) -> dict:
    return {"id": e.id, "title": e.title, "exercise_path": str(e.exercise_path),
            "solution_path": str(e.solution_path), "max_score": e.max_score,
            "questions": [{"id": q.id, "points": q.points, "answers": q.answers}
                          for q in e.questions]}


@main.command()
@click.option("--out", default="grader-demo", show_default=True,
              type=click.Path(file_okay=False), help="Where to write the demo's results.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 64))
@course_option
@reported
def demo(out, jobs, course):
    """Grade the bundled example class (examples/) and print where the results are.

    \b
    Example:
      grader demo --out /tmp/demo
    """
    root = catalog.find_course(course)
    for folder in sorted(p for p in (root / "examples").iterdir() if p.is_dir()):
        result = _grade_and_print([str(folder)], folder.name, Path(out) / folder.name, jobs,
                                  root, allow_unisolated=True,  # our own, trusted examples
                                  fresh=True)  # a demo starts over each time
        _print_outputs(result)


@main.command(name="assign")
@click.option("--check", "check_only", is_flag=True,
              help="Only check that every stub matches its solution; exit 1 if one drifted.")
@course_option
@reported
def assign_command(check_only, course):
    """Generate the student stubs in exercises/ from the solutions (solution regions removed).

    \b
    Example:
      grader assign --check
    """
    root = catalog.find_course(course)
    if check_only:
        drifted = stubs_drifted(root)
        for p in drifted:
            click.echo(f"exercises/{p.name} differs from what solutions/{p.name} generates")
        if drifted:
            click.echo("run `grader assign` to regenerate the stubs")
        sys.exit(1 if drifted else 0)
    for path in write_stubs(root):
        click.echo(f"wrote {path}")
