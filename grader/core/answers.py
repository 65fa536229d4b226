"""The answers as plain data, and their format on disk (answers.json plus .npy files).

One format for what a kernel sends back, the reference cache and a bundle's released references:
JSON scalars, strings and lists, and numeric arrays loaded with allow_pickle=False, size-capped.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_ARRAY_BYTES = 256 * 2**20     # one answer
MAX_JSON_BYTES = 16 * 2**20       # all JSON answers together
MAX_NOTES_BYTES = 2**20           # notes.json
NPY_NAME = re.compile(r"^a\d+\.npy$")
CALLABLE = "<callable>"           # a function was defined; probes call it
# Kinds whose value the kernel-side code builds itself from a live object (a scikit-learn
# estimator, a matplotlib figure): plain dicts tagged {"__type__": kind}. A dict the student
# defined travels as "json" and may not carry that tag, so it can never pass for one of them.
DESCRIBED = ("estimator", "figure")
RESERVED_KEY = "__type__"


@dataclass(frozen=True)
class Problem:
    status: str      # "missing" | "not-implemented" | "error"
    message: str


@dataclass(frozen=True)
class Extracted:
    values: dict = field(default_factory=dict)     # name -> plain value
    problems: dict = field(default_factory=dict)   # name -> Problem
    notes: dict = field(default_factory=dict)      # name -> str: read from the question's
                                                   # snapshot, or found only at the end


def load_answers(folder: Path | int, *, from_kernel: bool | None = None) -> Extracted:
    """Read the answers in `folder`: a path (the reference cache, released references), or the
    descriptor of a folder the host opened itself (what a kernel wrote: see grader.kernel.channel).
    `from_kernel` (default: whether `folder` is a descriptor) says the answers come from a
    student's kernel: then a plain dict tagged like an estimator or a figure is that answer's
    Problem, not an estimator (trusted folders written before the tags had kinds still load).

    Every file is opened relative to the folder without following links and without blocking,
    must be a regular file, and is read only up to its size limit: a link, a FIFO or a huge file
    made by student code is a Problem for that answer (or a ValueError for the whole index),
    never a hang and never a read outside the folder. FileNotFoundError: nothing was written."""
    strict = isinstance(folder, int) if from_kernel is None else from_kernel
    if isinstance(folder, int):
        return _read_answers(folder, strict)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        return _read_answers(fd, strict)
    finally:
        os.close(fd)


def _read_answers(folder: int, strict: bool) -> Extracted:
    raw = json.loads(read_regular(folder, "answers.json", MAX_JSON_BYTES).decode("utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("answers.json is not an object")
    values, problems = {}, {}
    for name, entry in raw.items():
        try:
            values[name] = _value(folder, entry, strict)
        except _NotAValue as problem:
            problems[name] = problem.problem
    return Extracted(values, problems, _notes(folder, set(raw)))


def _notes(folder: int, names: set[str]) -> dict[str, str]:
    """notes.json (written by the kernel beside answers.json; absent before snapshots existed
    and in caches): plain strings about known names only, each shortened."""
    try:
        raw = json.loads(read_regular(folder, "notes.json", MAX_NOTES_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: v[:300] for k, v in raw.items() if k in names and isinstance(v, str)}


def read_regular(folder: int, name: str, limit: int) -> bytes:
    """The bytes of `name` in the folder whose descriptor is `folder`: a regular file (not a
    link, FIFO, device or folder) of at most `limit` bytes, else ValueError; OSError when it
    cannot be opened (FileNotFoundError when it is not there)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=folder)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError(f"{name} is a symbolic link") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{name} is not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{name} is too large ({info.st_size} bytes, limit {limit})")
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 2**20))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew after fstat: the kernel is still writing to it
        raise ValueError(f"{name} is too large (limit {limit} bytes)")
    return data


class _NotAValue(Exception):
    def __init__(self, status: str, message: str) -> None:
        self.problem = Problem(status, message)


def _value(folder: int, entry: object, strict: bool = True):
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
        return _load_npy(folder, entry.get("file"))
    if kind == "callable":
        return CALLABLE
    if kind in DESCRIBED:
        value = entry.get("value")
        if not (isinstance(value, dict) and value.get(RESERVED_KEY) == kind):
            raise _NotAValue("error", "the answer could not be read back from the kernel")
        return value
    if kind == "json":
        value = entry.get("value")
        if strict and _tagged(value):
            raise _NotAValue("error", f"is a dict with the key `{RESERVED_KEY}`, which the grader "
                             "keeps for the estimators and figures it describes itself: define "
                             "the fitted estimator (or the Figure) itself, not a dict that looks "
                             "like one")
        return value
    raise _NotAValue("error", "the answer could not be read back from the kernel")


def _tagged(value) -> bool:
    """Whether plain JSON data holds a dict with the reserved key, at any depth (iterative: a
    deeply nested answer must not exhaust the stack)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if RESERVED_KEY in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _load_npy(folder: int, name: object) -> np.ndarray:
    if not isinstance(name, str) or not NPY_NAME.match(name):
        raise _NotAValue("error", "the answer could not be read back from the kernel")
    try:
        data = read_regular(folder, name, MAX_ARRAY_BYTES + 4096)
    except (OSError, ValueError):
        raise _NotAValue("error", "the answer's array is missing or too large") from None
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise _NotAValue("error", f"the answer's array could not be read ({exc})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise _NotAValue("error", f"the answer is an array of {kind}, expected numbers")
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
            tag = value.get(RESERVED_KEY) if isinstance(value, dict) else None
            kind = tag if tag in DESCRIBED else "json"
            index[name] = {"status": "ok", "kind": kind, "value": value}
    (out_dir / "answers.json").write_text(json.dumps(index), encoding="utf-8")
