"""Golden files for the reports: JSON, HTML and terminal, normalised for times, paths and
versions. Regenerate with `python -m pytest tests/formats/test_goldens.py --update-goldens` and
review the diff."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import GOLDENS, ROOT, run_cli

from grader.core.environment import environment
from grader.grading.pipeline import UNISOLATED

pytestmark = pytest.mark.kernel
UNISOLATED_START = UNISOLATED.split("{")[0]


def normalise(text: str, *folders: Path) -> str:
    for folder in (*folders, ROOT):
        text = text.replace(str(folder), "<dir>")
    text = re.sub(r"<dir>/class\d+/", "<dir>/class/", text)  # pytest numbers its folders
    for name, value in environment().items():
        text = re.sub(rf"(?<![\d.]){re.escape(value)}(?![\d.])", f"<{name}>", text)
    text = re.sub(r'"duration_s": [\d.]+', '"duration_s": 0', text)
    text = re.sub(r"\d+\.\d s\b", "N s", text)
    # Inline pictures: tens of KB of base64 each; tests/grading/test_pictures.py tests them.
    text = re.sub(r"data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+",
                  r"data:image/\1;base64,<...>", text)
    return re.sub(r'"traceback": "(?:[^"\\]|\\.)*"', '"traceback": "<traceback>"', text)


def without_unisolated_notice(text: str) -> str:
    """The report as on a machine with the sandbox: where it cannot run, `check` adds a notice
    that says so (tests/kernel/test_sandbox.py tests it); the goldens are about the format."""
    if text.startswith("{"):
        data = json.loads(text)
        data["notices"] = [n for n in data["notices"] if not n.startswith(UNISOLATED_START)]
        return json.dumps(data, indent=2) + "\n"
    return "".join(line for line in text.splitlines(keepends=True)
                   if UNISOLATED_START not in line)


def compare(name: str, text: str, request) -> None:
    path = GOLDENS / name
    text = without_unisolated_notice(text)
    if request.config.getoption("--update-goldens") or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not request.config.getoption("--update-goldens"):
            pytest.fail(f"{name} did not exist; it has been written: review and commit it")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; if intended, rerun with --update-goldens and review the diff")


@pytest.mark.parametrize("student", ["bob", "untouched"])
def test_json_report_golden(graded_class, request, student):
    out = graded_class[0]
    text = (out / student / "report.json").read_text()
    compare(f"{student}.report.json", normalise(text, out.parent), request)


def test_html_report_golden(graded_class, request):
    out = graded_class[0]
    text = (out / "bob" / "report.html").read_text()
    compare("bob.report.html", normalise(text, out.parent), request)


def test_terminal_report_golden(request):
    proc = run_cli("check", "examples/kmeans_basics/bob.ipynb")
    assert proc.returncode == 1
    compare("bob.terminal.txt", normalise(proc.stdout), request)


def test_report_json_is_valid_and_html_escapes_student_text(graded_class):
    out = graded_class[0]
    json.loads((out / "bob" / "report.json").read_text())
    html = (out / "carol" / "report.html").read_text()
    assert "<script" not in html.lower()
