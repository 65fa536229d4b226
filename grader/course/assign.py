"""Author once: generate each student stub in exercises/ from its solution in solutions/.

Code between `### BEGIN SOLUTION` and `### END SOLUTION` is replaced by a placeholder that
raises NotImplementedError (so an untouched stub scores `missing`, never a false pass); outputs
are cleared; the metadata that tells the grader which exercise a notebook is stays.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat

from ..errors import SpecError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$",
                    re.MULTILINE | re.DOTALL)


HIDDEN_NOTE = ("# Hidden question: graded by your instructor. `grader check` and `check()` "
               "do not show its result.\n")


def make_stub(solution: nbformat.NotebookNode, name: str = "solution",
              hidden: frozenset[str] = frozenset()) -> nbformat.NotebookNode:
    """The student's stub: solution regions replaced, outputs cleared, and the first cell of
    each question in `hidden` saying that the instructor grades it."""
    stub = nbformat.from_dict(solution)
    told: set[str] = set()
    for index, cell in enumerate(stub.cells):
        cell.source = strip_solution(cell.source, f"{name}, cell {index + 1}")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            question = _question_of(cell)
            if question in hidden and question not in told:
                cell.source = HIDDEN_NOTE + cell.source
                told.add(question)
        cell.metadata.pop("execution", None)
    return stub


def _question_of(cell) -> str | None:
    meta = cell.metadata.get("grader", {})
    return meta.get("question") if isinstance(meta, dict) else None


def hidden_questions(spec_path: Path) -> frozenset[str]:
    """The ids of the spec's hidden questions (read as plain TOML: a spec that does not load
    is reported by `grader validate`, not here)."""
    try:
        data = tomllib.loads(spec_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return frozenset()
    return frozenset(q.get("id") for q in data.get("questions", [])
                     if isinstance(q, dict) and q.get("visibility", "public") != "public")


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
    hidden = hidden_questions(solution_path.with_suffix(".toml"))
    return nbformat.writes(make_stub(solution, solution_path.name, hidden)) + "\n"


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
