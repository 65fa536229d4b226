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

from .core import catalog
from .core.settings import BatchSettings, GradeSettings, LimitOverrides
from .course.assign import assign as write_stubs
from .course.assign import drifted as stubs_drifted
from .course.export import FORMATS, export_graded
from .errors import GraderError
from .formats import terminal, write_report
from .formats.dashboard import write_dashboard
from .formats.junit import write_junit
from .grading.batch import default_jobs, grade_class
from .grading.pipeline import grade
from .grading.public import released_environment_notice, with_bundle_notice, withheld
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
    """Execution limits, shared by check and grade; collected into one LimitOverrides."""
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
        limits = LimitOverrides(cell_timeout, notebook_timeout, memory_gib, tuple(readable))
        return fn(*args, limits=limits, **kwargs)
    return wrapper


junit_option = click.option("--junit", type=click.Path(dir_okay=False), metavar="FILE",
                            help="Also write JUnit XML (one testcase per question) for CI.")
overrides_option = click.option("--overrides", type=click.Path(exists=True, dir_okay=False),
                                metavar="FILE", help="CSV of manual overrides (student, "
                                "question, points, reason), applied to grades.csv and reports.")
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
@junit_option
@param_option
@limit_options
@course_option
@reported
def check(notebook, exercise, json_path, html_path, isolate, junit, params, limits, course):
    """Grade one notebook (or .py module) and print one line per question.

    Exit status: 0 every question passed, 1 some did not, 2 unusable input, 3 grader fault.

    \b
    Example:
      grader check exercises/kmeans_basics.ipynb --html report.html
      grader check my_kmeans.py --exercise kmeans_basics --json report.json
      grader check exercises/kmeans_basics.ipynb -p data_seed=11
    """
    settings = GradeSettings(parameters=params, limits=limits, isolate=isolate, course=course)
    report = grade(notebook, exercise, settings)
    report = with_bundle_notice(report, course)
    click.echo(terminal.render(report))
    if junit:
        write_junit([(str(notebook), report)], Path(junit))
        click.echo(f"JUnit XML: {junit}")
    if json_path:
        write_report(report, Path(json_path), "json")
        click.echo(f"JSON report: {json_path}")
    if html_path:
        write_report(report, Path(html_path), "html")
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
@click.option("--warm/--no-warm", default=True, show_default=True,
              help="Fork each submission's fresh kernel from a pre-warmed process per worker "
                   "(libraries already imported); --no-warm starts every kernel from scratch.")
@click.option("--allow-unisolated", is_flag=True,
              help="Grade without the sandbox when it is unavailable (trusted code only).")
@click.option("--released", type=click.Path(exists=True, file_okay=False),
              help="Your copy of the student bundle (grader release): each student folder's "
                   "workflow, specs, references and requirements are compared with it, and "
                   "changes shown in the reports and the dashboard.")
@junit_option
@overrides_option
@param_option
@limit_options
@course_option
@reported
def grade_command(submissions, exercise, out, jobs, resume, fresh, scheduler, warm,
                  allow_unisolated, released, junit, overrides, params, limits, course):
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
      grader grade submissions/ --exercise kmeans_basics --out graded --overrides overrides.csv
      grader grade classroom-repos/ --exercise kmeans_basics --out graded --released bundle/
    """
    settings = BatchSettings(GradeSettings(parameters=params, limits=limits, course=course),
                             jobs=jobs, allow_unisolated=allow_unisolated, resume=resume,
                             fresh=fresh, scheduler=scheduler, warm=warm, released=released)
    result = _grade_and_print(list(submissions), exercise, out, settings)
    if overrides:
        done = export_graded(out, overrides=overrides, reports=result.reports)
        click.echo(f"Overrides:  {overrides} applied to grades.csv and the reports of "
                   f"{', '.join(done.rewritten) or 'nobody'}")
    if junit:
        write_junit(sorted(result.reports.items()), Path(junit))
        click.echo(f"JUnit XML:  {junit}")
    _print_outputs(result)


def _grade_and_print(submissions, exercise, out, settings: BatchSettings):
    where = (f"on the Dask cluster at {settings.scheduler}" if settings.scheduler
             else f"with {settings.jobs or default_jobs()} job(s)")
    click.echo(f"Grading {exercise} into {out} {where}...")
    if settings.released:   # said before the results, and in every report (grading.batch)
        spec = catalog.get_exercise(exercise, settings.grading.course)
        versions = released_environment_notice(spec, settings.released)
        if versions:
            click.secho(f"note: {versions}", fg="yellow")
    with progress_for() as shown:
        result = grade_class(submissions, exercise, out, settings, on_start=shown.start,
                             on_result=shown.done)
    skipped = f", skipped {len(result.skipped)} unchanged" if result.skipped else ""
    click.echo(f"Done: graded {len(result.reports)}{skipped}.")
    return result


def _print_outputs(result):
    click.echo(f"Dashboard:  {write_dashboard(result.out)}")
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
        held = _withheld(e)
        total = e.max_score + sum(q["points"] for q in held)
        click.secho(f"{e.id}  ({total:g} points)  {e.title}", bold=True)
        for q in e.questions:
            click.echo(f"  {q.id:<16} {q.points:>4g} pt  {', '.join(q.answers)}")
        for q in held:
            click.echo(f"  {q['id']:<16} {q['points']:>4g} pt  hidden: graded by your "
                       "instructor")


def _withheld(e) -> list[dict]:
    """A student bundle's hidden questions (stripped from its specs); none in a course."""
    return withheld(e.spec_path.parent.parent, e.id)["questions"]


