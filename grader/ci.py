"""`grader ci`: grade a student's repository inside GitHub Actions (the bundle's workflow).

For every notebook: the terminal report in the log, `::error` annotations on the answer cells of
questions that did not pass, HTML and JSON reports in the report folder (the workflow uploads
it as an artifact). Then, once: the job summary ($GITHUB_STEP_SUMMARY) and the step outputs
($GITHUB_OUTPUT) `result` (GitHub Classroom's reporter contract) and `report-dir`.
Exit status is `grader check`'s: 0 all passed, 1 some did not, 2 a notebook could not be
graded (unreadable, unknown exercise), 3 a fault of the grader or of the exercise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .catalog import find_course
from .errors import GraderError
from .formats import github, terminal
from .formats.html import write_html
from .formats.json_report import write_json
from .formats.junit import write_junit
from .pipeline import grade
from .release import with_bundle_notice


@dataclass
class CiRun:
    reports: list = field(default_factory=list)    # (path shown, Report)
    failures: list = field(default_factory=list)   # (path shown, GraderError)
    cell_lines: dict = field(default_factory=dict)  # path shown -> {question: line}

    @property
    def exit_code(self) -> int:
        codes = [e.exit_code for _, e in self.failures]
        codes += [0 if r.all_passed else 1 for _, r in self.reports]
        return max(codes, default=2)


def run_ci(paths: list[str], *, course=None, report_dir: str = "grader-report",
           isolate: bool | None = None, junit: str | None = None, env=None,
           echo: Callable[[str], None] = print) -> CiRun:
    env = os.environ if env is None else env
    root = find_course(course)
    notebooks = [Path(p) for p in paths] or sorted((root / "exercises").glob("*.ipynb"))
    if not notebooks:
        echo(f"::error::no notebook to grade in {root / 'exercises'}")
    run = CiRun()
    for notebook in notebooks:
        _grade_one(notebook, run, root, Path(report_dir), isolate, env, echo)
    _finish(run, report_dir, env, echo)
    if junit:
        write_junit(run.reports, Path(junit))
    return run


def _grade_one(notebook: Path, run: CiRun, root: Path, report_dir: Path, isolate, env, echo):
    shown = _repo_path(notebook, env)
    try:
        report = with_bundle_notice(grade(notebook, course=root, isolate=isolate), root)
    except GraderError as exc:
        run.failures.append((shown, exc))
        echo(f"::error file={github._property(shown)}::{github._data(str(exc))}")
        return
    text = _text(notebook)
    run.reports.append((shown, report))
    run.cell_lines[shown] = github.answer_cell_lines(text) if text else {}
    echo(terminal.render(report))
    for line in github.annotations(report, shown, text):
        echo(line)
    report_dir.mkdir(parents=True, exist_ok=True)
    write_html(report, report_dir / f"{notebook.stem}.html")
    write_json(report, report_dir / f"{notebook.stem}.json")
    echo(f"HTML report: {report_dir / (notebook.stem + '.html')}")


def _finish(run: CiRun, report_dir: str, env, echo) -> None:
    result = github.classroom_result(run.reports, failed=len(run.failures),
                                     cell_lines=run.cell_lines)
    points = sum(t["score"] for t in result["tests"])
    echo(f"Points {points:g}/{result['max_score']}")
    summary = github.summary_markdown(run.reports, report_dir)
    summary += "".join(f"\n❗ `{p}` could not be graded: {e.message}\n" for p, e in run.failures)
    _append(env.get("GITHUB_STEP_SUMMARY"), summary)
    _append(env.get("GITHUB_OUTPUT"),
            f"result={github.encode_result(result)}\nreport-dir={report_dir}\n")
    if not env.get("GITHUB_OUTPUT"):
        echo("(not in GitHub Actions: $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY are not set)")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)


def _repo_path(notebook: Path, env) -> str:
    """The path GitHub annotates: relative to the checkout ($GITHUB_WORKSPACE)."""
    base = Path(env.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return notebook.resolve().relative_to(base).as_posix()
    except ValueError:
        return notebook.as_posix()


def _text(notebook: Path) -> str | None:
    if notebook.suffix != ".ipynb":
        return None
    try:
        return notebook.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
