"""Execution in real kernels: timeouts, dying kernels, parameters, and what comes back."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from grader.core.answers import CALLABLE
from grader.core.records import Limits
from grader.kernel.execute import run_notebook

pytestmark = pytest.mark.kernel

code = nbformat.v4.new_code_cell


def notebook(*sources, tags=None):
    cells = [code(s) for s in sources]
    for index, tag in (tags or {}).items():
        cells[index].metadata["tags"] = [tag]
    return nbformat.v4.new_notebook(cells=cells)


def test_answers_come_back_as_plain_data_only():
    nb = notebook(
        "import numpy as np, pandas as pd\nfrom sklearn.cluster import KMeans",
        "arr = np.arange(6, dtype=np.float32).reshape(2, 3)\nseries = pd.Series([1.5, 2.5])\n"
        "ints = [3, 1, 2]\nname = 'k-means++'\nnum = np.float64(2.5)\n"
        "km = KMeans(3, n_init=1, random_state=0).fit(np.random.RandomState(0).rand(30, 2))",
        "class Liar:\n    def __eq__(self, other): return True\n"
        "    def __array__(self, *a, **k): raise RuntimeError('no')\nliar = Liar()\n"
        "def f(x): return x",
    )
    got = run_notebook(nb, ["arr", "series", "ints", "name", "num", "km", "km.n_clusters",
                            "liar", "f", "nothing", "km.nope"], []).answers
    v = got.values
    assert v["arr"].dtype == np.float32 and v["arr"].shape == (2, 3)
    assert v["series"].tolist() == [1.5, 2.5] and v["ints"].tolist() == [3, 1, 2]
    assert v["name"] == "k-means++" and v["num"] == 2.5 and v["km.n_clusters"] == 3
    assert v["km"]["class"] == "KMeans" and v["km"]["fitted"]
    assert "cluster_centers_" in v["km"]["learned"]
    assert v["f"] == CALLABLE
    assert got.problems["liar"].status == "error" and "liar" not in v
    assert got.problems["nothing"].status == "missing"
    assert "AttributeError" in got.problems["km.nope"].message


def test_a_cell_that_loops_forever_is_interrupted_and_later_cells_run():
    nb = notebook("x = 1", "while True:\n    pass", "y = 2")
    run = run_notebook(nb, ["x", "y"], [], limits=Limits(cell_timeout=2, notebook_timeout=60))
    assert [c.status for c in run.cells] == ["ok", "timeout", "ok"]
    assert run.answers.values["y"] == 2


def test_the_notebook_deadline_stops_the_rest():
    nb = notebook("import time\ntime.sleep(3)", "late = 1")
    run = run_notebook(nb, ["late"], [], limits=Limits(cell_timeout=10, notebook_timeout=2))
    assert [c.status for c in run.cells] == ["timeout", "not-run"]
    assert any("ran out of time" in n for n in run.notices)


def test_a_dying_kernel_is_reported_not_raised():
    nb = notebook("a = 1", "import os\nos._exit(3)", "b = 2")
    run = run_notebook(nb, ["a", "b"], [], limits=Limits(cell_timeout=20))
    assert run.answers is None
    assert [c.status for c in run.cells] == ["ok", "error", "not-run"]
    assert run.cells[1].error.ename == "KernelDied"


def test_parameters_override_the_tagged_cell_and_keep_cell_numbers():
    nb = notebook("seed = 1", "doubled = seed * 2\n1/0", tags={0: "parameters"})
    run = run_notebook(nb, ["seed", "doubled"], [], parameters={"seed": 21})
    assert run.answers.values["doubled"] == 42
    assert run.cells[1].index == 1 and run.cells[1].error.ename == "ZeroDivisionError"


def test_kernel_environment_is_scrubbed_and_threads_pinned(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    nb = notebook("import os\ntoken = os.environ.get('GITHUB_TOKEN', '')\n"
                  "threads = os.environ.get('OMP_NUM_THREADS')")
    got = run_notebook(nb, ["token", "threads"], []).answers.values
    assert got == {"token": "", "threads": "1"}
