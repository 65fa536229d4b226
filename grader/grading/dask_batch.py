"""Grade a class on an existing Dask distributed cluster (`grader grade --scheduler ADDRESS`).

The machine running `grader grade` is the client: it finds the submissions, computes the
reference answers, and is the only one to write the gradebook and the reports. Each worker
receives a submission's bytes and file name (its own disk need not hold the class), writes them
to a private temporary folder and grades them exactly like local grading: same pipeline, same
sandbox (refused unisolated unless --allow-unisolated), BLAS threads pinned. Results come back
as Report objects.

The course (solutions and specs) must be installed on every worker: at the same path as on the
client, or where the worker's GRADER_COURSE (or its current folder) says. Before any
submission is sent, one check per worker finds the exercise, compares the course files and the
library versions with the client's (different ones would grade differently) and fills the
worker's reference cache (at most once per machine and reference, under a cluster lock).

Kernels are warm on the workers too: for the length of the batch a worker plugin keeps a
grader.kernel.warm.KernelPool on each worker, one zygote per worker thread, started before the first
submission arrives. Each submission still gets a fresh kernel, forked in the worker's sandbox.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from threadpoolctl import threadpool_limits

from ..core.catalog import find_course, get_exercise
from ..core.environment import environment
from ..core.settings import BatchSettings, GradeSettings
from ..core.spec import Exercise
from ..core.submission import load_submission
from ..errors import GraderError, InternalError, UsageError
from ..kernel.warm import KernelPool, prewarmed
from .one import Submission, grade_one, unisolated_reason
from .pipeline import execution_limits
from .reference import cache_key, reference_answers

CONNECT_TIMEOUT = "20s"
WORKER_WAIT_S = 30
INSTALL_HINT = "install the extra on this machine and the workers: pip install 'grader[dask]'"
WARM_PLUGIN = "grader-warm-kernels"
# A child of the worker's logger: its lines show in the worker's own log (and the dashboard's).
log = logging.getLogger("distributed.worker.grader")


def cluster_results(todo: list[tuple[Submission, str]], spec: Exercise, course: Path,
                    settings: BatchSettings) -> Iterator[tuple]:
    """(submission, sha256, status, report) for each of `todo`, graded on the cluster at
    `settings.scheduler`; with `settings.warm`, each worker forks the kernels from zygotes it
    keeps for this batch."""
    distributed = _distributed()
    with _connect(distributed, settings.scheduler) as client:
        preflight(client, spec, course, settings)
        warm = settings.warm and bool(todo)
        if warm:
            client.register_plugin(WarmKernels(spec.id, str(course), settings.grading),
                                   name=WARM_PLUGIN)
        try:
            yield from _graded_on(client, distributed, todo, spec, course, settings)
        finally:
            if warm:  # the zygotes hold ~0.5 GB per worker: not past the batch
                with contextlib.suppress(Exception):  # a cluster gone already took them along
                    client.unregister_worker_plugin(WARM_PLUGIN)


def _graded_on(client, distributed, todo, spec, course, settings) -> Iterator[tuple]:
    """Send each submission to the cluster; yield them as they come back."""
    token = uuid.uuid4().hex[:8]
    futures = {}
    for sub, sha in todo:
        data = _gradable_bytes(sub.path)
        if data is None:  # not a notebook at all: refused here, with local paths in the message
            yield sub, sha, *grade_one(sub, spec, replace(settings.grading, course=course))
            continue
        future = client.submit(grade_remote, sub.path.name, data, str(sub.path), spec.id,
                               str(course), settings, pure=False,
                               key=f"grader-{spec.id}-{sub.student}-{token}")
        futures[future] = (sub, sha)
    for future in distributed.as_completed(futures, loop=client.loop):
        sub, sha = futures[future]
        yield sub, sha, *_outcome(future, sub)


def grade_remote(name: str, data: bytes, shown_path: str, exercise: str, course: str,
                 settings: BatchSettings) -> tuple:
    """On a worker: grade one submission sent as bytes. Returns (status, report), or
    ("fatal", message, hint) when this worker cannot grade at all."""
    try:
        spec, root = worker_exercise(exercise, course)
        _refuse_unisolated_here(settings)
    except GraderError as exc:
        return "fatal", exc.message, exc.hint
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        with threadpool_limits(limits=1):
            grading = replace(settings.grading, course=root, pool=_warm_pool())
            status, report = grade_one(Submission(path.stem, path), spec, grading)
    # The report names the file as the instructor knows it, not the worker's temporary copy.
    return status, replace(report, submission=shown_path)


try:
    from distributed import WorkerPlugin
except ImportError:  # the extra is missing: _distributed() says what to install, first
    WorkerPlugin = object


class WarmKernels(WorkerPlugin):
    """A Dask worker plugin for one batch: a KernelPool with a zygote per worker thread, started
    on registration (from the worker's main thread, which outlives the tasks: a sandbox ends
    with the thread that started it) and closed on unregistration. A worker that cannot find
    the exercise keeps no pool: its check says why, and it would grade cold anyway."""

    idempotent = False

    def __init__(self, exercise: str, course: str, grading: GradeSettings) -> None:
        self.exercise, self.course, self.grading = exercise, course, grading
        self.pool: KernelPool | None = None

    def setup(self, worker) -> None:
        try:
            spec, _ = worker_exercise(self.exercise, self.course)
            sandbox = execution_limits(spec, self.grading)
        except GraderError as exc:
            log.warning("grader: no warm kernels for %s: %s", self.exercise, exc.message)
            return
        self.pool = prewarmed(spec.solution_path, worker.state.nthreads, sandbox)
        log.info("grader: warm kernels for %s: %d zygote(s) importing %d modules",
                 self.exercise, worker.state.nthreads, len(self.pool.preload))

    def teardown(self, worker) -> None:
        if self.pool:
            zygotes, kernels = self.pool.counts()
            self.pool.close()
            log.info("grader: warm kernels for %s closed: %d zygote(s) forked %d kernel(s)",
                     self.exercise, zygotes, kernels)


def _warm_pool() -> KernelPool | None:
    """This worker's pool for the batch, if the client asked for warm kernels."""
    from distributed import get_worker
    plugin = get_worker().plugins.get(WARM_PLUGIN)
    return plugin.pool if isinstance(plugin, WarmKernels) else None


