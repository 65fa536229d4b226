"""check("q1_fit") in a student's notebook: public checks on live answers, hidden questions
never run, and one real kernel to show it works where students use it."""

from __future__ import annotations

import nbformat
import pytest
from helpers import EXERCISE, ROOT
from nbclient import NotebookClient

from grader import check
from grader.errors import UsageError


def solution_cells(*questions: str) -> list[str]:
    nb = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"
            and c.metadata.get("grader", {}).get("question") in (None, *questions)]


@pytest.fixture(scope="module")
def namespace():
    ns: dict = {}
    for source in solution_cells("q1_fit", "q2_inertia"):
        exec(source, ns)
    return ns


@pytest.mark.kernel   # the reference answers: the solution run in a kernel
def test_public_checks_pass_on_right_answers_and_fail_with_numbers(namespace, capsys):
    assert check("q1_fit", namespace=namespace).passed   # the only exercise where these exist
    wrong = {**namespace, "inertia": namespace["inertia"] * 1.01}
    result = check("q2_inertia", EXERCISE, namespace=wrong)
    assert result.status == "failed"
    failed = [c for c in result.checks if not c.passed]
    assert [c.answer for c in failed][:1] == ["inertia"] and "expected" in failed[0].detail
    assert "fresh run" in repr(result) and "fresh run" in result._repr_html_()
    assert "FAILED q2_inertia" in capsys.readouterr().out   # outside IPython: printed as text


@pytest.mark.kernel   # the reference answers: the solution run in a kernel
def test_hidden_questions_and_missing_answers(namespace):
    hidden = check("q3_scratch", EXERCISE, namespace=namespace)
    assert hidden.status == "hidden" and hidden.checks == ()
    assert "graded by your instructor" in repr(hidden)
    missing = check("q5_init", EXERCISE, namespace=namespace)
    assert missing.status == "missing" and "`inertia_default`" in missing.message


def test_ambiguous_or_unknown_questions_say_what_to_pass():
    with pytest.raises(UsageError, match="exercise="):
        check("q1_fit", namespace={})   # three exercises have a q1_fit
    with pytest.raises(UsageError, match="q5_init"):
        check("q9", EXERCISE, namespace={})


@pytest.mark.kernel
def test_check_in_a_real_kernel_shows_one_html_block(tmp_path):
    cells = solution_cells("q1_fit") + [
        'import grader\nresult = grader.check("q1_fit", exercise="kmeans_basics")\nresult',
        'grader.check("q3_scratch", exercise="kmeans_basics")']
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells])
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [o for o in nb.cells[-2].outputs if "text/html" in o.get("data", {})]
    assert len(shown) == 1, nb.cells[-2].outputs       # displayed once, not again as the value
    assert "✔ passed" in shown[0]["data"]["text/html"]
    assert "hidden" in nb.cells[-1].outputs[0]["data"]["text/html"]
