"""Read a submission (a notebook or a .py module) into a notebook, or say why it cannot be.

Only problems with the file itself are raised here (SubmissionError); problems with the code
inside become question statuses later.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from ..errors import SubmissionError, UsageError

MAX_BYTES = 100 * 1024 * 1024  # a notebook larger than this is refused, not parsed
MAX_CELLS = 2000               # more cells than any exercise needs: refused, not run
CELL_MARKER = re.compile(r"^# %%.*$", re.MULTILINE)  # jupytext "percent" cells in .py files


def load_submission(path: str | Path) -> nbformat.NotebookNode:
    path = Path(path)
    _check_file(path)
    if path.suffix == ".py":
        return module_to_notebook(_read_text(path))
    if path.suffix != ".ipynb":
        raise SubmissionError(f"{path}: expected a Jupyter notebook (.ipynb) or a Python "
                              f"module (.py), got a {path.suffix or 'file without extension'}",
                              "submit the .ipynb file you worked in")
    return _parse_notebook(path, _read_text(path))


def exercise_id_of(nb: nbformat.NotebookNode) -> str | None:
    """The exercise a notebook belongs to, from its metadata (kept whatever the file's name)."""
    meta = nb.get("metadata", {}).get("grader", {})
    found = meta.get("exercise") if isinstance(meta, dict) else None
    # Metadata is the student's file: anything but a plain id is as good as none.
    return found if isinstance(found, str) and found else None


def module_to_notebook(source: str) -> nbformat.NotebookNode:
    """A module runs like a notebook: one cell, or one per `# %%` marker if it has them."""
    starts = [m.start() for m in CELL_MARKER.finditer(source)]
    bounds = sorted({0, *starts, len(source)})
    chunks = [source[a:b].strip("\n") for a, b in zip(bounds, bounds[1:])]
    cells = [nbformat.v4.new_code_cell(c) for c in chunks if c.strip()]
    return nbformat.v4.new_notebook(cells=cells)


def _check_file(path: Path) -> None:
    if path.is_symlink():
        raise SubmissionError(f"{path} is a symbolic link, not a notebook",
                              "submit the notebook file itself, not a link to it")
    if not path.exists():
        raise UsageError(f"{path}: no such file", "check the path (tab completion helps)")
    if path.is_dir():
        raise SubmissionError(f"{path} is a folder, not a notebook",
                              "pass the .ipynb file inside it")
    if path.stat().st_size > MAX_BYTES:
        raise SubmissionError(f"{path} is {path.stat().st_size // 2**20} MiB; the limit is "
                              f"{MAX_BYTES // 2**20} MiB",
                              "clear the outputs (Kernel > Restart & Clear Output) and save")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path} is not a text file (it is not UTF-8)",
                              "submit the notebook saved by Jupyter, not a binary file") from None


def _parse_notebook(path: Path, text: str) -> nbformat.NotebookNode:
    if not text.strip():
        raise SubmissionError(f"{path} is empty (0 bytes of notebook)",
                              "save the notebook in Jupyter and submit it again")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{path} is not a valid notebook: its JSON is broken at line "
                              f"{exc.lineno}, column {exc.colno} ({exc.msg})",
                              "the file was probably cut off or edited by hand: open it in "
                              "Jupyter, or recover the last saved version, and submit "
                              "again") from None
    if not isinstance(raw, dict) or ("cells" not in raw and "worksheets" not in raw):
        raise SubmissionError(f"{path} is JSON but not a notebook (no 'cells')",
                              "submit the .ipynb file you worked in")
    return _upgrade(path, raw)


def _upgrade(path: Path, raw: dict) -> nbformat.NotebookNode:
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises many kinds for malformed notebooks
        raise SubmissionError(f"{path} is not a valid notebook: {exc}",
                              "open it in Jupyter, save it again, and resubmit") from None
    if len(nb.cells) > MAX_CELLS:
        raise SubmissionError(f"{path} has {len(nb.cells)} cells; the limit is {MAX_CELLS}",
                              "merge your cells: a notebook for one exercise needs far fewer")
    if not any(c.cell_type == "code" and c.source.strip() for c in nb.cells):
        raise SubmissionError(f"{path} has no code cells with code in them",
                              "is this the right file? The exercise notebook has code cells "
                              "for you to fill in")
    return nb
