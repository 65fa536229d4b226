"""Plain nbformat-4 notebooks as dicts (the stdlib is enough to write and read them)."""

from __future__ import annotations

import json
from pathlib import Path

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def notebook(cells: list[dict], **metadata) -> dict:
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"},
                         **metadata}}


def _cell(kind: str, source: str, metadata: dict | None, index: int) -> dict:
    cell = {"cell_type": kind, "id": f"cell-{index}", "metadata": metadata or {},
            "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


class Cells:
    """Collects cells in order (each gets a stable id, as nbformat 4.5 wants)."""

    def __init__(self) -> None:
        self.cells: list[dict] = []

    def add(self, kind: str, source: str, metadata: dict | None = None) -> Cells:
        self.cells.append(_cell(kind, source, metadata, len(self.cells)))
        return self

    def md(self, source: str, metadata: dict | None = None) -> Cells:
        return self.add("markdown", source, metadata)

    def code(self, source: str, metadata: dict | None = None) -> Cells:
        return self.add("code", source, metadata)

    def raw(self, source: str, metadata: dict | None = None) -> Cells:
        return self.add("raw", source, metadata)


def read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(nb: dict, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return path


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def fill_answers(nb: dict, answers: dict) -> dict:
    """A student's copy of a released notebook: each answer cell (found by the marker line
    `# ANSWER <question id>` the instructor left in it) holds that student's code."""
    copy = json.loads(json.dumps(nb))
    filled = set()
    for cell in copy["cells"]:
        first = source(cell).split("\n", 1)[0]
        if cell["cell_type"] == "code" and first.startswith("# ANSWER "):
            qid = first.removeprefix("# ANSWER ").strip()
            cell["source"] = f"{first}\n{answers[qid]}"
            filled.add(qid)
    missing = set(answers) - filled
    if missing:
        raise ValueError(f"no answer cell for {sorted(missing)} in the released notebook")
    return copy
