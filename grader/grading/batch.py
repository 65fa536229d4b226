"""Grade a class: many submissions of one exercise, in parallel, into one gradebook.

One broken submission never stops the batch: a file that cannot be read, or a fault of ours,
becomes that student's row with a clear status, and the others go on.

Resumable: each submission's reports are written (atomically) and then its gradebook row is
committed; a batch killed at any moment is finished by running it again with `resume=True`,
which grades only the submissions without a row, or whose file changed (sha256) since.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from threadpoolctl import threadpool_limits

from ..core import timings
from ..core.catalog import find_course, get_exercise
from ..core.results import Report
from ..core.settings import BatchSettings
from ..core.spec import Exercise
from ..errors import InternalError, UsageError
from ..formats import write_reports
from ..formats.lms import export_csv
from ..kernel.leftovers import sweep
from ..kernel.warm import KernelPool, prewarmed
from .gradebook import batch_settings, connect, forget, record, recorded, start_batch
from .one import Submission, grade_one, refuse_unisolated, student_id
from .pipeline import execution_limits, final_parameters
from .public import released_environment_notice
from .reference import cache_key, reference_answers
from .release_check import notice as release_notice
from .release_check import release_changes

SUFFIXES = (".ipynb", ".py")
REPORTS = ("report.json", "report.html")
LOCK = ".grader.lock"


@dataclass(frozen=True)
class BatchResult:
    out: Path
    gradebook: Path
    grades_csv: Path
    reports: dict   # student -> Report, for the submissions graded by this run
    skipped: tuple[str, ...] = ()   # unchanged since their row was recorded (resume)


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def grade_class(paths: list[str | os.PathLike], exercise: str, out: str | os.PathLike,
                settings: BatchSettings = BatchSettings(), *,
                on_result: Callable[[str, Report], None] | None = None,
                on_start: Callable[[int], None] | None = None) -> BatchResult:
    """Grade every submission found in `paths` into `out` (gradebook, CSV, reports).

    `settings` (grader.core.settings.BatchSettings) says how: each submission's settings, the
    number of local jobs or a Dask scheduler, warm or cold kernels, resume or fresh. `out`
    already holding rows of this exercise is refused unless `resume` (grade only what is
    missing or changed) or `fresh` (forget them, grade everything). Refuses to run student code
    unisolated unless `allow_unisolated` (trusted code only). `on_start(count)` and
    `on_result(student, report)` report progress."""
    if settings.resume and settings.fresh:
        raise UsageError("--resume and --fresh contradict each other",
                         "--resume finishes an earlier run, --fresh starts over: pick one")
    grading = settings.grading
    spec = get_exercise(exercise, grading.course)
    if settings.scheduler is None:
        refuse_unisolated(grading.isolate, settings.allow_unisolated)
    submissions = discover(paths, spec)
    sweep()   # what killed batches left in /tmp and the cgroups
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with only_batch_in(out):
        return _grade_into(out, spec, submissions, settings, on_result, on_start)


def _grade_into(out: Path, spec: Exercise, submissions: list[Submission],
                settings: BatchSettings, on_result, on_start) -> BatchResult:
    grading = settings.grading
    # The exercise's parameters, resolved once: the batch's identity and every worker agree.
    grading = replace(grading, final=True)
    grading = replace(grading, parameters=final_parameters(spec, grading))
    settings = replace(settings, grading=grading)
    db = connect(out / "gradebook.sqlite")
    try:
        sandbox = execution_limits(spec, grading)
        identity = batch_identity(spec, grading.parameters, sandbox)
        todo, skipped = plan(db, spec, submissions, identity, out, resume=settings.resume,
                             fresh=settings.fresh)
        start_batch(db, spec.id, identity)
        jobs = settings.jobs or default_jobs()
        warm = settings.warm and settings.scheduler is None and bool(todo)
        # our own comparisons run one BLAS thread: same sums whatever the shell says
        with threadpool_limits(limits=1), \
                warm_kernels(warm, min(jobs, len(todo)), sandbox, spec.solution_path) as kernels, \
                reference_meanwhile(spec, grading.parameters, sandbox) as reference:
            if on_start:
                on_start(len(todo))
            results = _results(todo, spec, settings, jobs, kernels, reference)
            with closing(results):   # (closing stops the workers)
                reports = _record_all(results, db, out, on_result)
        export_csv(db, spec.id, [q.id for q in spec.questions], out / "grades.csv")
    finally:
        db.close()
    return BatchResult(out, out / "gradebook.sqlite", out / "grades.csv", reports,
                       tuple(s.student for s in skipped))


def _record_all(results, db, out: Path, on_result) -> dict[str, Report]:
    reports = {}
    for sub, sha, status, report in results:
        try:
            with timings.measuring() as steps:
                with timings.timed("reports"):
                    write_reports(report, out / sub.student)
                with timings.timed("gradebook"):
                    record(db, sub.student, sha, status, report)   # after its reports: final
            timings.write(sub.student, steps, sum(steps.values()))
        except (OSError, sqlite3.OperationalError) as exc:  # a full disk, a read-only OUT...
            raise InternalError(f"cannot record {sub.student}'s grade in {out} ({exc})",
                                "free space (or fix the permissions) there, then run the same "
                                "command with --resume: the rows recorded so far are kept") \
                from None
        reports[sub.student] = report
        if on_result:
            on_result(sub.student, report)
    return reports


def batch_identity(spec: Exercise, parameters: dict, limits) -> dict:
    """What the results depend on besides the submission: rows graded with other settings
    must not be mixed into one gradebook. The reference key covers the solution, the spec,
    the parameters and the library versions."""
    return {"parameters": parameters, "limits": dataclasses.asdict(limits),
            "reference": cache_key(spec, parameters)}


def plan(db, spec: Exercise, submissions: list[Submission], settings: dict, out: Path, *,
         resume: bool, fresh: bool) -> tuple[list[tuple[Submission, str]], list[Submission]]:
    """Which submissions to grade (with the sha256 of their file) and which to skip."""
    done = recorded(db, spec.id)
    if fresh:
        for student in forget(db, spec.id):
            for name in REPORTS:
                (out / student / name).unlink(missing_ok=True)
            with suppress(OSError):   # the folder goes too, unless something else is in it
                (out / student).rmdir()
        done = {}
    elif done and not resume:
        raise UsageError(f"{out / 'gradebook.sqlite'} already holds {len(done)} graded "
                         f"submission(s) of {spec.id} from an earlier run",
                         "pass --resume to finish that run (unchanged submissions are kept, "
                         "changed ones regraded), or --fresh to grade everything again")
    elif done:
        _same_settings(batch_settings(db, spec.id), settings, out)
    todo, skipped = [], []
    for sub in submissions:
        sha = _sha256(sub.path)
        if done.get(sub.student) == sha and _has_reports(out / sub.student):
            skipped.append(sub)
        else:
            todo.append((sub, sha))
    return todo, skipped


def _same_settings(before: dict | None, now: dict, out: Path) -> None:
    if before is None:  # rows from a grader that did not record its settings: nothing to compare
        return
    now = json.loads(json.dumps(now, sort_keys=True, default=str))
    changed = [k for k in now if before.get(k) != now[k]]
    if changed:
        what = {"parameters": "the -p parameters", "limits": "the limits (timeouts, memory, "
                "--data, isolation)", "reference": "the solution, the spec or the library "
                "versions (the reference answers)"}
        raise UsageError(f"cannot resume into {out}: {', '.join(what[k] for k in changed)} "
                         f"changed since its rows were graded; mixing both would grade "
                         f"students differently",
                         "resume with the options of the first run, or pass --fresh to grade "
                         "everything again with the new ones")


def _has_reports(folder: Path) -> bool:
    return all((folder / name).is_file() and (folder / name).stat().st_size > 0
               for name in REPORTS)


@contextmanager
def reference_meanwhile(spec: Exercise, parameters: dict, sandbox) -> Iterator[Future]:
    """The reference answers computed in a thread of their own, while the zygotes import and
    the first submissions run: the workers' own lookups wait for it (grading.reference)."""
    with ThreadPoolExecutor(1, thread_name_prefix="grader-reference") as one:
        yield one.submit(reference_answers, spec, parameters, sandbox)


