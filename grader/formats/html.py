"""The HTML feedback report: one self-contained file (inline CSS, images as data URLs), rendered
by jinja2.

Templates live in the top-level `templates/` folder of the checkout; the wheel ships them as
`grader/templates`. Autoescaping is on: student output is text, never markup. The numbers of a
public check come from its `comparison` (fields that grader/checks fills in: got, expected, atol,
rtol, ...); this module only lays them out, e.g. fills the tolerance formula in with them.
Hidden checks carry no detail at all.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

from ..checks.outcome import Comparison, num
from ..core.results import CellError, Report
from .templates import template_dir

ICONS = {"passed": "✔", "failed": "✘", "missing": "○", "error": "!", "timeout": "⌛",
         "grader-error": "⚙"}
LABELS = {"passed": "Passed", "failed": "Failed", "missing": "Missing", "error": "Error",
          "timeout": "Timed out", "grader-error": "Grader error"}
TRACEBACK_LINES = 60      # lines of a traceback shown; the rest is cut with a note
EVALUE_CHARS = 500        # characters of an exception's message shown

GRADER_FRAME = re.compile(r"^File .*(?:[/\\]grader[/\\]|kernel_side|__grader_)")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment every HTML format shares (the dashboard too)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir()),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["points"] = lambda v: f"{v:g}"
    env.globals.update(icons=ICONS, labels=LABELS, detail_rows=detail_rows,
                       error_view=error_view)
    return env


def render(report: Report, template: str = "report.html.j2") -> str:
    return environment().get_template(template).render(
        report=report, first_fix=first_fix(report),
        percent=round(100 * report.score / report.max_score) if report.max_score else 0)


def write_html(report: Report, path: Path) -> None:
    Path(path).write_text(render(report), encoding="utf-8")


def first_fix(report: Report):
    """The one thing to fix first: the first question that did not pass and that the student
    can fix (a grader error is ours); else a stray error in a set-up cell; else None."""
    for q in report.questions:
        if q.status not in ("passed", "grader-error"):
            return q
    return None


# ---------------------------------------------------------------------------------------------
# Public checks' numbers
# ---------------------------------------------------------------------------------------------

def detail_rows(comparison: Comparison) -> list[tuple[str, str]]:
    """A public check's numbers as (label, text) rows, laid out from the comparison's fields:
    the tolerance rule filled in with them, then the words of its `text`, one row per clause.
    Nothing here reads the detail's wording, so rewording a check's detail cannot break it."""
    rows = []
    if comparison.tolerance:
        rows.append(("Passes when", f"|got − expected| ≤ atol + rtol × |expected|, with "
                                    f"atol = {comparison.atol:g} and rtol = {comparison.rtol:g}"))
    if comparison.size is not None:
        rows.append(("", f"{comparison.mismatches} of {comparison.size} values differ"))
        if comparison.index is not None:
            rows.append((f"Worst value, at index {comparison.index}", _filled(comparison)))
        rows.append(("", f"first mismatches at {list(comparison.first_mismatches)}"))
    elif comparison.got is not None and comparison.expected is not None:
        rows.append(("Your value", _filled(comparison)))
    rows += [("", part.strip()) for part in comparison.text.split("; ") if part.strip()]
    return rows


def _filled(c: Comparison) -> str:
    """`got g, expected e: |g − e| = d > atol + rtol × |e| = allowed`, with the numbers (without
    tolerances: just got and expected)."""
    got, expected = num(c.got), num(c.expected)
    if not c.tolerance:
        return f"got {got}, expected {expected}"
    difference = abs(c.got - c.expected) if c.difference is None else c.difference
    allowed = c.atol + c.rtol * abs(c.expected)
    verdict = "≤" if difference <= allowed else ">"
    bracketed = f"({expected})" if expected.startswith("-") else expected
    return (f"got {got}, expected {expected}: |{got} − {bracketed}| = {num(difference)} {verdict} "
            f"{c.atol:g} + {c.rtol:g} × {num(abs(c.expected))} = {allowed:.4g}")


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

def error_view(error: CellError) -> dict:
    """What the report shows of a failing cell: its exception (long messages cut), and the
    traceback without the grader's own frames, cut after TRACEBACK_LINES lines."""
    evalue = error.evalue if len(error.evalue) <= EVALUE_CHARS else (
        error.evalue[:EVALUE_CHARS] + f"… [{len(error.evalue) - EVALUE_CHARS} more characters "
        "not shown]")
    lines = _without_grader_frames(error.traceback).splitlines()
    cut = len(lines) - TRACEBACK_LINES
    if cut > 0:
        lines = lines[:TRACEBACK_LINES // 2] + [f"[… {cut} lines not shown …]"] + \
            lines[-TRACEBACK_LINES // 2:]
    return {"evalue": evalue, "traceback": "\n".join(lines).strip("\n"),
            "timeout": error.ename == "CellTimeoutError"}


def _without_grader_frames(traceback: str) -> str:
    """Tracebacks are blocks separated by blank lines, one per frame; the grader's frames say
    nothing to a student."""
    blocks = re.split(r"\n\s*\n", traceback)
    kept = [b for b in blocks if not GRADER_FRAME.match(b.lstrip())]
    return "\n\n".join(kept)
