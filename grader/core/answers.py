"""The answers as plain data, and their format on disk (answers.json plus .npy files).

One format for what a kernel sends back, the reference cache and a bundle's released references:
JSON scalars, strings and lists, and numeric arrays loaded with allow_pickle=False, size-capped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_ARRAY_BYTES = 256 * 2**20     # one answer


MAX_JSON_BYTES = 16 * 2**20       # all JSON answers together


NPY_NAME = re.compile(r"^a\d+\.npy$")


CALLABLE = "<callable>"           # a function was defined; probes call it


@dataclass(frozen=True)
class Problem:
    status: str      # "missing" | "not-implemented" | "error"
    message: str


@dataclass(frozen=True)
class Extracted:
    values: dict = field(default_factory=dict)     # name -> plain value
    problems: dict = field(default_factory=dict)   # name -> Problem


def load_answers(out_dir: Path) -> Extracted:
    """Read what the kernel wrote into `out_dir`; raise FileNotFoundError if it wrote nothing."""
    index = out_dir / "answers.json"
    if index.is_symlink() or index.stat().st_size > MAX_JSON_BYTES:
        raise ValueError("answers.json is a link or too large")
    raw = json.loads(index.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("answers.json is not an object")
    values, problems = {}, {}
    for name, entry in raw.items():
        try:
            values[name] = _value(out_dir, entry)
        except _NotAValue as problem:
            problems[name] = problem.problem
    return Extracted(values, problems)


class _NotAValue(Exception):
    def __init__(self, status: str, message: str) -> None:
        self.problem = Problem(status, message)


def _value(out_dir: Path, entry: object):
    if not isinstance(entry, dict):
        raise _NotAValue("error", "the answer could not be read back from the kernel")
    status = entry.get("status")
    if status == "missing":
        raise _NotAValue("missing", "is not defined")
    if status == "unsupported":
        raise _NotAValue("error", f"holds a {str(entry.get('type'))[:60]}, which cannot be "
                         "graded: store a number, a string, a list or a NumPy array")
    if status == "not-implemented":
        raise _NotAValue("not-implemented", str(entry.get("error"))[:500])
    if status == "error":
        raise _NotAValue("error", str(entry.get("error"))[:500])
    kind = entry.get("kind")
    if kind == "npy":
        return _load_npy(out_dir, entry.get("file"))
    if kind == "callable":
        return CALLABLE
    if kind in ("json", "estimator"):
        return entry.get("value")
    raise _NotAValue("error", "the answer could not be read back from the kernel")


def _load_npy(out_dir: Path, name: object) -> np.ndarray:
    if not isinstance(name, str) or not NPY_NAME.match(name):
        raise _NotAValue("error", "the answer could not be read back from the kernel")
    path = out_dir / name
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_ARRAY_BYTES + 4096:
        raise _NotAValue("error", "the answer's array is missing or too large")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise _NotAValue("error", f"the answer's array could not be read ({exc})") from None
    if array.dtype.kind not in "biuf":
        raise _NotAValue("error", f"the answer is an array of {array.dtype}, expected numbers")
    return array


def save_answers(values: dict, out_dir: Path) -> None:
    """Write trusted values in the format load_answers reads (the reference cache uses this)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    index = {}
    for i, (name, value) in enumerate(sorted(values.items()), start=1):
        if isinstance(value, np.ndarray):
            np.save(out_dir / f"a{i}.npy", value, allow_pickle=False)
            index[name] = {"status": "ok", "kind": "npy", "file": f"a{i}.npy"}
        elif isinstance(value, str) and value == CALLABLE:
            index[name] = {"status": "ok", "kind": "callable"}
        else:
            index[name] = {"status": "ok", "kind": "json", "value": value}
    (out_dir / "answers.json").write_text(json.dumps(index), encoding="utf-8")
