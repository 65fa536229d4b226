"""Shared fixtures: the course of this checkout, a private reference cache, and one class graded
through the real command line (real kernels, real notebooks) that many tests read. And the
guard that keeps the `kernel` marker honest: `pytest -m "not kernel"` must start no process. And
what a test needs of the machine (bubblewrap, Chromium): without it the test is skipped with one
line saying what to install, unless GRADER_TESTS_REQUIRE_ALL=1 (set by .ci/run), under which any
skip fails the run, so CI can never pass by skipping."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading

import nbformat
import pytest
from helpers import (
    EXERCISE,
    ROOT,
    forgot_inertia,
    missing_on_this_machine,
    run_cli,
    solution_as_module,
)

# ------------------------------------------------------------------ the `kernel` marker's guard
# A test that starts a kernel or any other process is marked `kernel` (a module's `pytestmark`
# or the test's own mark), so that `pytest -m "not kernel"` is the fast loop. While a test that
# is not marked runs (its set-up and its body), every way of starting a process is watched; if
# one was started, the test fails and names the command.

_unmarked: str | None = None    # the test not marked `kernel` that is running, if any
_started: list[str] = []


# Helpers libraries start on their own, once per process, whichever test comes first: loky
# (joblib, under scikit-learn) runs `lscpu` to count the physical cores.
HELPERS = ("lscpu ",)


def _watched(start, describe):
    @functools.wraps(start)
    def wrapper(*args, **kwargs):
        if _unmarked is not None:
            command = describe(*args, **kwargs)
            if not command.startswith(HELPERS):
                thread = threading.current_thread().name
                _started.append(f"{command} (thread {thread})")
        return start(*args, **kwargs)
    return wrapper


def _command(args) -> str:
    return " ".join(map(str, args)) if isinstance(args, (list, tuple)) else str(args)


subprocess.Popen.__init__ = _watched(subprocess.Popen.__init__,
                                     lambda self, args, *a, **k: _command(args))
os.system = _watched(os.system, lambda command: command)
os.fork = _watched(os.fork, lambda: "os.fork()")
for _name in ("posix_spawn", "posix_spawnp"):
    setattr(os, _name, _watched(getattr(os, _name), lambda path, argv, *a, **k: _command(argv)))


def _guarded(item):
    global _unmarked
    _unmarked = None if item.get_closest_marker("kernel") else item.nodeid
    _started.clear()
    try:
        result = yield
    finally:
        _unmarked = None
    if _started:
        pytest.fail(f"{item.nodeid} started a process but is not marked `kernel` (add "
                    f"`pytestmark = pytest.mark.kernel` to its module or "
                    f"`@pytest.mark.kernel` to it): {_started[0]}", pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _guarded(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _guarded(item))


# ------------------------------------------------------------------ what the machine lacks
# Markers `sandbox` and `chromium` (pyproject.toml) say what a test needs; each is probed once,
# after deselection, so the fast loop probes nothing it does not run.

REQUIRE_ALL = os.environ.get("GRADER_TESTS_REQUIRE_ALL") == "1"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    lacking: dict[str, int] = {}
    for item in items:
        for need in ("sandbox", "chromium"):
            if item.get_closest_marker(need) and (why := missing_on_this_machine(need)):
                item.add_marker(pytest.mark.skip(reason=why))
                lacking[why] = lacking.get(why, 0) + 1
    config.stash[LACKING] = lacking


LACKING = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter, config):
    for why, count in config.stash.get(LACKING, {}).items():
        terminalreporter.write_line(f"{count} tests skipped: {why}", yellow=True)
    skipped = len(terminalreporter.stats.get("skipped", []))
    if REQUIRE_ALL and skipped:
        terminalreporter.write_line(f"GRADER_TESTS_REQUIRE_ALL=1 and {skipped} tests were "
                                    f"skipped: this run fails (see the reasons above)", red=True)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRE_ALL and reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# ------------------------------------------------------------------ options and fixtures


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/goldens/* from the current output")


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    os.environ["GRADER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield


@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """A class of eight graded with `grader grade --jobs 2`; returns (out_dir, cli result)."""
    subs = tmp_path_factory.mktemp("class")
    for example in (ROOT / "examples" / EXERCISE).glob("*.ipynb"):
        shutil.copy(example, subs / example.name)
    shutil.copy(ROOT / "solutions" / f"{EXERCISE}.ipynb", subs / "teacher.ipynb")
    (subs / "untouched").mkdir()
    shutil.copy(ROOT / "exercises" / f"{EXERCISE}.ipynb", subs / "untouched" / f"{EXERCISE}.ipynb")
    text = (ROOT / "examples" / EXERCISE / "alice.ipynb").read_text()
    (subs / "broken.ipynb").write_text(text[: len(text) // 2])
    (subs / "modular.py").write_text(solution_as_module())
    nbformat.write(forgot_inertia(), subs / "eve.ipynb")
    out = tmp_path_factory.mktemp("graded")
    proc = run_cli("grade", subs, "--exercise", EXERCISE, "--out", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc
