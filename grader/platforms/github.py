"""`grader ci`: grade a student's repository inside GitHub Actions (the bundle's workflow).

For every notebook: the terminal report in the log, `::error` annotations on the answer cells of
questions that did not pass, HTML and JSON reports in the report folder (the workflow uploads
it as an artifact). Then, once: the job summary ($GITHUB_STEP_SUMMARY) and the step outputs
($GITHUB_OUTPUT) `result` (GitHub Classroom's reporter contract) and `report-dir`.
Exit status is `grader check`'s: 0 all passed, 1 some did not, 2 a notebook could not be
graded (unreadable, unknown exercise), 3 a fault of the grader or of the exercise.

The reporter (classroom-resources/autograding-grading-reporter) decodes `result` (base64 of
compact JSON: version, status, max_score, tests[]) and computes the points twice: the console
table takes (tests with status "pass" / all tests) * max_score, the "Points X/Y" notice that
Classroom records sums tests[].score. The two agree only when every test is worth the same, so a
question of 3 points becomes 3 tests of one point each (a smaller unit when points are
fractional): both totals then equal the grader's own total. Partial credit that is not a whole
number of units (2.4 of 3) makes the unit smaller (0.2: 15 tests for that question) while the
tests stay at most MAX_TESTS; beyond (1.34 of 2 would need hundredths), the points Classroom
records are still exact (one failed test carries the 0.34) and only the console table counts
whole units.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ..core.catalog import find_course
from ..core.results import Report, Status
from ..core.settings import GradeSettings
from ..errors import GraderError
from ..formats import terminal, write_reports
from ..formats.junit import write_junit
from ..grading.pipeline import grade
from ..grading.public import with_bundle_notice

MAX_TESTS = 100   # tests in `result` at most: the reporter prints one line per test
FAILED = (Status.FAILED, Status.MISSING, Status.ERROR, Status.TIMEOUT)
ICON = {"passed": "✅", "failed": "❌", "missing": "⭕", "error": "❗", "timeout": "⌛",
        "grader-error": "⚙️"}


def summary_markdown(reports: list[tuple[str, Report]], report_dir: str | None = None) -> str:
    """The job summary: one table per notebook, then the total."""
    lines = ["## Grader results", ""]
    for path, report in reports:
        lines += [f"### `{path}`: {report.score:g}/{report.max_score:g}", ""]
        lines += [f"> {_one_line(n)}" for n in report.notices] + ([""] if report.notices else [])
        lines += ["| | question | points | feedback |", "|---|---|---|---|"]
        lines += [f"| {ICON[str(q.status)]} | `{q.id}` {_cell(q.title)} | {q.score:g}/"
                  f"{q.max_score:g} | {_cell(q.message)}"
                  f"{'<br>*try:* ' + _cell(q.hint) if q.hint and q.status != Status.PASSED else ''}"
                  " |" for q in report.questions]
        lines.append("")
    score, max_score = sum(r.score for _, r in reports), sum(r.max_score for _, r in reports)
    lines.append(f"**Total: {score:g}/{max_score:g}**")
    if report_dir:
        lines.append(f"\nThe HTML reports are in the run's artifact `{report_dir}`.")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def annotations(report: Report, path: str, notebook_text: str | None) -> list[str]:
    """`::error` lines for questions that did not pass, on the line of their answer cell."""
    lines = answer_cell_lines(notebook_text) if notebook_text else {}
    out = []
    for q in report.questions:
        if q.status == Status.PASSED:
            continue
        level = "warning" if q.status == Status.GRADER_ERROR else "error"
        where = f"file={_property(path)},line={lines.get(q.id, 1)}"
        title = _property(f"{q.id}: {q.score:g}/{q.max_score:g} ({q.status})")
        text = q.message + (f"\ntry: {q.hint}" if q.hint else "")
        out.append(f"::{level} {where},title={title}::{_data(text)}")
    return out


def _data(text: str) -> str:
    # The escaping of @actions/core's issueCommand: a message, then a property value.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def answer_cell_lines(notebook_text: str) -> dict[str, int]:
    """Question id -> line (1-based) of its answer cell's first source line in the .ipynb text.

    GitHub annotates lines of the file as stored, i.e. of the notebook's JSON. The answer cell is
    the first cell whose metadata says {"grader": {"question": id}}; the JSON text is scanned
    once, keeping the path of every value, so the line is exact whatever the formatting."""
    cells = json.loads(notebook_text).get("cells", [])
    wanted = {}
    for index, cell in enumerate(cells):
        qid = (cell.get("metadata", {}).get("grader") or {}).get("question")
        if qid and qid not in wanted.values():
            wanted[index] = qid
    found: dict[str, int] = {}
    for path, offset, container in _value_offsets(notebook_text):
        if path[:1] != ("cells",) or len(path) < 3 or path[2] != "source" \
                or path[1] not in wanted:
            continue
        first_line = path[3:] == (0,) or (len(path) == 3 and not container)
        if first_line or (len(path) == 3 and container):  # an empty list: its own line
            line = notebook_text.count("\n", 0, offset) + 1
            qid = wanted[path[1]]
            found[qid] = line if first_line else found.get(qid, line)
    return found


def _value_offsets(text: str):
    """(path, offset, is a container) of every value in a JSON text, in order."""
    stack: list = []       # per container: [kind, current key or index]
    expecting_key = False
    for m in TOKEN.finditer(text):
        tok = m.group()
        if tok in "{[":
            if stack:
                yield _path(stack), m.start(), True
            stack.append(["{" if tok == "{" else "[", None if tok == "{" else 0])
            expecting_key = tok == "{"
        elif tok in "}]":
            stack.pop()
            expecting_key = False
        elif tok == ":":
            expecting_key = False
        elif tok == ",":
            if stack[-1][0] == "[":
                stack[-1][1] += 1
            expecting_key = stack[-1][0] == "{"
        elif expecting_key:
            stack[-1][1] = json.loads(tok)
        else:
            yield _path(stack), m.start(), False


def _path(stack: list) -> tuple:
    return tuple(key for _, key in stack)


def classroom_result(reports: list[tuple[str, Report]], failed: int = 0,
                     cell_lines: dict | None = None) -> dict:
    """The reporter's contract: {version, status, max_score, tests[]}, equal-weight tests.

    `failed` counts notebooks that could not be graded at all (then the status is "error");
    `cell_lines` maps a notebook path to {question id: line of its answer cell}."""
    questions = [(path, r, q) for path, r in reports for q in r.questions]
    unit = _unit([q.max_score for _, _, q in questions] + [q.score for _, _, q in questions])
    if sum(q.max_score for _, _, q in questions) / unit > MAX_TESTS:
        unit = _unit([q.max_score for _, _, q in questions])
    tests = []
    for path, report, q in questions:
        count = int(Fraction(q.max_score).limit_denominator(1000) / unit)
        earned = Fraction(q.score).limit_denominator(1000) / unit
        for i in range(count):
            line = (cell_lines or {}).get(path, {}).get(q.id, 0)
            # Partial credit that is not a whole number of units: the rest goes to one failed
            # test, so that the points Classroom records are the grader's own total.
            part = min(max(earned - i, 0), 1)
            tests.append(_test(path, report, q, (i, count, line), float(part * unit), part == 1))
    max_score = sum(r.max_score for _, r in reports)
    statuses = {t["status"] for t in tests}
    status = "error" if failed or "error" in statuses else "fail" if "fail" in statuses \
        else "pass"
    return {"version": 1, "status": status, "max_score": round(max_score), "tests": tests}


def _unit(points: list[float]) -> Fraction:
    """The largest unit every question's points are a whole number of (1 for whole points)."""
    unit = Fraction(0)
    for p in points:
        f = Fraction(p).limit_denominator(1000)
        unit = f if unit == 0 else Fraction(_gcd(unit.numerator * f.denominator,
                                                 f.numerator * unit.denominator),
                                            unit.denominator * f.denominator)
    return min(unit, Fraction(1)) if unit else Fraction(1)


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _test(path: str, report: Report, q, place: tuple[int, int, int], score: float,
          whole: bool) -> dict:
    i, count, line = place
    if q.status == Status.GRADER_ERROR:
        status = "error"
    else:
        status = "pass" if whole or q.status == Status.PASSED else "fail"
    name = f"{report.exercise} {q.id}: {q.title}"
    return {"name": name + (f" [{i + 1}/{count}]" if count > 1 else ""), "status": status,
            "score": score, "message": q.message, "line_no": line, "filename": path,
            "test_code": f"grader check {path}" if i == 0 else "",
            "execution_time": f"{report.duration_s:.1f}s"}


