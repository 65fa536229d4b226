"""Reference answers: the solution run through the same execute + extract path, cached.

The cache key covers everything the answers depend on: the solution and spec files, the
parameters, the library versions and the grader's own version. Hard-coded expected numbers go
stale (scikit-learn changed KMeans's n_init default in 1.4); these never do.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.answers import Extracted, load_answers, save_answers
from ..core.environment import environment, reference_environment
from ..core.probes import make_inputs
from ..core.records import Limits
from ..core.spec import Exercise
from ..core.submission import load_submission
from ..errors import SpecError, UsageError
from ..kernel.execute import run_notebook
from ..kernel.extract import kernel_source
from .public import released_reference

DIGEST = "digest.json"   # sha256 of each file of a cache entry, written with it
log = logging.getLogger(__name__)


def reference_answers(exercise: Exercise, parameters: dict, limits: Limits) -> Extracted:
    folder = cache_root() / exercise.id / cache_key(exercise, parameters)
    cached = _cached(folder)
    if cached is not None:
        return cached
    # One computation per entry: a batch computes the reference while its first submissions
    # run, and their workers (or another grader on this machine) wait for it here.
    with _only_one_computing(folder):
        cached = _cached(folder)
        if cached is not None:
            return cached
        answers = _compute(exercise, parameters, limits)
        _store(answers, folder)
        return answers


def _cached(folder: Path) -> Extracted | None:
    return _verified(folder) if (folder / "answers.json").is_file() else None


@contextmanager
def _only_one_computing(folder: Path) -> Iterator[None]:
    """An exclusive lock on `<entry>.lock` beside the entry (flock: between processes and
    between threads alike, released when its holder ends, even killed)."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        handle = open(folder.with_name(f"{folder.name}.lock"), "a+")   # noqa: SIM115
    except OSError:   # a read-only cache: compute without the lock, as before there was one
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _verified(folder: Path) -> Extracted | None:
    """The cached answers if the files are the ones stored (their digest says so); else None,
    after moving the entry aside and saying so: it is computed again."""
    aside = folder.with_name(f"{folder.name}.broken-{os.getpid()}")
    if not (folder / DIGEST).exists():  # stored by a grader older than digests: just redo it
        shutil.rmtree(folder, ignore_errors=True)
        return None
    try:
        stored = json.loads((folder / DIGEST).read_text(encoding="utf-8"))
        if stored == _digest(folder):
            return load_answers(folder)
        why = "its files changed since they were stored"
    except (OSError, ValueError) as exc:
        why = f"it cannot be read ({exc})"
    shutil.rmtree(aside, ignore_errors=True)
    folder.rename(aside)
    log.warning("grader: the cached reference answers in %s are not used: %s; they were moved "
                "to %s and are computed again", folder, why, aside)
    return None


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.name != DIGEST}


def cache_root() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "grader"
    return Path(os.environ.get("GRADER_CACHE_DIR", default)) / "references"


def cache_key(exercise: Exercise, parameters: dict) -> str:
    digest = hashlib.sha256()
    for path in (exercise.solution_path, exercise.spec_path):
        digest.update(Path(path).read_bytes())
    # environment() names numpy and scikit-learn; reference_environment() adds scipy
    versions = {**environment(), **reference_environment()}
    digest.update(json.dumps([parameters, versions, kernel_source()], sort_keys=True,
                             default=str).encode())
    # The probes' inputs, not just their names: a changed generator must not reuse old answers.
    for probe in exercise.probes:
        for array in make_inputs(probe.inputs, probe.seed, probe.options):
            digest.update(array.tobytes())
    return digest.hexdigest()[:24]


def _compute(exercise: Exercise, parameters: dict, limits: Limits) -> Extracted:
    solution = load_submission(exercise.solution_path)
    execution = run_notebook(solution, exercise.extract_names, exercise.probes, parameters,
                             limits, _data_files(exercise), questions=exercise.question_names)
    failed = [r for r in execution.cells if r.status != "ok"]
    if failed:
        first = failed[0]
        what = f"{first.error.ename}: {first.error.evalue}" if first.error else first.status
        raise SpecError(f"the solution of {exercise.id!r} failed in cell {first.index + 1} "
                        f"({what})", f"run {exercise.solution_path} in Jupyter and fix it")
    if execution.answers is None or execution.answers.problems:
        names = sorted(execution.answers.problems) if execution.answers else ["(all)"]
        raise SpecError(f"the solution of {exercise.id!r} does not produce "
                        f"{', '.join(names)}", "define these names in the solution notebook, "
                        "or fix their names in the spec")
    return execution.answers


def _store(answers: Extracted, folder: Path) -> None:
    # Written beside, then renamed: parallel graders never read a half-written cache entry.
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
    save_answers(answers.values, tmp)
    (tmp / DIGEST).write_text(json.dumps(_digest(tmp)), encoding="utf-8")
    try:
        tmp.rename(folder)
    except OSError:  # another process stored the same entry first
        shutil.rmtree(tmp, ignore_errors=True)


def _data_files(exercise: Exercise) -> tuple[Path, ...]:
    return tuple(exercise.spec_path.parent / name for name in exercise.data)


def reference_for(spec: Exercise, parameters: dict, limits):
    """The reference answers: the solution's when the course has it, else the released ones.

    A student bundle has no solution: it grades against the public values `grader release`
    stored, which were computed with the exercise's own parameters, so overrides cannot apply.
    """
    if spec.solution_path.is_file():
        return reference_answers(spec, parameters, limits)
    released = released_reference(spec)
    if released is None:
        raise SpecError(f"no solution ({spec.solution_path}) and no released reference values "
                        f"for {spec.id!r}", "grade in the instructor's course, or rebuild the "
                        "bundle with `grader release`")
    if parameters != spec.parameters:
        raise UsageError("this bundle's reference values were computed with the exercise's own "
                         "parameters: -p overrides cannot be checked here",
                         "run without -p (your instructor grades other parameters)")
    return released