def _results(todo, spec, settings: BatchSettings, jobs: int, kernels: KernelPool | None,
             reference: Future) -> Iterator[tuple]:
    """(submission, sha256, status, report) for each of `todo`, in the order they finish.
    Nothing is yielded before `reference` is done: a broken solution stops the batch (its
    SpecError) before a single row is recorded."""
    # The reference is computed here: if the release students checked against was computed
    # with other library versions, every graded report says so, first.
    versions = released_environment_notice(spec, settings.released)
    if settings.scheduler is not None:
        from .dask_batch import cluster_results  # distributed is an optional extra
        reference.result()
        for sub, sha, status, report in cluster_results(
                todo, spec, find_course(settings.grading.course), settings):
            report = _with_notice(report, versions if status == "graded" else None)
            yield sub, sha, status, _with_release_changes(report, sub, settings.released)
        return
    # The reference is loaded (and its files verified) once for the batch, not per student.
    grading = replace(settings.grading, pool=kernels, reference=reference.result)
    with local_workers(jobs) as pool:
        futures = {pool.submit(grade_one, sub, spec, grading): (sub, sha) for sub, sha in todo}
        reference.result()
        for future in as_completed(futures):
            sub, sha = futures[future]
            status, report = future.result()
            report = _with_notice(report, versions if status == "graded" else None)
            yield sub, sha, status, _with_release_changes(report, sub, settings.released)


