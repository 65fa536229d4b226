"""The terminal summary: one line per question (status, points, message), then the total."""

from __future__ import annotations

import textwrap

import click

from ..core.results import Report, Status

STYLE = {
    Status.PASSED: ("PASS", "green"), Status.FAILED: ("FAIL", "red"),
    Status.MISSING: ("MISS", "yellow"), Status.ERROR: ("ERR ", "red"),
    Status.TIMEOUT: ("TIME", "magenta"), Status.GRADER_ERROR: ("BUG ", "cyan"),
}


def render(report: Report, width: int = 100) -> str:
    lines = [click.style(f"{report.exercise}", bold=True) + f"  {report.submission}"]
    lines += [click.style(f"  note: {n}", fg="yellow") for n in report.notices]
    name_width = max(len(q.id) for q in report.questions)
    # Partial credit makes points of different widths (2.4/3): the messages stay in one column.
    points_width = max(len(_fraction(q)) for q in report.questions)
    for q in report.questions:
        label, colour = STYLE[q.status]
        head = (f"  {click.style(label, fg=colour, bold=True)} {q.id:<{name_width}} "
                f"{_fraction(q):<{points_width}}  ")
        indent = " " * (len(click.unstyle(head)))
        body = textwrap.wrap(q.message, width=max(40, width - len(indent))) or [""]
        lines.append(head + body[0])
        lines += [indent + line for line in body[1:]]
        if q.hint and q.status != Status.PASSED:
            lines += [indent + click.style(line, dim=True) for line in
                      textwrap.wrap(f"try: {q.hint}", width=max(40, width - len(indent)))]
    lines += [click.style(f"  note: cell {e.index + 1} raised {e.ename}: {e.evalue}", fg="yellow")
              for e in report.stray_errors]
    total = f"Score: {_points(report.score)}/{_points(report.max_score)}"
    colour = "green" if report.all_passed else "red"
    lines.append(click.style(total, fg=colour, bold=True) + f"  ({report.duration_s:.1f} s)")
    return "\n".join(lines)


def _fraction(q) -> str:
    return f"{_points(q.score)}/{_points(q.max_score)}"


def _points(value: float) -> str:
    return f"{value:g}"

