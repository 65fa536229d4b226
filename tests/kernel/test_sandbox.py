"""The sandbox, seen from inside a kernel: what student code can and cannot reach."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT

from grader import GradeSettings, LimitOverrides, UsageError, get_exercise
from grader.core.records import Limits
from grader.grading import reference
from grader.grading.pipeline import execution_limits
from grader.kernel.execute import run_notebook

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]

REPO_PATHS = [str(ROOT / d) for d in ("solutions", "exercises", "examples", "tests",
                                      "pyproject.toml")]
CACHE_PATHS = [str(reference.cache_root()), str(Path.home() / ".cache" / "grader" / "references")]
# Outside the repository when it lives under /tmp (a CI checkout), whose /tmp is private.
OUTSIDE = str(ROOT / "pyproject.toml") if not str(ROOT).startswith("/tmp/") else "/usr/x"

PROBE = f"""
import os, socket
s = socket.socket(); s.settimeout(2)
network = s.connect_ex(("1.1.1.1", 80))
repo_visible = any(os.path.exists(p) for p in {REPO_PATHS!r})
cache_visible = any(os.path.exists(p) for p in {CACHE_PATHS!r})
mounts = [os.getcwd(), {os.path.realpath(sys.prefix)!r}, {os.path.realpath(sys.base_prefix)!r}]
tmp_entries = [e for e in os.listdir("/tmp") if not any(m.startswith("/tmp/" + e) for m in mounts)]
can_write_outside = []
for target in [{OUTSIDE!r}, "/usr/pwned", "/pwned", "/etc/pwned"]:
    try:
        open(target, "a").close()
        can_write_outside.append(target)
    except OSError:
        pass
try:
    import grader
    can_import_grader = hasattr(grader, "grade")  # (an empty namespace package is harmless)
except ImportError:
    can_import_grader = False
pids_seen = len([p for p in os.listdir("/proc") if p.isdigit()])
env_names = sorted(os.environ)
with open("written-here.txt", "w") as f:
    f.write("the working folder is writable")
"""


@pytest.fixture(scope="module")
def inside():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    names = ["network", "repo_visible", "cache_visible", "tmp_entries", "can_write_outside",
             "can_import_grader", "pids_seen", "env_names"]
    before = (ROOT / "pyproject.toml").read_bytes()
    run = run_notebook(nb, names, [], limits=Limits(isolate=True))
    assert [c.status for c in run.cells] == ["ok"], run.cells
    # Whatever the kernel wrote landed in its own namespace, never in the host's checkout.
    assert (ROOT / "pyproject.toml").read_bytes() == before
    return run.answers.values


def test_no_network(inside):
    assert inside["network"] != 0


def test_solutions_caches_and_the_checkout_are_out_of_sight_the_package_is_not(inside):
    assert not inside["repo_visible"] and not inside["cache_visible"]
    assert inside["can_write_outside"] == []
    # `from grader import check` in a notebook must import (it is a no-op while graded): only
    # the package's own folder is bound, read-only.
    assert inside["can_import_grader"]


def test_private_tmp_and_process_namespace(inside):
    assert inside["tmp_entries"] == []  # only the submission's own working folder
    assert inside["pids_seen"] < 10  # the kernel and its helpers, not the host's processes


def test_environment_is_built_from_scratch(inside, monkeypatch):
    allowed = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONHASHSEED", "MPLCONFIGDIR",
               "PYTHONDONTWRITEBYTECODE", "JUPYTER_PLATFORM_DIRS", "OMP_NUM_THREADS",
               "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS", "PWD", "GRADER_GRADING"}
    # ipykernel adds its own display settings (MPLBACKEND, TERM, PAGER, CLICOLOR...)
    ipykernel = {"MPLBACKEND", "TERM", "PAGER", "GIT_PAGER", "CLICOLOR", "CLICOLOR_FORCE",
                 "FORCE_COLOR", "PYDEVD_USE_FRAME_EVAL", "KMP_DUPLICATE_LIB_OK",
                 "KMP_INIT_AT_FORK", "LC_CTYPE"}
    assert set(inside["env_names"]) <= allowed | ipykernel


def test_data_folders_are_readable_even_under_tmp(tmp_path):
    tmp_path.chmod(0o755)   # (pytest makes it the grader's alone; see the test below)
    (tmp_path / "data.txt").write_text("42")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"value = int(open({str(tmp_path / 'data.txt')!r}).read())\n"
        f"try:\n    open({str(tmp_path / 'new.txt')!r}, 'w')\n    wrote = True\n"
        "except OSError:\n    wrote = False")])
    run = run_notebook(nb, ["value", "wrote"], [], limits=Limits(isolate=True,
                                                                 readable=(str(tmp_path),)))
    assert run.answers.values == {"value": 42, "wrote": False}


@pytest.mark.skipif(os.geteuid() != 0, reason="only a grader run as root gives kernels a uid")
def test_as_root_data_the_kernel_could_not_read_is_refused_with_the_way_out(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "secret.csv").write_text("1,2")
    (data / "secret.csv").chmod(0o600)
    with pytest.raises(UsageError, match="cannot be read by student code") as caught:
        execution_limits(get_exercise("kmeans_basics"),
                         GradeSettings(isolate=True, limits=LimitOverrides(readable=(str(data),))))
    assert "secret.csv" in caught.value.message and f"chmod -R o+rX {data}" in caught.value.hint
