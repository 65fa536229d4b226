"""Run a notebook in a fresh kernel, cell by cell, and bring its answers back as plain data.

Each submission gets its own kernel and its own temporary working folder. A failing cell does not
stop the run (each question is graded on its own); a cell that runs too long is interrupted; the
notebook as a whole has a deadline. After the student's cells, one extra cell
(grader.kernel.kernel_side) writes the requested answers as JSON and .npy files, which
grader.core.answers reads back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import math
import os
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from ..core import timings
from ..core.answers import Extracted
from ..core.probes import make_inputs
from ..core.records import DISK_ENAME, CellRun, Execution, Limits
from ..core.results import CellError
from ..core.spec import Probe
from ..errors import InternalError
from . import diskwatch
from .channel import HOST_FAULTS, AnswerChannel, channel_path, host_fault
from .diskwatch import DiskWatch
from .extract import extraction_cell, side_modules_code, snapshot_call
from .kernels import KERNEL_ARGS, cold_kernel
from .warm import KernelPool, forked_kernel

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TIMEOUT_ENAME = "CellTimeoutError"
EXTRACTION_TIMEOUT = 120.0   # seconds for the answer-extraction cell, probes included


IMAGE_TYPES = ("image/png", "image/jpeg")
MAX_IMAGE_CHARS = 400_000      # base64 of ~300 KB: the report's limit for one figure
MAX_IMAGES_PER_CELL = 6
# Unseeded randomness gets the same numbers on every run, cold or warm kernel, any worker:
# a student's score must not depend on the luck of the draw at grading time.
SEED_CODE = ("import random as _r\n_r.seed(0)\ndel _r\n"
             "import numpy as _np\n_np.random.seed(0)\ndel _np")
MAX_OUTPUT_BYTES = 2 * 2**20  # per cell: what is kept of a cell's printed output and images


class CappedClient(NotebookClient):
    """A NotebookClient that keeps at most MAX_OUTPUT_BYTES of each cell's outputs: a student
    printing hundreds of MB must not fill the grader's memory. Errors are always kept."""

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        kept = self._kept_bytes = getattr(self, "_kept_bytes", {})
        size = _content_size(msg["content"])
        if kept.get(cell_index, 0) + size > MAX_OUTPUT_BYTES:
            if kept.get(cell_index, 0) <= MAX_OUTPUT_BYTES:
                outs.append(nbformat.v4.new_output("stream", name="stderr", text=(
                    f"[grader: output truncated: more than {MAX_OUTPUT_BYTES // 2**20} MB]\n")))
            kept[cell_index] = MAX_OUTPUT_BYTES + 1
            return None
        kept[cell_index] = kept.get(cell_index, 0) + size
        return super().output(outs, msg, display_id, cell_index)


def _content_size(content: dict) -> int:
    data = content.get("data") or {}
    return len(content.get("text", "")) + sum(len(str(v)) for v in data.values())


def run_notebook(nb: nbformat.NotebookNode, names: list[str], probes: list[Probe],
                 parameters: dict | None = None, limits: Limits = Limits(),
                 data_files: tuple[Path, ...] = (), pool: KernelPool | None = None,
                 questions: dict[str, list[str]] | None = None) -> Execution:
    """Execute `nb` in a fresh kernel and extract `names` and the probes' outputs.

    `questions` (question id -> the names and probed functions its checks read): each is read
    as it stood after the last cell tagged with that question (`{"grader": {"question": ID}}`
    in the cell's metadata), not after the whole notebook; untagged, at the end.

    With a `pool` (grader.kernel.warm.KernelPool), the fresh kernel is forked from a pre-warmed
    zygote instead of started cold: same isolation, none of the start-up cost."""
    started = time.monotonic()
    kernels = forked_kernel(pool, limits) if pool else cold_kernel(limits)
    with timings.phases(kernels, "kernel start", "kernel stop") as (workdir, manager):
        for f in data_files:
            shutil.copy(f, workdir / Path(f).name)
        nonce = secrets.token_hex(8)
        requests = _write_probe_inputs(probes, workdir / f".in-{nonce}")
        runs, answers, notices = _run(nb, workdir, names, requests, limits,
                                      parameters or {}, manager, questions or {},
                                      preloaded=pool is not None)
        return Execution(tuple(runs), answers, tuple(notices), time.monotonic() - started)


@dataclass(frozen=True)
class Appended:
    """Where the grader's own cells sit in the copy of the notebook the client runs: after the
    student's, so that the student's cells keep their numbers ("cell 4" is their cell 4)."""

    student_cells: int        # how many cells the student's notebook has
    parameters: int | None    # index of the injected parameters cell, if any
    extract: int              # index of the extraction cell
    out: Path                 # the folder the extraction cell writes the answers into
    snapshots: dict[int, list[tuple[str, list[str]]]] = dataclasses.field(default_factory=dict)
    # cell index -> (question, names) to keep after that cell, the question's last
    preloaded: bool = False   # the kernel inherited grader's kernel-side modules (a zygote's)