def check_worker(exercise: str, course: str, settings: BatchSettings) -> dict:
    """On a worker, before grading: can it grade this exercise like the client would?"""
    host = socket.gethostname()
    try:
        spec, _ = worker_exercise(exercise, course)
        _refuse_unisolated_here(settings)
        _data_present(settings.grading)
        parameters = settings.grading.parameters
        key = cache_key(spec, parameters)
        with _machine_lock(f"grader-reference-{host}-{key}"):
            reference_answers(spec, parameters, execution_limits(spec, settings.grading))
    except GraderError as exc:
        return {"host": host, "problem": exc.message, "hint": exc.hint}
    return {"host": host, "problem": None, **fingerprint(spec, parameters)}


def worker_exercise(exercise: str, course: str) -> tuple[Exercise, Path]:
    """The exercise on this worker: the client's course path, else the worker's own course
    (GRADER_COURSE, its current folder)."""
    try:
        root = find_course(course)
    except UsageError:
        try:
            root = find_course(None)
        except UsageError:
            raise _no_course(exercise, course) from None
    try:
        return get_exercise(exercise, root), root
    except UsageError:
        raise _no_course(exercise, course, root) from None


def _no_course(exercise: str, course: str, found: Path | None = None) -> UsageError:
    where = f"its course folder {found} has no {exercise!r}" if found else "it has no course"
    return UsageError(
        f"the Dask worker on {socket.gethostname()} cannot find exercise {exercise!r}: "
        f"{where} (the client's course is {course})",
        f"install the same course on every worker machine at {course}, or start the workers "
        f"with GRADER_COURSE=/path/to/course (solutions/{exercise}.toml and .ipynb must be "
        "there), then run the command again")


