"""The canonical machine-readable report (its shape is documented in the README)."""

from __future__ import annotations

import json
from pathlib import Path

from ..core.results import Report


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, allow_nan=False, default=str) + "\n"


def write_json(report: Report, path: Path) -> None:
    Path(path).write_text(to_json(report), encoding="utf-8")
