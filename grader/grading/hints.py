"""Diagnoses that need the whole notebook, added to the messages of the questions they explain.

A hard-coded seed: the books write `random_state=42`; the stubs ask for `model_seed`, whose value
the instructor may change when grading (`[grading.parameters]`, `-p`). A question that failed
while one of its cells hard-codes the public value of a seed parameter that was changed gets
told so, instead of only "values differ".
"""

from __future__ import annotations

import ast
import dataclasses
import re

from ..core.records import Execution
from ..core.results import QuestionResult, Status

FAILING = (Status.FAILED, Status.ERROR)


def with_seed_hints(nb, parameters: dict, execution: Execution,
                    questions: tuple[QuestionResult, ...]) -> tuple[QuestionResult, ...]:
    """`questions`, the failed ones told when one of their cells hard-codes the value a seed
    parameter has in the notebook's `parameters` cell while it was graded with another."""
    changed = {name: value for name, value in _seeds(nb).items()
               if name in parameters and parameters[name] != value}
    if not changed:
        return questions
    return tuple(_hinted(q, changed, execution) if q.status in FAILING else q
                 for q in questions)


def _seeds(nb) -> dict[str, int]:
    """The integer `*seed*` values assigned in the notebook's cell tagged `parameters`."""
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])),
                None)
    try:
        tree = ast.parse(cell.source) if cell is not None else None
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body if tree else ():
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and "seed" in node.targets[0].id
                and isinstance(node.value, ast.Constant) and type(node.value.value) is int):
            found[node.targets[0].id] = node.value.value
    return found


def _hinted(result: QuestionResult, changed: dict[str, int], execution: Execution):
    for run in execution.cells:
        if run.question != result.id:
            continue
        for name, public in changed.items():
            literal = re.search(rf"random_state\s*=\s*{public}\b", run.source)
            if literal:
                said = (f" Cell {run.index + 1} hard-codes `{literal.group(0)}`: use "
                        f"`random_state={name}` as the exercise asks (it was graded with another "
                        f"{name}, so a hard-coded value gives other results).")
                return dataclasses.replace(result, message=result.message + said)
    return result
