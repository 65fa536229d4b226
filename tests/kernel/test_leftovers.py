"""A batch killed with SIGKILL leaves its zygotes' scratch folders in /tmp; the next batch
removes them, and never the folders of a grader that is still running."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import EXERCISE, ROOT, run_cli, where_it_can_run

pytestmark = pytest.mark.kernel
DEMO = ROOT / "examples" / EXERCISE
HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(600)
"""


def scratch_folders() -> set[Path]:
    return set(Path("/tmp").glob("grader-warm-*")) | set(
        Path(tempfile.gettempdir()).glob("grader-run-*"))


def held(folder: Path) -> bool:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)   # (closing releases the lock taken just now)


def test_a_killed_batch_leaves_folders_the_next_one_removes(tmp_path):
    before = scratch_folders()
    batch = subprocess.Popen([sys.executable, "-m", "grader", *where_it_can_run(
        ["grade", DEMO, "--exercise", EXERCISE, "--out", tmp_path / "killed"])], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not scratch_folders() - before:
        assert batch.poll() is None and time.monotonic() < deadline, "no zygote was started"
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    # (Other graders may run meanwhile, the tests' own included: theirs are held.)
    left = [p for p in scratch_folders() - before if not held(p)]
    assert left, "SIGKILL gives the grader no chance to clean up"

    # A grader still running: its folder is held, and must survive the sweep.
    alive = Path(tempfile.mkdtemp(prefix="grader-warm-", dir="/tmp"))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(alive)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        run_cli("grade", DEMO / "alice.ipynb", "--exercise", EXERCISE, "--out",
                tmp_path / "next", check_exit=0)
        assert not [p for p in left if p.exists()]
        assert alive.exists()
    finally:
        holder.kill()
        holder.wait()
        alive.rmdir()
