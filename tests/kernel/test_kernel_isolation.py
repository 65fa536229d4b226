"""One student's kernel never reaches the next one's through a shared channel, and cannot fill
the machine's memory through /dev.

Kernels forked from one zygote run one after the other in the same sandbox: every channel a
kernel can leave something in (files in /dev/shm, POSIX and SysV shared memory, SysV message
queues) must be empty for the next one, and the channels that only live with a process
(abstract Unix sockets, loopback ports) must be in namespaces of their own: each kernel's IPC
and network namespaces differ from its zygote's (alive all along, so their numbers cannot have
been reused), or from the grader's for a cold kernel. Cold kernels are checked the same way.
"""

from __future__ import annotations

import os

import nbformat
import pytest

from grader.core.records import Limits
from grader.kernel.execute import run_notebook
from grader.kernel.sandbox import SHM_BYTES
from grader.kernel.warm import KernelPool

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]

KEY = 0x47524144  # 'GRAD'
COMMON = r'''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
namespaces = {k: os.readlink(f"/proc/self/ns/{k}") for k in ("ipc", "net")}
'''
LEAVE = COMMON + rf'''
open("/dev/shm/left-by-first", "w").write("x")                 # a file in /dev/shm
from multiprocessing import shared_memory
segment = shared_memory.SharedMemory(name="grader-posix", create=True, size=4096)
segment.close()                                                # POSIX: stays until unlinked
sysv_shm = libc.shmget({KEY}, 4096, 0o1666)                     # IPC_CREAT | 0666
sysv_msg = libc.msgget({KEY}, 0o1666)
try:
    open("/dev/filler", "w").write("x" * 1000)                 # /dev itself
    dev_writable = True
except OSError:
    dev_writable = False
stat = os.statvfs("/dev/shm")
shm_bytes = stat.f_blocks * stat.f_frsize
'''
LOOK = COMMON + rf'''
shm_files = sorted(os.listdir("/dev/shm"))
sysv_shm = libc.shmget({KEY}, 0, 0o666)                         # -1: no such segment
sysv_msg = libc.msgget({KEY}, 0o666)
'''
NAMES_LEFT = ["namespaces", "sysv_shm", "sysv_msg", "dev_writable", "shm_bytes"]
NAMES_SEEN = ["namespaces", "shm_files", "sysv_shm", "sysv_msg"]


def notebook(source: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    return nb


@pytest.fixture(scope="module")
def pool():
    with KernelPool() as pool:
        yield pool


@pytest.mark.parametrize("warm", [True, False], ids=["forked", "cold"])
def test_nothing_left_in_ipc_or_shared_memory_reaches_the_next_kernel(pool, warm):
    limits = Limits(isolate=True, cell_timeout=60)
    first = run_notebook(notebook(LEAVE), NAMES_LEFT, [], {}, limits, pool=pool if warm else None)
    assert [r.status for r in first.cells] == ["ok"], first.cells
    left = first.answers.values
    assert left["sysv_shm"] >= 0 and left["sysv_msg"] >= 0, "the writer could not create them"
    assert left["dev_writable"] is False
    assert 0 < left["shm_bytes"] <= SHM_BYTES
    second = run_notebook(notebook(LOOK), NAMES_SEEN, [], {}, limits,
                          pool=pool if warm else None)
    seen = second.answers.values
    assert seen["shm_files"] == []
    assert seen["sysv_shm"] == -1 and seen["sysv_msg"] == -1
    if warm:
        assert len(pool._all) == 1, "both kernels must come from the same zygote"
        outside = pool._all[0].info["namespaces"]
    else:
        outside = {k: os.readlink(f"/proc/self/ns/{k}") for k in ("ipc", "net")}
    for kernel in (left, seen):
        assert kernel["namespaces"]["ipc"] != outside["ipc"]
        assert kernel["namespaces"]["net"] != outside["net"]
