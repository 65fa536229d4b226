"""Each question's answers are read as they stood after its last cell: the books reuse names in
later cells (`segmented_img`, `kmeans`, `labels`...), which must not regrade earlier questions."""

from __future__ import annotations

import nbformat
import pytest

from grader.core.records import Limits
from grader.core.spec import Probe
from grader.kernel.execute import run_notebook

pytestmark = pytest.mark.kernel


def cell(source: str, question: str | None = None):
    c = nbformat.v4.new_code_cell(source)
    if question:
        c.metadata["grader"] = {"question": question}
    return c


def test_names_are_read_where_their_question_ends():
    nb = nbformat.v4.new_notebook(cells=[
        cell("import numpy as np\nlabels = np.array([0, 0, 1])\nsizes = [3]\n"
             "def double(X, init):\n    return 2 * X", "q1"),
        cell("labels = np.array([5, 5, 5])   # the next question reuses the name\n"
             "sizes.append(4)                # and changes a list in place\n"
             "def double(X, init):\n    return 0 * X\nlate = 7", "q2"),
    ])
    questions = {"q1": ["labels", "sizes", "late", "double"], "q2": ["other"]}
    probe = Probe(function="double", inputs="blobs_with_init", seed=0, outputs=("doubled",),
                  options={"n_samples": 4, "k": 2})
    run = run_notebook(nb, ["labels", "sizes", "late", "other"], [probe], limits=Limits(),
                       questions=questions)
    got, notes = run.answers.values, run.answers.notes
    assert got["labels"].tolist() == [0, 0, 1]
    assert "changed by a later cell" in notes["labels"] and "question q1" in notes["labels"]
    assert got["sizes"] == [3] and "sizes" not in notes   # the same list, changed in place
    assert got["late"] == 7 and "defined only after question q1" in notes["late"]
    assert (got["doubled"] != 0).any()   # the function as it was defined then
    assert "other" in run.answers.problems   # q2 never defines it: missing, as before


def test_untagged_notebooks_are_read_at_the_end_as_before():
    nb = nbformat.v4.new_notebook(cells=[cell("x = 1"), cell("x = 2")])
    run = run_notebook(nb, ["x"], [], limits=Limits(), questions={"q1": ["x"]})
    assert run.answers.values == {"x": 2} and run.answers.notes == {}
