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


def side_modules_code() -> str:
    """Code that makes kernel_side.py the module `__grader_side__` and installs the snapshots'
    keeper (kernel_snapshot.py). A warm kernel's zygote runs it once and every fork inherits
    both; a cold kernel runs it silently before the first cell. Either way the extraction cell
    is one call, not 11 KB for IPython to transform (~15 ms)."""
    return ("import sys as _s, types as _t\n"
            f"_m = _t.ModuleType({SIDE_MODULE!r})\n"
            f"exec(compile({kernel_source()!r}, 'grader/kernel_side.py', 'exec'), _m.__dict__)\n"
            "_s.modules[_m.__name__] = _m\n"
            f"exec(compile({snapshot_source()!r}, 'grader/kernel_snapshot.py', 'exec'), {{}})\n"
            "del _s, _t, _m\n")


def extraction_cell(names: list[str], probes: list[dict], out_dir: str,
                    question_of: dict[str, str] | None = None) -> str:
    """Source of the cell appended after the student's cells (side_modules_code ran before).
    `question_of`: name (or probed function) -> the question whose snapshot holds it."""
    request = json.dumps({"names": names, "probes": probes, "out": out_dir,
                          "max_bytes": MAX_ARRAY_BYTES, "question_of": question_of or {}})
    return f"__import__('sys').modules[{SIDE_MODULE!r}].__grader_extract__({request!r})\n"
