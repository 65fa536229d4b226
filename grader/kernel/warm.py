"""Pre-warmed kernels: one zygote per batch worker forks a fresh kernel for each submission.

A fresh kernel per submission costs ~2.5 s (interpreter start, numpy/scikit-learn/matplotlib
imports, shutdown) when a class's cells often take ~1 s. The zygote (grader/zygote.py) pays the
imports once per worker, inside the worker's sandbox, and forks each kernel from there: the
fork is copy-on-write, unshared into its own namespaces, with its own working folder, /tmp,
rlimits and environment (see the zygote's docstring). No state leaks between students.

    with KernelPool() as pool:
        # any number of times, from several threads:
        grade(path, exercise, GradeSettings(pool=pool))

jupyter_client launches kernels through a "provisioner"; ZygoteProvisioner asks the zygote
instead of starting a process, so nbclient drives these kernels like any other.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.connect import write_connection_file
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from ..core.records import Limits, ResourceLimits
from ..core.submission import load_submission
from ..errors import InternalError
from .extract import side_modules_code
from .kernels import KERNEL_ARGS, kernel_env, kernel_folder, seed_mpl_config
from .leftovers import hold, release
from .sandbox import (
    SHM_BYTES,
    TMP_BYTES,
    Cgroup,
    SandboxedKernelManager,
    bwrap_args,
    hand_over,
    kernel_uid,
    python_paths,
)

# What every kernel needs: the kernel itself (and what IPKernelApp.initialize imports on top:
# debugpy alone is ~0.07 s per kernel) and numpy. matplotlib (~0.45 s with pyplot and a first
# figure) only when the solution imports it: the zygote then adds the inline backend.
KERNEL_MODULES = ("numpy",
                  "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger",
                  "IPython.core.completerlib", "IPython.core.debugger",
                  "IPython.extensions.storemagic", "tornado.queues", "tornado.platform.asyncio",
                  "pdb", "http.server", "encodings.idna")
# Without an exercise to go by: the kernel's modules and the chapter's libraries.
PRELOAD = KERNEL_MODULES + (
    "scipy", "scipy.optimize", "scipy.spatial", "pandas", "matplotlib", "matplotlib.pyplot",
    "matplotlib_inline.backend_inline", "sklearn", "sklearn.base", "sklearn.cluster",
    "sklearn.mixture", "sklearn.datasets", "sklearn.metrics", "sklearn.decomposition",
    "sklearn.manifold", "sklearn.neighbors", "sklearn.preprocessing", "sklearn.pipeline",
    "sklearn.model_selection", "sklearn.linear_model", "sklearn.ensemble",
    "sklearn.semi_supervised")
# Run once in the zygote, with one BLAS thread (so it starts no thread: forking stays safe).
WARM_UP = """
import sys
import numpy as np
X = np.random.RandomState(0).rand(60, 2)
if "sklearn.cluster" in sys.modules:
    from sklearn.cluster import KMeans
    KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
if "matplotlib" in sys.modules:
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.scatter(X[:, 0], X[:, 1], c=X[:, 0])
    ax.set_title("warm-up")
    fig.canvas.draw()
