"""Each question's answers are read as they stood after its last cell: the books reuse names in
later cells (`segmented_img`, `kmeans`, `labels`...), which must not regrade earlier questions."""

from __future__ import annotations

import nbformat
import pytest

from grader.core.records import Limits
from grader.core.spec import Probe
from grader.kernel.execute import run_notebook
from grader.kernel.warm import KernelPool

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


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_figures_and_estimators_are_kept_as_they_stood_without_deep_copies(warm):
    """A figure is kept as its description (a deep copy costs 20-300 ms) and an estimator as a
    copy of its fitted attributes: a later cell drawing into the same figure, or refitting the
    same estimator, does not regrade the question."""
    nb = nbformat.v4.new_notebook(cells=[
        cell("import numpy as np\nimport matplotlib.pyplot as plt\n"
             "from sklearn.cluster import KMeans\n"
             "X = np.array([[0.0], [0.1], [5.0], [5.1]])\n"
             "km = KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)\n"
             "fig, ax = plt.subplots()\nax.scatter(X[:, 0], X[:, 0], c=km.labels_)\n"
             "ax.set_title('two clusters')", "q1"),
        cell("ax.set_title('changed later')\nax.plot([0, 1], [0, 1])\n"
             "km.set_params(n_clusters=3).fit(np.array([[0.0], [1.0], [2.0], [3.0]]))", "q2"),
    ])
    questions = {"q1": ["fig", "km", "km.cluster_centers_"], "q2": ["other"]}
    with KernelPool() as pool:
        run = run_notebook(nb, ["fig", "km", "km.cluster_centers_"], [], limits=Limits(),
                           questions=questions, pool=pool if warm else None)
    got = run.answers.values
    (axes,) = got["fig"]["axes"]
    assert axes["title"] == "two clusters" and axes["lines"] == []
    assert axes["scatters"][0]["points"] == 4
    assert got["km"]["params"]["n_clusters"] == 2 and got["km"]["n_samples_fit"] == 4
    assert sorted(got["km.cluster_centers_"].ravel().round(2).tolist()) == [0.05, 5.05]
