"""The kernel's working folder lives on the grader's disk: a notebook that writes file after
file is stopped at its limit, told why, and the honest cells before it still count."""

from __future__ import annotations

import nbformat
import pytest
from helpers import missing_on_this_machine

from grader.core.records import Limits, ResourceLimits
from grader.kernel import diskwatch
from grader.kernel.execute import run_notebook
from grader.kernel.warm import KernelPool

pytestmark = pytest.mark.kernel
MiB = 2**20

FILL = """
import os, time
chunk = os.urandom(4 * 2**20)
i = 0
while True:                      # as fast as the disk allows, until something stops it
    with open(f"junk-{i}.bin", "wb") as f:
        f.write(chunk)
    i += 1
"""
MANY = """
import os
os.makedirs("many", exist_ok=True)
for i in range(10**7):
    open(f"many/{i}", "w").close()
"""


def notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


@pytest.mark.parametrize(("attack", "warm"), [(FILL, False), (FILL, True), (MANY, False)],
                         ids=["big_files-cold", "big_files-warm", "many_files-cold"])
def test_a_notebook_filling_its_folder_is_stopped_and_told_why(warm, attack, monkeypatch):
    monkeypatch.setattr(diskwatch, "MAX_ENTRIES", 5000)   # (100,000 in use: slow to make here)
    isolate = not missing_on_this_machine("sandbox")
    limits = Limits(isolate=isolate, cell_timeout=60,
                    resources=ResourceLimits(workdir_bytes=64 * MiB))
    nb = notebook("honest = 42", attack, "after = 1")
    with KernelPool(preload=("numpy",)) as pool:   # (started only when asked for a kernel)
        run = run_notebook(nb, ["honest", "after"], [], limits=limits,
                           pool=pool if warm else None)
    statuses = [c.status for c in run.cells]
    assert statuses == ["ok", "error", "not-run"], run.cells
    error = run.cells[1].error
    assert error.ename == "DiskQuotaExceeded"
    assert "working folder held" in error.evalue and "at most 64 MB and 5,000 files" in error.evalue
    assert "write less to disk" in error.evalue
