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
    """`<stem>.json`, `<stem>.html`..., each written beside and renamed into place: a reader (or
    a resumed batch) never sees half a report. Returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f".{stem}.*.tmp"):  # left by a batch killed while writing
        stale.unlink(missing_ok=True)
    written = []
    for kind in formats:
        target = folder / f"{stem}.{kind}"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            WRITERS[kind](report, Path(tmp))
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        written.append(target)
    return written
