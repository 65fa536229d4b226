"""The HTML feedback report: one self-contained file (inline CSS), rendered by jinja2.

Templates live in the top-level `templates/` folder of the checkout; the wheel ships them as
`grader/templates`. Autoescaping is on: student output is text, never markup.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..results import Report

ICONS = {"passed": "✔", "failed": "✘", "missing": "○", "error": "!", "timeout": "⌛",
         "grader-error": "⚙"}


def template_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for folder in (here / "templates", here.parent / "templates"):
        if (folder / "report.html.j2").is_file():
            return folder
    raise FileNotFoundError("the report templates are missing from the installation")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir()),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["points"] = lambda v: f"{v:g}"
    return env


def render(report: Report, template: str = "report.html.j2") -> str:
    first_fix = next((q for q in report.questions if q.status != "passed"), None)
    return _environment().get_template(template).render(
        report=report, icons=ICONS, first_fix=first_fix,
        percent=round(100 * report.score / report.max_score) if report.max_score else 0)


def write_html(report: Report, path: Path) -> None:
    Path(path).write_text(render(report), encoding="utf-8")