@dataclass
class Deadline:
    """The notebook's deadline: set once the kernel is up (its start-up does not count)."""

    at: float = math.inf


def _run(nb, workdir: Path, names, requests, limits, parameters, manager, questions,
         preloaded: bool = False):
    nb = nbformat.from_dict(nb)
    out = channel_path(workdir)
    student_cells = len(nb.cells)
    snapshots = _snapshots(nb, questions)
    injected = _append(nb, parameters_cell(parameters)) if parameters else None
    extract = _append(nb, nbformat.v4.new_code_cell(
        extraction_cell(names, requests, str(out), _first_question(questions, snapshots))))
    appended = Appended(student_cells, injected, extract, out, snapshots, preloaded)
    return _run_in(nb, workdir, limits, appended, manager)


def _snapshots(nb, questions: dict[str, list[str]]) -> dict[int, list[tuple[str, list[str]]]]:
    """cell index -> the questions whose last tagged cell it is, with the heads of their names."""
    last = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("grader", {})
        question = meta.get("question") if isinstance(meta, dict) else None
        if cell.cell_type == "code" and question in questions:
            last[question] = index
    found: dict[int, list[tuple[str, list[str]]]] = {}
    for question, index in last.items():
        heads = list(dict.fromkeys(n.split(".")[0] for n in questions[question]))
        found.setdefault(index, []).append((question, heads))
    return found


def _first_question(questions: dict[str, list[str]], snapshots) -> dict[str, str]:
    """name -> the first question (in the spec's order) that reads it and has a snapshot: a
    name several questions read is graded as it stood after the first of them."""
    kept = {q for entries in snapshots.values() for q, _ in entries}
    found: dict[str, str] = {}
    for question, names in questions.items():
        if question in kept:
            for name in names:
                found.setdefault(name, question)
    return found


def _run_in(nb, workdir, limits, appended: Appended, manager):
    with timings.timed("kernel start"):
        km, env = manager()
    deadline = Deadline()
    client = CappedClient(
        nb, km=km, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "", "traceback": []},
        record_timing=False, resources={"metadata": {"path": str(workdir)}},
        extra_arguments=KERNEL_ARGS,   # a cold kernel's; a forked one has them already
        shutdown_kernel="immediate",  # the kernel is thrown away: no need to wait for it
        timeout_func=lambda cell: _cell_timeout(cell, limits.cell_timeout, deadline.at),
    )
    timed_out: set[int] = set()
    client.on_cell_error = lambda cell, cell_index, execute_reply: (
        timed_out.add(cell_index)
        if execute_reply["content"].get("ename") == TIMEOUT_ENAME else None)
    runs, notices, answers = [], [], None
    limit = limits.resources.workdir_bytes
    with _started(client, env), DiskWatch(workdir, limit, lambda: _kill(client)) as disk:
        with timings.timed("kernel start"):
            _send_silently(client, SEED_CODE + ("" if appended.preloaded
                                                else "\n" + side_modules_code()))
        # The notebook's time limit counts the student's code, not the kernel's start-up.
        deadline.at = time.monotonic() + limits.notebook_timeout
        alive = _run_cells(client, nb, appended, runs, notices, deadline.at, limits, timed_out)
        if alive:
            with timings.timed("extract"):
                answers = _extract(client, appended.extract, appended.out, notices)
    if disk.exceeded:
        runs = [_stopped_for_disk(r, disk.exceeded, limit) for r in runs]
        notices = [_disk_notice(n, disk.exceeded, limit) for n in notices]
    return [_tagged(r, nb.cells[r.index]) for r in runs], answers, notices


def _kill(client) -> None:
    """Stop the kernel now, from the disk watcher's thread (cold: its sandbox, whose kernel dies
    with it; warm: the forked kernel's namespace)."""
    process = getattr(client.km.provisioner, "process", None)
    if process is not None:
        with contextlib.suppress(OSError):
            process.kill()


def _disk_notice(notice: str, found: str, limit: int) -> str:
    if not notice.startswith("The kernel died in cell "):
        return notice
    cell = notice.split("cell ", 1)[1].split(";", 1)[0]
    return (f"The kernel was stopped in cell {cell}: its working folder held {found} "
            f"({_quota(limit)}); later cells did not run.")


def _quota(limit: int) -> str:
    return f"at most {limit / 2**20:,.0f} MB and {diskwatch.MAX_ENTRIES:,} files"