"""
BOUND_TIMEOUT = 60.0  # seconds for a forked kernel to bind its sockets


class Zygote:
    """One pre-imported Python process in one sandbox, forking kernels one at a time."""

    def __init__(self, isolate: bool, readable: tuple[str, ...],
                 preload: tuple[str, ...] = PRELOAD) -> None:
        self.isolate, self.readable, self.preload = isolate, readable, preload
        # Under /tmp: each kernel gets a fresh /tmp, which hides the whole scratch folder.
        self.scratch = Path(tempfile.mkdtemp(prefix="grader-warm-", dir="/tmp"))
        self._held = hold(self.scratch)   # in use: the next grader's sweep leaves it alone
        self._lock = threading.Lock()
        self._cgroup = Cgroup.create(ResourceLimits())
        env = kernel_env(self.scratch)
        seed_mpl_config(self.scratch)
        self.uid = kernel_uid() if isolate else None   # its kernels' too
        hand_over(self.scratch, self.uid)
        command = [*(self._cgroup.join_command() if self._cgroup else [])]
        if isolate:
            command += bwrap_args(self.scratch, env, extra_ro=readable, uid=self.uid)
        source = Path(__file__).with_name("zygote.py").read_text(encoding="utf-8")
        command += [sys.executable, "-c", source, json.dumps({
            "preload": preload, "warm_up": WARM_UP, "side_modules": side_modules_code()})]
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open for the zygote's life
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, env=None if isolate else env, cwd=self.scratch, start_new_session=True)
        self.info: dict | None = None  # what it preloaded: read when first asked for a kernel
        self.served = 0  # kernels handed to submissions (said in a Dask worker's log)
        # The next submission's kernel, forked in the background while this one runs: a fork
        # of a process with scikit-learn imported takes ~0.1 s when the cores are busy.
        self._ahead: Future | None = None
        self._forker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader-fork")
        # A used kernel is ended (and its folder removed) in the background, while the host
        # scores and reports its submission; the next kernel is handed out only once it is gone
        # (a fork flood's processes must not count against the next submission's limits).
        self._ending: list[Future] = []
        self._ender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader-end")

    def kernel(self, resources: ResourceLimits) -> Prepared:
        """A fresh kernel for one submission: the one started ahead when it fits, else one
        started now. Either way the next one starts at once, in the background, so that it
        is ready when this submission is done."""
        self._wait_ended()
        ahead = self._take_ahead()
        if ahead and (ahead.resources != resources or ahead.process.poll() is not None):
            self.discard(ahead)
            ahead = None
        ready = ahead or self._prepare(resources)
        self._ahead = self._forker.submit(self._prepare_after, ready, resources)
        self.served += 1
        return ready

    def _prepare_after(self, first: Prepared, resources: ResourceLimits) -> Prepared:
        """The next kernel, once `first` is up: at the start of a batch both would otherwise
        start at the same time, on cores still busy with the other workers' zygotes."""
        _wait_bound(first.connection_info, first.process)
        return self._prepare(resources)

    def _take_ahead(self) -> Prepared | None:
        ahead, self._ahead = self._ahead, None
        try:
            return ahead.result() if ahead else None
        except InternalError:  # the zygote died: asking again says so, with its last words
            return None

    def discard(self, prepared: Prepared) -> None:
        prepared.process.kill()
        self.retire(prepared)

    def end(self, pid: int) -> None:
        """Ask the zygote to end kernel `pid`, in the background (see _ending)."""
        self._ending.append(self._ender.submit(self._end, pid))

    def retire(self, prepared: Prepared) -> None:
        """Remove a used kernel's folder once it has ended (in the background, in order)."""
        self._ending.append(self._ender.submit(shutil.rmtree, prepared.workdir, True))

    def _end(self, pid: int) -> None:
        with contextlib.suppress(InternalError):   # the zygote died: its kernels with it
            self.request(op="kill", pid=pid)   # answered once all its processes are gone

    def _wait_ended(self) -> None:
        ending, self._ending = self._ending, []
        for future in ending:
            future.result()

    def _prepare(self, resources: ResourceLimits) -> Prepared:
        workdir = Path(tempfile.mkdtemp(dir=self.scratch, prefix="run-"))
        sockets = kernel_folder(workdir)
        connection_file, info = write_connection_file(
            str(sockets / "connection.json"), transport="ipc", ip=str(sockets / "k"),
            key=secrets.token_hex(32).encode())
        hand_over(workdir, self.uid)
        process = self.spawn(connection_file, str(workdir), kernel_env(workdir), resources)
        return Prepared(workdir, connection_file, info, process, resources, self.uid)

    def spawn(self, connection_file: str, cwd: str, env: dict[str, str],
              resources: ResourceLimits) -> ForkedKernel:
        answer = self.request(op="spawn", connection_file=connection_file, cwd=cwd, env=env,
                              args=KERNEL_ARGS, isolate=self.isolate, scratch=str(self.scratch),
                              tmp_bytes=TMP_BYTES, shm_bytes=SHM_BYTES,
                              limits=_rlimits(resources),
                              keep=[*python_paths(), *self.readable])
        return ForkedKernel(self, answer["pid"])

    def request(self, **message) -> dict:
        with self._lock:
            if self.info is None:  # it has been importing since it started: wait for it
                self.info = self._read("starting")
            try:
                self._process.stdin.write(json.dumps(message) + "\n")
                self._process.stdin.flush()
            except (OSError, ValueError):  # a broken pipe, or one we closed (stop)
                raise self._died("asked to " + message["op"]) from None
            answer = self._read(message["op"])
        if "error" in answer:
            raise InternalError(f"the warm-kernel zygote could not {message['op']}: "
                                f"{answer['error']}", "run with --no-warm to start each kernel "
                                "cold, and report this")
        return answer

    def alive(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        """End the sandbox, and with it every kernel inside (the one forked ahead too)."""
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        with contextlib.suppress(OSError):
            self._process.kill()

    def close(self) -> None:
        self._wait_ended()
        self.stop()
        self._take_ahead()  # a fork under way now fails: the zygote is gone
        self._forker.shutdown()
        self._ender.shutdown()
        self._process.wait()
        if self._cgroup:
            self._cgroup.remove()
        self._stderr.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
        release(self._held)

    def _read(self, doing: str) -> dict:
        line = self._process.stdout.readline()
        if not line:
            raise self._died(doing)
        return json.loads(line)

    def _died(self, doing: str) -> InternalError:
        self._stderr.seek(0)
        tail = self._stderr.read()[-2000:].decode(errors="replace").strip()
        return InternalError(f"the warm-kernel zygote stopped while {doing}"
                             + (f": {tail}" if tail else ""),
                             "run with --no-warm to start each kernel cold, and report this")


def imports_of(notebook: Path) -> tuple[str, ...]:
    """The modules a (trusted) solution notebook imports: what its students' kernels will."""
    import ast

    found: list[str] = []
    for cell in load_submission(notebook).cells:
        try:
            tree = ast.parse(cell.source) if cell.cell_type == "code" else None
        except SyntaxError:  # IPython magics: this cell's imports are not preloaded, that's all
            continue
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return tuple(dict.fromkeys(found))


def preload_for(notebook: Path) -> tuple[str, ...]:
    return tuple(dict.fromkeys(KERNEL_MODULES + imports_of(notebook)))


def prewarmed(solution: Path, workers: int, sandbox) -> KernelPool:
    """A pool whose `workers` zygotes start now, in `sandbox` (grader.grading.pipeline's execution
    limits), importing what `solution` imports. Call it from a thread that outlives the batch:
    a sandbox dies with the thread that started it."""
    pool = KernelPool(preload_for(solution))
    pool.prewarm(workers, sandbox.isolate, sandbox.readable)
    return pool


def _rlimits(resources: ResourceLimits) -> dict[str, int]:
    return {"as": resources.memory_bytes, "cpu": resources.cpu_seconds,
            "fsize": resources.max_file_bytes, "nproc": resources.max_processes, "core": 0}


@dataclass(frozen=True)
class Prepared:
    """A kernel forked for one submission, with its working folder and connection file."""

    workdir: Path
    connection_file: str
    connection_info: dict
    process: ForkedKernel
    resources: ResourceLimits
    uid: int | None = None    # the kernel's, when the grader runs as root (kernel.sandbox)


class ForkedKernel:
    """What jupyter_client's provisioner expects of a subprocess.Popen, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            if not self.zygote.alive():
                self.returncode = -9  # the zygote's sandbox ended, and its kernels with it
            else:
                self.returncode = self.zygote.request(op="poll", pid=self.pid)["returncode"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.02)
        return self.returncode

    def kill(self) -> None:
        """End the kernel: it is dead to the host at once, and the zygote ends it in the
        background (the zygote's next kernel waits until every one of its processes is gone)."""
        if self.returncode is None:
            self.returncode = -signal.SIGKILL
            self.zygote.end(self.pid)

    terminate = kill

    def send_signal(self, signum: int) -> None:
        self.kill()  # interrupts go through the control channel; any other signal ends it


class ZygoteProvisioner(LocalProvisioner):
    """"Launch" a kernel the zygote has already forked (the command line is not used)."""

    prepared: Prepared | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        self.process = self.prepared.process
        self.pid, self.pgid = self.process.pid, None
        self.cwd = kwargs["cwd"]
        _wait_bound(self.connection_info, self.process)
        return self.connection_info


def _wait_bound(info: dict, process: ForkedKernel) -> None:
    """Return once the kernel listens on its Unix sockets (or has died). A client that connects
    earlier only retries every 100 ms, and may miss the kernel's first IOPub messages, which
    costs jupyter_client's readiness check another 0.2 s: a quarter of a warm submission."""
    ports = [info[f"{name}_port"] for name in ("shell", "iopub", "stdin", "hb", "control")]
    paths = [Path(f"{info['ip']}-{port}") for port in ports]
    deadline = time.monotonic() + BOUND_TIMEOUT
    for tick in itertools.count():
        if all(p.exists() for p in paths) or time.monotonic() > deadline:
            return
        # Asking the zygote whether it died is a round trip: every 50 ms, not every look.
        if tick % 16 == 15 and process.poll() is not None:
            return
        time.sleep(0.003)


class KernelPool:
    """Zygotes for a batch: one per worker thread at a time, started ahead (`prewarm`) or on
    first use, closed at the end. A zygote whose sandbox died is replaced, never reused."""

    def __init__(self, preload: tuple[str, ...] = PRELOAD) -> None:
        self.preload = preload
        self._idle: list[Zygote] = []
        self._all: list[Zygote] = []
        self._lock = threading.Lock()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def prewarm(self, count: int, isolate: bool, readable: tuple[str, ...] = ()) -> None:
        """Start `count` zygotes now: they import their libraries while the caller goes on
        (computing references, say). Call it from a thread that outlives the batch: a sandbox
        dies with the thread that started it."""
        for _ in range(count):
            zygote = self._new(isolate, readable)
            with self._lock:
                self._idle.append(zygote)

    @contextlib.contextmanager
    def zygote(self, isolate: bool, readable: tuple[str, ...]):
        """A zygote for one submission, for this thread alone until the block ends."""
        found = self._take(isolate, readable) or self._new(isolate, readable)
        try:
            yield found
        finally:
            with self._lock:
                self._idle.append(found)

    def _new(self, isolate: bool, readable: tuple[str, ...]) -> Zygote:
        zygote = Zygote(isolate, readable, self.preload)
        with self._lock:
            self._all.append(zygote)
        return zygote

    def _take(self, isolate: bool, readable: tuple[str, ...]) -> Zygote | None:
        with self._lock:
            self._idle = [z for z in self._idle if z.alive()]
            for zygote in self._idle:
                if (zygote.isolate, zygote.readable) == (isolate, readable):
                    self._idle.remove(zygote)
                    return zygote
        return None

    def counts(self) -> tuple[int, int]:
        """(zygotes started, kernels served) so far."""
        with self._lock:
            return len(self._all), sum(z.served for z in self._all)

    def close(self) -> None:
        with self._lock:
            zygotes, self._all, self._idle = self._all, [], []
        for zygote in zygotes:  # all at once: each sandbox takes a while to end
            zygote.stop()
        for zygote in zygotes:
            zygote.close()


@contextlib.contextmanager
def forked_kernel(pool: KernelPool, limits: Limits):
    """A working folder in a zygote's sandbox, and a kernel forked from that zygote (its PID
    namespace ends every process the submission started)."""
    with pool.zygote(limits.isolate, limits.readable) as zygote:
        prepared = zygote.kernel(limits.resources)
        try:
            yield prepared.workdir, lambda: forked_manager(prepared)
        finally:
            prepared.process.kill()   # ended already, unless the kernel never started
            zygote.retire(prepared)


def forked_manager(prepared):
    """A kernel manager for a kernel the zygote has forked already (its connection file too)."""
    km = SandboxedKernelManager(kernel_name="python3", transport="ipc",
                                client_class="grader.kernel.kernels.ReadyClient")
    km.load_connection_file(prepared.connection_file)
    km.connection_file = prepared.connection_file
    km._connection_file_written = True
    km.provisioner = ZygoteProvisioner(kernel_id=km.kernel_id or "", kernel_spec=km.kernel_spec,
                                       parent=km)
    km.provisioner.prepared = prepared
    km.uid = prepared.uid
    hand_over(prepared.workdir, prepared.uid)   # what the host put there since it was forked
    return km, kernel_env(prepared.workdir)
