"""Answers as plain data: the request sent into the kernel and the loader that reads what came back.

The loader is the trust boundary. The kernel (student code) wrote `answers.json` and `.npy` files;
here they are size-capped, type-checked and loaded without pickle. Anything malformed becomes a
Problem for that answer (never credit): a student cannot smuggle objects, code or scores across.
"""

from __future__ import annotations

import json
from importlib import resources

from ..core.answers import MAX_ARRAY_BYTES


def kernel_source() -> str:
    return resources.files(__package__).joinpath("kernel_side.py").read_text(encoding="utf-8")


def extraction_cell(names: list[str], probes: list[dict], out_dir: str) -> str:
    """Source of the cell appended after the student's cells."""
    request = json.dumps({"names": names, "probes": probes, "out": out_dir,
                          "max_bytes": MAX_ARRAY_BYTES})
    return f"{kernel_source()}\n__grader_extract__({request!r})\ndel __grader_extract__\n"