def _stopped_for_disk(run: CellRun, found: str, limit: int) -> CellRun:
    if not (run.error and run.error.ename == "KernelDied"):
        return run
    return dataclasses.replace(run, error=dataclasses.replace(
        run.error, ename=DISK_ENAME,
        evalue=f"the kernel was stopped: its working folder held {found} ({_quota(limit)}); "
               "write less to disk, or delete files you no longer need"))


@contextlib.contextmanager
def _started(client, env: dict):
    """The kernel, started; a kernel that cannot start is our fault, said as such."""
    try:
        # cleanup_kc: nbclient shuts down only kernels whose manager it made itself; ours must
        # end with the run too, cgroup or not.
        setup = client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    cleanup_kc=True)
        with timings.timed("kernel start"):
            setup.__enter__()
    except RuntimeError as exc:  # "Kernel died before replying to kernel_info"
        raise InternalError(f"the Jupyter kernel did not start ({exc})",
                            "check that ipykernel is installed in this environment; if "
                            "`--no-isolate` works, the sandbox is the cause: run "
                            "`bwrap --ro-bind / / true` to test bubblewrap") from None
    try:
        yield
    finally:
        with timings.timed("kernel stop"):
            setup.__exit__(None, None, None)


def _append(nb, cell) -> int:
    nb.cells.append(cell)
    return len(nb.cells) - 1


def _run_cells(client, nb, appended: Appended, runs, notices, deadline: float, limits,
               timed_out: set[int]) -> bool:
    """Run the student's code cells; False when the kernel can no longer answer (it died, or
    it ignores interrupts), so nothing more can be asked of it."""
    student_cells = nb.cells[:appended.student_cells]
    parameters_index = appended.parameters
    after = parameters_cell_index(student_cells) if parameters_index is not None else None
    if parameters_index is not None and after is None:
        client.execute_cell(nb.cells[parameters_index], parameters_index)
    for index, cell in enumerate(student_cells):
        if cell.cell_type != "code":
            continue
        if time.monotonic() >= deadline:
            runs.append(CellRun(index, cell.source, "not-run"))
            continue
        with timings.timed("cells"):
            run = _run_one(client, cell, index, limits, deadline, timed_out)
        runs.append(run)
        lost = _lost_kernel(client, run)
        if lost:
            notices.append(lost)
            _mark_not_run(student_cells, index + 1, runs)
            return False
        with timings.timed("snapshots"):
            for question, heads in appended.snapshots.get(index, ()):
                _send_silently(client, snapshot_call(question, heads))
        if index == after:
            client.execute_cell(nb.cells[parameters_index], parameters_index)
    if any(r.status == "not-run" for r in runs):
        notices.append(f"The notebook ran out of time ({limits.notebook_timeout:g} s in all); "
                       "the cells after that were not run.")
    return True


def _run_one(client, cell, index, limits, deadline, timed_out) -> CellRun:
    try:
        client.execute_cell(cell, index)
    except DeadKernelError:
        return CellRun(index, cell.source, "error", CellError(
            index, "KernelDied", "the Python process stopped while running this cell "
            "(os._exit, a crash, or it ran out of memory)", "", shorten(cell.source)))
    return _cell_run(index, cell, limits, index in timed_out, time.monotonic() >= deadline)


def _lost_kernel(client, run: CellRun) -> str | None:
    if run.error and run.error.ename == "KernelDied":
        return f"The kernel died in cell {run.index + 1}; later cells did not run."
    if run.status == "timeout" and not _responsive(client):
        return (f"Cell {run.index + 1} kept running after it was interrupted (it ignores "
                "KeyboardInterrupt?), so the kernel was stopped; later cells did not run.")
    return None


def _send_silently(client, code: str) -> None:
    """Queue grader code in the kernel, invisibly (no output, no history), without waiting: the
    kernel runs requests in order, so it runs before the next cell, and nbclient passes over
    its reply while it waits for that cell's (a round trip saved per call: 5-7 ms)."""
    client.kc.execute(code, silent=True, store_history=False)


def _responsive(client, seconds: float = 5.0) -> bool:
    """After an interrupt: does the kernel answer again? Code that swallows KeyboardInterrupt
    keeps it busy forever, and every later cell would wait out its whole time limit."""
    return _reply(client, "pass", seconds) is not None


def _reply(client, code: str, seconds: float) -> dict | None:
    """The shell reply to `code` run silently, or None when none comes in time."""
    async def run() -> dict:
        msg_id = client.kc.execute(code, silent=True, store_history=False)
        while True:
            reply = await client.kc.get_shell_msg(timeout=seconds)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply
    try:
        return run_sync(run)()
    except Exception:  # queue.Empty: no reply in time
        return None


def _tagged(run: CellRun, cell) -> CellRun:
    meta = cell.metadata.get("grader", {})
    question = meta.get("question") if isinstance(meta, dict) else None
    return dataclasses.replace(run, question=question if isinstance(question, str) else None)