def fingerprint(spec: Exercise, parameters: dict) -> dict:
    """What must agree between client and workers for their grades to agree."""
    digest = hashlib.sha256()
    for path in (spec.solution_path, spec.spec_path):
        digest.update(Path(path).read_bytes())
    return {"course_files": digest.hexdigest(), "environment": environment(),
            "reference": cache_key(spec, parameters)}


def preflight(client, spec: Exercise, course: Path, settings: BatchSettings) -> None:
    """Check every worker before sending any submission; refuse with what to fix."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except Exception:  # distributed raises TimeoutError or its own wrapper
        raise UsageError(f"the Dask scheduler at {client.scheduler.address} has no workers",
                         "start some: dask worker ADDRESS --nworkers 2 --nthreads 1 (on each "
                         "machine with grader and the course installed)") from None
    token = uuid.uuid4().hex[:8]
    checks = [client.submit(check_worker, spec.id, str(course), settings,
                            workers=[w], allow_other_workers=False, pure=False,
                            key=f"grader-check-{i}-{token}")
              for i, w in enumerate(sorted(client.nthreads()))]
    ours = fingerprint(spec, settings.grading.parameters)
    for report in client.gather(checks):
        _agree(report, ours, spec)


def _agree(worker: dict, ours: dict, spec: Exercise) -> None:
    host = worker["host"]
    if worker["problem"]:
        raise UsageError(worker["problem"], worker["hint"])
    if worker["course_files"] != ours["course_files"]:
        raise UsageError(f"the Dask worker on {host} has a different copy of {spec.id} "
                         f"(solutions/{spec.id}.ipynb or .toml differ from this machine's)",
                         "install the same version of the course on every worker")
    if worker["environment"] != ours["environment"]:
        raise UsageError(f"the Dask worker on {host} runs {worker['environment']}, this "
                         f"machine {ours['environment']}: grades could differ",
                         "install the same versions of Python, numpy, scikit-learn and grader "
                         "on every worker")
    if worker["reference"] != ours["reference"]:
        raise UsageError(f"the Dask worker on {host} would compute other reference answers "
                         f"for {spec.id} than this machine (another grader build)",
                         "install the same grader on every worker")


def _outcome(future, sub: Submission) -> tuple:
    try:
        result = future.result()
    except Exception as exc:  # a worker died, the scheduler went away: not the student's doing
        raise InternalError(f"the Dask cluster failed while grading {sub.student} "
                            f"({type(exc).__name__}: {exc})",
                            "check the workers' logs, then run the same command with --resume: "
                            "the submissions already recorded are kept") from None
    if result[0] == "fatal":
        raise UsageError(result[1], result[2])
    return result


def _refuse_unisolated_here(settings: BatchSettings) -> None:
    why = unisolated_reason(settings.grading.isolate, settings.allow_unisolated)
    if why:
        raise UsageError(f"the Dask worker on {socket.gethostname()} refuses to grade "
                         f"unisolated: {why}",
                         "install bubblewrap on every worker machine (apt install bubblewrap), "
                         "or pass --allow-unisolated if every submission is trusted")


def _data_present(grading: GradeSettings) -> None:
    missing = [p for p in grading.limits.readable if not Path(p).exists()]
    if missing:
        raise UsageError(f"the Dask worker on {socket.gethostname()} has no {missing[0]} "
                         "(given with --data)",
                         "copy the data to the same path on every worker machine")


def _gradable_bytes(path: Path) -> bytes | None:
    """The file's bytes when it is a notebook or module worth sending; None when it is not."""
    try:
        load_submission(path)
        return path.read_bytes()
    except (GraderError, OSError):
        return None


def _machine_lock(name: str):
    from distributed import Lock
    return Lock(name)


def _connect(distributed, scheduler: str):
    try:
        return distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                         "start one with `dask scheduler` and pass the address it prints, "
                         "e.g. --scheduler tcp://host:8786") from None


def _distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError("--scheduler needs the `distributed` package, which is not installed",
                         INSTALL_HINT) from None
    return distributed
