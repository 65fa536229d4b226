"""Pre-warmed kernels: forked from one zygote, yet nothing passes from one submission to the next.

Two notebooks run one after the other in the same zygote (a pool of one): the first does its
worst to the zygote's world (module state, files, /tmp, background processes, signals to every
process it can name, the zygote's memory); the second must see a pristine kernel. And a warm
kernel grades exactly like a cold one.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT

from grader.core.records import Limits
from grader.kernel.execute import run_notebook
from grader.kernel.sandbox import KERNEL_UIDS
from grader.kernel.warm import KernelPool, preload_for

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]

HOSTILE = r'''
import os, signal, subprocess, numpy, sys
numpy.mean = lambda *a, **k: 42                      # module state of the forked libraries
sys.modules["sklearn"].__version__ = "0.0-pwned"
open("/tmp/left-behind", "w").write("x")              # the private /tmp
open("left-in-workdir", "w").write("x")               # its own working folder
workdir = os.getcwd()
subprocess.Popen(["sleep", "300"], start_new_session=True)   # a process that would outlive it
me = int(os.readlink("/proc/self"))                   # its pid as /proc numbers it
mine = {me} | {int(p) for p in os.listdir("/proc") if p.isdigit()
               and open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1] == str(me)}
others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in mine]
hits = []
for pid in others:
    try:
        with open(f"/proc/{pid}/mem", "r+b") as mem:  # another process's memory
            hits.append(("mem", pid))
    except OSError:
        pass
os.kill(-1, signal.SIGKILL)                           # every process it may signal
'''

PROBE = r'''
import os, glob, subprocess, numpy, sys
mean_ok = float(numpy.mean([1.0, 3.0])) == 2.0
version = sys.modules["sklearn"].__version__
leftovers = sorted(glob.glob("/tmp/*"))
scratch = sorted(glob.glob("/tmp/grader-warm-*/*"))
ps = subprocess.run(["ps", "-eo", "comm"], capture_output=True, text=True).stdout.split()
sleepers = ps.count("sleep")
workdir = os.getcwd()
'''


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


@pytest.fixture(scope="module")
def pool():
    with KernelPool() as pool:
        yield pool


def test_nothing_passes_from_one_submission_to_the_next(pool):
    limits = Limits(isolate=True, cell_timeout=60)
    first = run_notebook(notebook(HOSTILE), ["hits", "workdir", "others"], [], {}, limits,
                         pool=pool)
    assert [r.status for r in first.cells] == ["ok"], first.cells
    # It saw its zygote, watcher and init in /proc, and could not open their memory.
    assert len(first.answers.values["others"]) >= 3
    assert first.answers.values["hits"] == []
    second = run_notebook(notebook(PROBE), ["mean_ok", "version", "leftovers", "scratch",
                                            "sleepers", "workdir"], [], {}, limits, pool=pool)
    got = second.answers.values
    assert got["mean_ok"] is True
    assert got["version"] != "0.0-pwned"
    # Its /tmp holds nothing but the paths to its own working folder (and to the Python
    # installation, when it lives under /tmp, as a CI checkout's venv does).
    assert str(Path(got["workdir"]).parent) in got["leftovers"]
    assert not any("left-behind" in p for p in got["leftovers"])
    assert got["scratch"] == [got["workdir"]]
    assert got["workdir"] != first.answers.values["workdir"]
    assert got["sleepers"] == 0
    assert len(pool._all) == 1, "the hostile kernel must not have killed its zygote"


def test_warm_andcold_kernel_grade_alike(pool):
    from grader import get_exercise
    from grader.core.submission import load_submission
    spec = get_exercise("kmeans_basics", ROOT)
    nb = load_submission(ROOT / "examples" / "kmeans_basics" / "carol.ipynb")
    limits = Limits(isolate=True)
    cold = run_notebook(nb, spec.extract_names, spec.probes, spec.parameters, limits)
    warm = run_notebook(nb, spec.extract_names, spec.probes, spec.parameters, limits, pool=pool)
    assert [(r.index, r.status) for r in warm.cells] == [(r.index, r.status) for r in cold.cells]
    assert sorted(warm.answers.values) == sorted(cold.answers.values)
    for name, value in cold.answers.values.items():
        assert repr(warm.answers.values[name]) == repr(value), name


USER = """
import os
uid, gid = os.getuid(), os.getgid()
try:
    shadow = open("/etc/shadow").read()[:4]
except OSError as exc:
    shadow = type(exc).__name__
"""


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_student_code_is_never_root_nor_the_graders_user_when_it_is_root(pool, warm):
    """Run as root (Gradescope, CI containers), the grader hands kernels a uid of their own:
    student code read /etc/shadow into its report when it ran as root."""
    run = run_notebook(notebook(USER), ["uid", "gid", "shadow"], [], {}, Limits(isolate=True),
                       pool=pool if warm else None)
    seen = run.answers.values
    assert seen["uid"] != 0 and seen["gid"] != 0
    assert seen["shadow"] == "PermissionError"
    if os.geteuid() == 0:
        assert seen["uid"] in KERNEL_UIDS
    else:
        assert seen["uid"] == os.geteuid()   # unprivileged already: mapped as itself


def test_a_solutions_own_imports_are_preloaded_pyplot_included():
    """A pool made for a solution preloads what it imports: `import matplotlib.pyplot` (asked
    for by name, with nothing importing matplotlib before it) was skipped, and cost every
    kernel ~0.25 s."""
    solution = ROOT / "solutions" / "dbscan.ipynb"
    nb = notebook("import sys\npreloaded = 'matplotlib.pyplot' in sys.modules")
    with KernelPool(preload_for(solution)) as pool:
        done = run_notebook(nb, ["preloaded"], [], {}, Limits(isolate=True), (), pool)
        with pool.zygote(True, ()) as zygote:
            said = zygote.info["preloaded"]
    assert "matplotlib.pyplot" in said and done.answers.values["preloaded"] is True