def _mark_not_run(cells: list, start: int, runs: list) -> None:
    runs += [CellRun(i, c.source, "not-run") for i, c in enumerate(cells)
             if i >= start and c.cell_type == "code"]


def _images(cell) -> tuple:
    """The images a cell displayed this run (for the report), each capped, a few per cell."""
    found = []
    for output in cell.get("outputs", []):
        data = output.get("data") or {}
        for mime in IMAGE_TYPES:
            if isinstance(data.get(mime), str) and len(data[mime]) <= MAX_IMAGE_CHARS:
                found.append({"output_type": "display_data", "data": {mime: data[mime]}})
                break
    return tuple(found[:MAX_IMAGES_PER_CELL])


def _cell_run(index: int, cell, limits: Limits, timed_out: bool, past_deadline: bool) -> CellRun:
    run = _cell_status(index, cell, limits, timed_out, past_deadline)
    return dataclasses.replace(run, outputs=_images(cell))


def _cell_status(index: int, cell, limits: Limits, timed_out: bool,
                 past_deadline: bool) -> CellRun:
    error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
    if timed_out:
        limit = (f"the notebook's time limit ({limits.notebook_timeout:g} s in all)"
                 if past_deadline else f"its time limit ({limits.cell_timeout:g} s)")
        return CellRun(index, cell.source, "timeout", CellError(
            index, TIMEOUT_ENAME, f"the cell was still running after {limit} and was "
            "interrupted", "", shorten(cell.source)))
    if error is None:
        return CellRun(index, cell.source, "ok")
    return CellRun(index, cell.source, "error", cell_error(index, cell.source, error))


def _cell_timeout(cell, cell_limit: float, deadline: float) -> int:
    return max(1, math.ceil(min(cell_limit, deadline - time.monotonic())))


def _extract(client, index: int, out: Path, notices: list) -> Extracted | None:
    client.timeout_func = None
    client.timeout = int(EXTRACTION_TIMEOUT)
    cell = client.nb.cells[index]
    with AnswerChannel(out, getattr(client.km, "uid", None)) as channel:
        try:
            client.execute_cell(cell, index)
            return channel.read()
        except (DeadKernelError, CellTimeoutError):
            notices.append("The answers could not be read: the kernel stopped answering.")
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno in HOST_FAULTS:
                raise host_fault(exc, "could not read the answers back") from None
            error = next((o for o in cell.get("outputs", [])
                          if o.get("output_type") == "error"), {})
            if "No space left on device" in str(error.get("evalue")) and machine_full(out):
                # The kernel could not write because the machine's disk is full, not its own
                # quota: not this student's doing.
                raise host_fault(OSError(errno.ENOSPC, "No space left on device"),
                                 "could not get the answers written") from None
            why = (f"{error.get('ename')}: {error.get('evalue')}" if error
                   else str(exc) if isinstance(exc, ValueError) else "")
            notices.append("The answers could not be read back from the kernel"
                           + (f" ({why})." if why else "."))
    return None


def machine_full(path: Path, spare: int = 16 * 2**20) -> bool:
    """Whether the file system holding `path` (the grader's, under the kernel's folder) is full."""
    try:
        stat = os.statvfs(path.parent)
    except OSError:
        return True
    return stat.f_bavail * stat.f_frsize < spare


def _write_probe_inputs(probes: list[Probe], folder: Path) -> list[dict]:
    folder.mkdir()
    requests = []
    for p_index, probe in enumerate(probes):
        paths = []
        for a_index, array in enumerate(make_inputs(probe.inputs, probe.seed, probe.options)):
            path = folder / f"p{p_index}_{a_index}.npy"
            np.save(path, array, allow_pickle=False)
            paths.append(str(path))
        requests.append({"function": probe.function, "inputs": paths,
                         "outputs": list(probe.outputs)})
    return requests


def parameters_cell_index(cells: list) -> int | None:
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    return tagged[0] if tagged else None


def parameters_cell(parameters: dict) -> nbformat.NotebookNode:
    """Papermill's convention: code run right after the cell tagged `parameters` overrides it.

    It runs as an extra cell, not inserted, so cell numbers in feedback match the student's.
    """
    lines = [f"{name} = {value!r}" for name, value in parameters.items()]
    return nbformat.v4.new_code_cell("# Parameters injected by the grader\n" + "\n".join(lines))


def cell_error(index: int, source: str, output: dict) -> CellError:
    tb = "\n".join(ANSI.sub("", line) for line in output.get("traceback", []))
    return CellError(index, str(output.get("ename", "Error")), str(output.get("evalue", "")),
                     tb[-4000:], shorten(source))


def shorten(source: str, lines: int = 12) -> str:
    parts = source.splitlines()
    return "\n".join(parts[:lines] + ([f"... ({len(parts) - lines} more lines)"]
                                      if len(parts) > lines else []))