def _exercise_dict(e) -> dict:
    return {"id": e.id, "title": e.title, "exercise_path": str(e.exercise_path),
            "solution_path": str(e.solution_path), "max_score": e.max_score,
            "questions": [{"id": q.id, "points": q.points, "answers": q.answers}
                          for q in e.questions]
            + [{"id": q["id"], "points": q["points"], "answers": [], "hidden": True}
               for q in _withheld(e)]}


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
    # Our own, trusted examples; a demo starts over each time.
    settings = BatchSettings(GradeSettings(course=root), jobs=jobs, allow_unisolated=True,
                             fresh=True)
    for folder in sorted(p for p in (root / "examples").iterdir() if p.is_dir()):
        result = _grade_and_print([str(folder)], folder.name, Path(out) / folder.name, settings)
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


@main.command(name="release")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--exercise", "exercises", multiple=True,
              help="Release only this exercise (repeatable; default: all).")
@click.option("--install", metavar="SPEC", help="What students pip-install to get the grader "
              "(a requirement line: a git URL, a package index name...).")
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False),
              help="Ship this grader wheel in the bundle (vendor/) and install it from there.")
@course_option
@reported
def release_command(out, exercises, install, wheel, course):
    """Build the student bundle in OUT: stubs, public specs and reference values, a README and
    a GitHub Actions workflow. No solution and no hidden check or value is in it.

    \b
    Example:
      grader release student-repo --install "grader @ git+https://github.com/org/grader@v0.1.0"
      grader release student-repo --exercise kmeans_basics \\
        --wheel dist/grader-0.1.0-py3-none-any.whl
    """
    from .course.release import build_bundle

    path = build_bundle(Path(out), course, list(exercises),
                        install=install, wheel=Path(wheel) if wheel else None)
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        click.echo(f"  {f.relative_to(path)}")
    click.echo(f"Student bundle: {path} (push it as the assignment's template repository)")


@main.command(name="ci")
@click.argument("notebooks", nargs=-1, type=click.Path())
@click.option("--report-dir", default="grader-report", show_default=True,
              type=click.Path(file_okay=False), help="Where the HTML and JSON reports go.")
@click.option("--isolate/--no-isolate", default=None,
              help="Run the notebooks in the sandbox (default: whenever this machine can).")
@junit_option
@course_option
@reported
def ci_command(notebooks, report_dir, isolate, junit, course):
    """Grade the notebooks of a student repository in GitHub Actions (default: exercises/*.ipynb).

    Writes the job summary ($GITHUB_STEP_SUMMARY), annotations on the answer cells, the
    reports in --report-dir and the step output `result` for GitHub Classroom's reporter.
    Exit status as `grader check`.

    \b
    Example:
      grader ci
      grader ci exercises/kmeans_basics.ipynb --report-dir grader-report
    """
    from .platforms.github import run_ci

    run = run_ci(list(notebooks), course=course, report_dir=report_dir, isolate=isolate,
                 junit=junit, echo=click.echo)
    sys.exit(run.exit_code)


@main.group(name="gradescope")
def gradescope_group():
    """Gradescope: build the autograder zip; grade inside Gradescope's container.

    \b
    Example:
      grader gradescope build --exercise kmeans_basics autograder.zip
    """


@gradescope_group.command(name="build")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--exercise", required=True, help="Exercise id (see `grader list`).")
@click.option("--install", metavar="SPEC", help="What setup.sh pip-installs to get the grader.")
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False),
              help="Ship this grader wheel in the zip and install it from there.")
@click.option("--hidden-visibility", default="after_published", show_default=True,
              type=click.Choice(["hidden", "after_due_date", "after_published", "visible"]),
              help="When students see the results of hidden questions.")
@click.option("--allow-unisolated", is_flag=True,
              help="Let the autograder grade without the sandbox where bubblewrap cannot run "
                   "(trusted code only; every report says so). Default: it refuses.")