def encode_result(result: dict) -> str:
    """base64 of the compact JSON, as `result=` in $GITHUB_OUTPUT."""
    compact = json.dumps(result, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return base64.b64encode(compact.encode("utf-8")).decode("ascii")


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
        settings = GradeSettings(course=root, isolate=isolate)
        report = with_bundle_notice(grade(notebook, settings=settings), root)
    except GraderError as exc:
        run.failures.append((shown, exc))
        echo(f"::error file={_property(shown)}::{_data(str(exc))}")
        return
    text = _text(notebook)
    run.reports.append((shown, report))
    run.cell_lines[shown] = answer_cell_lines(text) if text else {}
    echo(terminal.render(report))
    for line in annotations(report, shown, text):
        echo(line)
    write_reports(report, report_dir, ("html", "json"), stem=notebook.stem)
    echo(f"HTML report: {report_dir / (notebook.stem + '.html')}")


def _finish(run: CiRun, report_dir: str, env, echo) -> None:
    result = classroom_result(run.reports, failed=len(run.failures),
                                     cell_lines=run.cell_lines)
    points = sum(t["score"] for t in result["tests"])
    echo(f"Points {points:g}/{result['max_score']}")
    summary = summary_markdown(run.reports, report_dir)
    summary += "".join(f"\n❗ `{p}` could not be graded: {e.message}\n" for p, e in run.failures)
    _append(env.get("GITHUB_STEP_SUMMARY"), summary)
    _append(env.get("GITHUB_OUTPUT"),
            f"result={encode_result(result)}\nreport-dir={report_dir}\n")
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
