"""Public hints ship in the student bundle: they say which function and which parameters, never
the solution's own code (about 20 solution lines sat in the bundle's specs)."""

from __future__ import annotations

import re

import nbformat
import pytest
from helpers import ROOT

from grader import list_exercises

CALL = re.compile(r"[A-Za-z_][\w.]*\((?:[^()]|\([^()]*\))*\)")   # f(...), one level of nesting


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def solution_code(exercise) -> list[str]:
    """The lines and calls (25 characters or more) between the solution markers."""
    nb = nbformat.read(exercise.solution_path, as_version=4)
    found = []
    for cell in nb.cells:
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
            for line in region.splitlines():
                found += [part for part in [line.strip(), *CALL.findall(line)]
                          if len(squeezed(part)) >= 25]
    return found


@pytest.mark.parametrize("exercise", list_exercises(ROOT), ids=lambda e: e.id)
def test_no_public_hint_holds_a_line_or_call_of_the_solution(exercise):
    code = [squeezed(c) for c in solution_code(exercise)]
    assert code, "no solution code found: the search would find nothing anywhere"
    leaks = [(q.id, q.hint) for q in exercise.questions if q.visibility == "public"
             and any(c in squeezed(q.hint) for c in code)]
    assert not leaks, leaks