@course_option
@reported
def gradescope_build(out, exercise, install, wheel, hidden_visibility, allow_unisolated, course):
    """Write the autograder zip (setup.sh, run_autograder, the exercise and its solution).

    \b
    Example:
      grader gradescope build --exercise kmeans_basics autograder.zip
    """
    from .platforms.gradescope import build_zip

    path = build_zip(exercise, Path(out), course, install, Path(wheel) if wheel else None,
                     hidden_visibility, allow_unisolated)
    click.echo(f"Autograder zip: {path} (upload it in the assignment's Configure Autograder page)")


@gradescope_group.command(name="run")
@click.option("--exercise", required=True, help="Exercise id.")
@click.option("--root", default="/autograder", show_default=True, envvar="GRADER_GRADESCOPE_ROOT",
              type=click.Path(file_okay=False), help="Gradescope's folder (submission/, results/).")
@click.option("--hidden-visibility", default="after_published", show_default=True,
              type=click.Choice(["hidden", "after_due_date", "after_published", "visible"]))
@click.option("--allow-unisolated", is_flag=True,
              help="Grade without the sandbox where bubblewrap cannot run "
                   "(trusted code only; every report says so). Default: refuse.")
@course_option
def gradescope_run(exercise, root, hidden_visibility, allow_unisolated, course):
    """Grade ROOT/submission into ROOT/results/results.json (what run_autograder calls).

    results.json is written whatever happens, so the exit status is always 0.

    \b
    Example:
      grader gradescope run --exercise kmeans_basics --course /autograder/source/course
    """
    from .platforms.gradescope import run

    data = run(exercise, course, root, hidden_visibility, allow_unisolated)
    click.echo(f"{Path(root) / 'results' / 'results.json'}: score {data['score']:g}")


@gradescope_group.command(name="warm")
@click.option("--exercise", required=True, help="Exercise id.")
@course_option
@reported
def gradescope_warm(exercise, course):
    """Run the solution once to fill the reference cache (setup.sh calls it).

    \b
    Example:
      grader gradescope warm --exercise kmeans_basics --course /autograder/source/course
    """
    from .platforms.gradescope import warm

    warm(exercise, course)
    click.echo(f"reference answers of {exercise} cached")


@main.group(name="prairielearn")
def prairielearn_group():
    """PrairieLearn: grade as an external grader.

    \b
    Example:
      grader prairielearn run --exercise kmeans_basics --course /grade/serverFilesCourse/course
    """


@prairielearn_group.command(name="run")
@click.option("--exercise", required=True, help="Exercise id.")
@click.option("--root", default="/grade", show_default=True, envvar="GRADER_PRAIRIELEARN_ROOT",
              type=click.Path(file_okay=False), help="PrairieLearn's folder (student/, results/).")
@click.option("--allow-unisolated", is_flag=True,
              help="Grade without the sandbox where bubblewrap cannot run "
                   "(trusted code only; every report says so). Default: refuse.")
@course_option
def prairielearn_run(exercise, root, allow_unisolated, course):
    """Grade ROOT/student into ROOT/results/results.json (always written; exit status 0).

    \b
    Example:
      grader prairielearn run --exercise kmeans_basics --course /grade/serverFilesCourse/course
    """
    from .platforms.prairielearn import run

    data = run(exercise, course, root, allow_unisolated)
    click.echo(f"{Path(root) / 'results' / 'results.json'}: score {data['score']:g}")


@main.command(name="export")
@click.argument("graded", type=click.Path(file_okay=False, exists=True))
@click.option("--format", "fmt", default="grades", show_default=True, type=click.Choice(FORMATS),
              help="grades: grades.csv; canvas / moodle: a CSV that LMS imports.")
@overrides_option
@click.option("--roster", type=click.Path(exists=True, dir_okay=False),
              help="The LMS's own gradebook export (CSV): its identity columns are kept.")
@click.option("--match", metavar="COLUMN", help="Roster column holding the graded student ids "
              "(default: 'SIS Login ID' for Canvas, 'Username' for Moodle).")
@click.option("--column", metavar="NAME", help="Name of the grade column (default: the "
              "exercise id; for an existing Canvas assignment use its header, e.g. 'HW1 (1234)').")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Where to write "
              "(default: GRADED/grades.csv, GRADED/canvas.csv or GRADED/moodle.csv).")
@reported
def export_command(graded, fmt, overrides, roster, match, column, out):
    """Export the grades of a graded folder for an LMS, with manual overrides applied.

    \b
    Example:
      grader export graded --overrides overrides.csv
      grader export graded --format canvas --roster canvas_gradebook.csv --overrides overrides.csv
      grader export graded --format moodle --match "Email address" --roster moodle_grades.csv
    """
    done = export_graded(graded, fmt, overrides=overrides, roster=roster, match=match,
                         column=column, out=out)
    click.echo(f"{fmt}: {done.path} ({done.rows} students)")
    if done.rewritten:
        click.echo(f"reports written again with their overrides: {', '.join(done.rewritten)}")
    if done.unmatched:
        click.secho(f"not in the roster (no grade exported): {', '.join(done.unmatched)}",
                    fg="yellow")
