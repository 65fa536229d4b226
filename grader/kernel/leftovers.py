"""What a killed grader leaves behind, and how the next one clears it.

A grader killed with SIGKILL (an OOM killer, a cancelled CI job) cannot delete its kernels'
working folders (`grader-run-*`), its zygotes' scratch folders (`grader-warm-*`) or their
cgroups (`grader-*`). Each folder is held by its grader with an exclusive `flock` on the
folder itself for as long as it is in use: the lock ends with the process that holds it, however
it ends, so a folder whose lock can be taken belongs to no living grader and is removed. The
kernel cannot release or fake the lock: it is the host's, on the host's descriptor.

A cgroup holds no lock: one that is empty and was made more than CGROUP_AGE_S ago is removed (a
living grader's group holds its kernel from the moment it starts, a few milliseconds after the
group is made).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from .sandbox import CGROUP_ROOTS, CGROUP_V1_PIDS, KERNEL_UIDS

PATTERNS = ("grader-run-*", "grader-warm-*")
CGROUP_AGE_S = 600.0
log = logging.getLogger(__name__)


def hold(folder: Path) -> int:
    """Mark `folder` as in use by this process until `release` (or this process ends)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def release(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def sweep() -> list[Path]:
    """Remove what killed graders left behind; returns what was removed."""
    removed = [f for f in _folders() if _unheld(f) and _removed(f)]
    removed += [g for g in _cgroups() if _stale(g) and _removed_group(g)]
    if removed:
        log.info("grader: removed %d leftover(s) of killed runs: %s", len(removed),
                 ", ".join(map(str, removed)))
    return removed


def _folders() -> list[Path]:
    tops = dict.fromkeys([Path(tempfile.gettempdir()), Path("/tmp")])
    return [p for top in tops for pattern in PATTERNS for p in top.glob(pattern)
            if not p.is_symlink() and p.is_dir() and _ours(p.stat().st_uid)]


def _ours(uid: int) -> bool:
    """Made by this user, or (as root) handed to one of our kernels' uids."""
    return uid == os.geteuid() or (os.geteuid() == 0 and uid in KERNEL_UIDS)


def _unheld(folder: Path) -> bool:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _removed(folder: Path) -> bool:
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def _cgroups() -> list[Path]:
    return [g for root in (*CGROUP_ROOTS, CGROUP_V1_PIDS) if root.is_dir()
            for g in root.glob("grader-*") if g.is_dir()]


def _stale(group: Path) -> bool:
    try:
        empty = not (group / "cgroup.procs").read_text().split()
        return empty and time.time() - group.stat().st_mtime > CGROUP_AGE_S
    except OSError:
        return False


def _removed_group(group: Path) -> bool:
    try:
        group.rmdir()
        return True
    except OSError:
        return False
