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


def snapshot_source() -> str:
    """Source run silently before the student's first cell: the snapshots' keeper."""
    return resources.files(__package__).joinpath("kernel_snapshot.py").read_text(
        encoding="utf-8")


def snapshot_call(question: str, heads: list[str]) -> str:
    """Code run silently after the last cell of `question`: keep `heads` as they are now."""
    request = json.dumps({"question": question, "heads": heads})
    return f"__import__('sys').modules['__grader_snapshots__'].take({request!r})"


SIDE_MODULE = "__grader_side__"   # kernel_side.py, preloaded by a warm kernel's zygote


def extraction_cell(names: list[str], probes: list[dict], out_dir: str,
                    question_of: dict[str, str] | None = None, preloaded: bool = False) -> str:
    """Source of the cell appended after the student's cells. `question_of`: name (or probed
    function) -> the question whose snapshot holds it. `preloaded`: the kernel was forked from
    a zygote that holds kernel_side.py as a module, so the cell is one call (IPython transforms
    an 11 KB cell in ~15 ms)."""
    request = json.dumps({"names": names, "probes": probes, "out": out_dir,
                          "max_bytes": MAX_ARRAY_BYTES, "question_of": question_of or {}})
    if preloaded:
        return (f"__import__('sys').modules[{SIDE_MODULE!r}].__grader_extract__("
                f"{request!r})\n")
    return f"{kernel_source()}\n__grader_extract__({request!r})\ndel __grader_extract__\n"


