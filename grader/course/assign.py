"""Author once: generate each student stub in exercises/ from its solution in solutions/.

Code between `### BEGIN SOLUTION` and `### END SOLUTION` is replaced by a placeholder that
raises NotImplementedError (so an untouched stub scores `missing`, never a false pass); outputs
are cleared; the metadata that tells the grader which exercise a notebook is stays.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ..errors import SpecError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$",
                    re.MULTILINE | re.DOTALL)


def make_stub(solution: nbformat.NotebookNode, name: str = "solution") -> nbformat.NotebookNode:
    stub = nbformat.from_dict(solution)
    for index, cell in enumerate(stub.cells):
        cell.source = strip_solution(cell.source, f"{name}, cell {index + 1}")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    return stub


def strip_solution(source: str, where: str = "") -> str:
    replaced = REGION.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n"
                                    f"{m.group(1)}raise NotImplementedError()", source)
    if BEGIN in replaced or END in replaced:
        raise SpecError(f"{where}: unbalanced solution region",
                        f"every `{BEGIN}` needs an `{END}` after it, on lines of their own")
    return replaced


def stub_text(solution_path: Path) -> str:
    """The stub as it must be written to exercises/ (stable bytes: one source of truth)."""
    solution = nbformat.read(solution_path, as_version=4)
    return nbformat.writes(make_stub(solution, solution_path.name)) + "\n"


def assign(course: Path) -> list[Path]:
    """Write exercises/<id>.ipynb for every solutions/<id>.ipynb; return the files written."""
    written = []
    for solution in sorted((course / "solutions").glob("*.ipynb")):
        target = course / "exercises" / solution.name
        text = stub_text(solution)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def drifted(course: Path) -> list[Path]:
    """Solutions whose stub in exercises/ is missing or differs from what they generate."""
    return [p for p in sorted((course / "solutions").glob("*.ipynb"))
            if not (course / "exercises" / p.name).is_file()
            or (course / "exercises" / p.name).read_text(encoding="utf-8") != stub_text(p)]
