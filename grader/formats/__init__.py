"""Output formats: each module turns a Report (plain data) into one format, and nothing else.

`write_reports(report, folder, formats=...)` is the one way the commands, the batch, the
platform drivers and `grader export` write a student's report files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..core.results import Report
from .html import write_html
from .json_report import write_json

WRITERS = {"json": write_json, "html": write_html}


def write_reports(report: Report, folder: Path, formats: tuple[str, ...] = ("json", "html"),
                  stem: str = "report") -> list[Path]:
    """`<folder>/<stem>.json`, `<stem>.html`...: one file per format; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f".{stem}.*.tmp"):  # left by a batch killed while writing
        stale.unlink(missing_ok=True)
    return [write_report(report, folder / f"{stem}.{kind}", kind) for kind in formats]


def write_report(report: Report, path: Path, kind: str | None = None) -> Path:
    """One report file, of the format its suffix names unless `kind` says. Written beside and
    renamed into place: a reader (or a resumed batch) never sees half a report."""
    kind = kind or path.suffix.lstrip(".")
    if kind not in WRITERS:
        raise ValueError(f"no report format {kind!r}: known formats are {', '.join(WRITERS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        WRITERS[kind](report, Path(tmp))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
