"""The jinja2 templates shipped with grader: where they are, and rendering text files (Markdown,
YAML, shell) from them. HTML reports have their own autoescaping environment in html.py."""

from __future__ import annotations

from pathlib import Path


def template_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for folder in (here / "templates", here.parent / "templates"):
        if (folder / "report.html.j2").is_file():
            return folder
    raise FileNotFoundError("the report templates are missing from the installation")


def render_to(template: str, path: Path, **context) -> None:
    """Render a text template (no HTML escaping: these are Markdown, YAML and shell)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir()),
                             autoescape=False, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters["points"] = lambda v: f"{v:g}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(env.get_template(template).render(**context), encoding="utf-8")
