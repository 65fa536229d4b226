"""Start a kernel: its scrubbed environment, its folder, a cold kernel manager behind the
sandbox, and a client that knows when the kernel is ready. Forked (warm) kernels reuse these
pieces (grader.kernel.warm)."""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient

from ..core.environment import GRADING_ENV
from ..core.records import Limits
from .leftovers import hold, release
from .sandbox import (
    Cgroup,
    SandboxedKernelManager,
    bwrap_args,
    hand_over,
    kernel_uid,
    prlimit_args,
)

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


MPL_DIR = ".matplotlib"
# Every kernel, cold or forked: no IPython history (a thread and an sqlite file), and inline
# figures rendered at their own size, as `savefig` would: Jupyter's tight bounding box draws
# each figure twice (+40-80 ms a figure) to trim the margins of a picture in a report.
KERNEL_ARGS = ["--HistoryManager.enabled=False",
               '--InlineBackend.print_figure_kwargs={"bbox_inches": None}']


@contextlib.contextmanager
def cold_kernel(limits: Limits):
    """A new working folder and a kernel started from scratch, in its own cgroup."""
    workdir = Path(tempfile.mkdtemp(prefix="grader-run-"))
    held = hold(workdir)   # in use: the next grader's sweep leaves it alone
    cgroup = Cgroup.create(limits.resources)
    try:
        yield workdir, lambda: _kernel_manager(workdir, limits, cgroup)
    finally:
        if cgroup:
            cgroup.remove()  # every process the submission started ends here
        shutil.rmtree(workdir, ignore_errors=True)
        release(held)


class ReadyClient(AsyncKernelClient):
    """jupyter_client's readiness check, without its fixed waits: it drains IOPub until 0.2 s
    of silence (and waits 0.2 s more whenever the first status message beat the subscription),
    a third of a warm kernel's whole start. Here the kernel is ready once kernel_info has its
    reply on shell and its "idle" status on IOPub: that proves the subscription is live and
    that nothing the kernel sent before is still on its way."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or 60.0)
        while not await self._kernel_info_on_both():
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _kernel_info_on_both(self) -> bool:
        self.kernel_info()
        try:
            reply = await self.shell_channel.get_msg(timeout=1)
        except queue.Empty:
            return False
        if reply["msg_type"] != "kernel_info_reply":
            return False
        self._handle_kernel_info_reply(reply)
        return await self._idle_after_kernel_info(seconds=0.2)

    async def _idle_after_kernel_info(self, seconds: float) -> bool:
        """False when it does not come: the subscription started after the kernel sent it."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except queue.Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_type") == "kernel_info_request"):
                return True
        return False


def kernel_folder(workdir: Path) -> Path:
    """The kernel's folder for its Unix sockets and connection file (matplotlib's seeded too)."""
    sockets = workdir / ".kernel"
    sockets.mkdir()
    seed_mpl_config(workdir)
    return sockets


def _ipc_manager(workdir: Path, prefix: list[str]):
    sockets = kernel_folder(workdir)
    km = SandboxedKernelManager(kernel_name="python3", prefix=prefix, transport="ipc",
                                ip=str(sockets / "k"),
                                client_class="grader.kernel.kernels.ReadyClient")
    km.connection_file = str(sockets / "connection.json")
    return km, kernel_env(workdir)


def _kernel_manager(workdir: Path, limits: Limits, cgroup: Cgroup | None):
    """The kernel's command runs behind its cgroup, rlimits and (if isolated) bubblewrap; it
    talks over Unix sockets in the working folder, so it needs no network at all."""
    prefix = [*(cgroup.join_command() if cgroup else []), *prlimit_args(limits.resources)]
    uid = kernel_uid() if limits.isolate else None
    if limits.isolate:
        prefix += bwrap_args(workdir, kernel_env(workdir), extra_ro=limits.readable, uid=uid)
    km, env = _ipc_manager(workdir, prefix)
    km.uid = uid
    hand_over(workdir, uid)
    return km, env


def kernel_env(workdir: Path) -> dict[str, str]:
    """A scrubbed environment: no tokens or secrets of the grader's reach student code.

    BLAS threads are pinned to 1 so that references and submissions compute alike (t-SNE and
    some solvers give different results with 2 threads) and parallel workers do not fight.
    """
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
            if k in os.environ}
    # No MPLBACKEND: the kernel's inline backend keeps the student's figures as cell outputs.
    env = {**keep, "HOME": str(workdir), "PYTHONHASHSEED": "0",
           "MPLCONFIGDIR": str(workdir / MPL_DIR), "PYTHONDONTWRITEBYTECODE": "1",
           "JUPYTER_PLATFORM_DIRS": "1", GRADING_ENV: "1"}
    env.update(dict.fromkeys(THREAD_VARS, "1"))
    return env


def seed_mpl_config(folder: Path) -> None:
    """matplotlib wants a writable config folder holding its font list, or it makes a temporary
    one and rebuilds the list (up to seconds) in every kernel: give each kernel a copy."""
    target = folder / MPL_DIR
    target.mkdir(exist_ok=True)
    for font_list in _mpl_cache().glob("fontlist-*.json"):
        shutil.copy(font_list, target / font_list.name)


@functools.lru_cache(maxsize=1)
def _mpl_cache() -> Path:
    """The font list, built once outside any sandbox."""
    folder = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "grader" / "mpl"
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.glob("fontlist-*.json")):
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"],
                       env={**os.environ, "MPLCONFIGDIR": str(folder)}, capture_output=True)
    return folder