def _with_notice(report: Report, notice: str | None) -> Report:
    return dataclasses.replace(report, notices=(notice, *report.notices)) if notice else report


def _with_release_changes(report: Report, sub: Submission, released: str | None) -> Report:
    if not released or sub.repository is None:
        return report
    changes = release_changes(sub.repository, Path(released))
    if not changes:
        return report
    return dataclasses.replace(report, release_changes=changes,
                               notices=(*report.notices, release_notice(changes)))


@contextmanager
def only_batch_in(out: Path) -> Iterator[None]:
    """Hold OUT for this batch: a second `grader grade` into it would mix two runs' rows (with
    other -p, even other settings) into one gradebook. The lock ends with the process, so a
    killed batch never leaves it behind."""
    with open(out / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another `grader grade` is writing into {out} right now",
                             "wait until it is done (then --resume adds to it), or grade "
                             "into another --out") from None
        yield


@contextmanager
def warm_kernels(wanted: bool, workers: int, sandbox,
                 solution: Path) -> Iterator[KernelPool | None]:
    """One zygote per worker, started now (from this thread, which outlives the batch: a
    sandbox dies with the thread that started it), importing what the exercise's solution
    imports while references are computed."""
    if not wanted:
        yield None
        return
    with prewarmed(solution, workers, sandbox) as kernels:
        yield kernels


# --- WORKER POOL -------------------------------------------------------------------------------
# The one place where local workers are created. Each worker thread grades one submission at a
# time through grader.grading.pipeline.grade (whose kernel is a process of its own, forked from the
# pool's zygotes when the batch is warm: grader.kernel.warm).
@contextmanager
def local_workers(jobs: int) -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="grader-worker")
    try:
        yield pool
    finally:
        # Killed or interrupted: do not start the queued submissions; the running ones end
        # with their kernels (a resumed batch grades them again).
        pool.shutdown(wait=True, cancel_futures=True)
# -----------------------------------------------------------------------------------------------


def discover(paths: list[str | os.PathLike], spec: Exercise) -> list[Submission]:
    """Submissions and student ids: `alice.ipynb` is alice's; so is `alice/<anything>.ipynb`."""
    found: list[Submission] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += _from_folder(path, spec)
        elif path.exists():
            found.append(Submission(_student_of(path, spec), path))
        else:
            raise UsageError(f"{path}: no such file or folder", "check the path")
    _reject_duplicates(found)
    return sorted(found, key=lambda s: s.student)


def _from_folder(folder: Path, spec: Exercise) -> list[Submission]:
    found = [Submission(_student_of(p, spec), p) for p in sorted(folder.iterdir())
             if p.is_file() and p.suffix in SUFFIXES]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if sub.is_symlink():  # a link to another student's folder: graded as unreadable
            found.append(Submission(student_id(sub.name), sub))
            continue
        files = [p for p in sorted(sub.iterdir()) if p.is_file() and p.suffix in SUFFIXES]
        # A clone of the student bundle (GitHub Classroom) keeps it in exercises/.
        files += [p for p in (sub / "exercises" / f"{spec.id}{s}" for s in SUFFIXES)
                  if p.is_file() and not p.is_symlink()]
        preferred = [p for p in files if p.stem == spec.id] or files
        # A student folder without a notebook is graded too: its row says what is missing.
        found.append(Submission(student_id(sub.name), preferred[0] if preferred else sub, sub))
    return found


def _student_of(path: Path, spec: Exercise) -> str:
    # A file named after the exercise says nothing about its author: the folder does.
    return student_id(path.parent.name if path.stem == spec.id else path.stem)


def _reject_duplicates(found: list[Submission]) -> None:
    seen: dict[str, Path] = {}
    for sub in found:
        if sub.student in seen:
            raise UsageError(f"two submissions for student {sub.student!r}: {seen[sub.student]} "
                             f"and {sub.path}", "keep one file per student")
        seen[sub.student] = sub.path


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
