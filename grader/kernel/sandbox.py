"""Isolation for untrusted kernels: bubblewrap namespaces, resource limits, a cgroup if possible.

What a sandboxed kernel sees (Linux, bubblewrap installed):
- a read-only system (/usr, /lib, /etc...) and a read-only Python (its prefix and the venv);
- one writable folder: the run's working folder (the submission's data, the answers it writes);
- a private /tmp, /proc and /dev; no network (its own, empty, network namespace); its own PID
  namespace, so it cannot see or signal other processes, and when the kernel's namespace ends
  every process it started ends too;
- an environment made from scratch (no tokens, no secrets of the grader's);
- limits: address space, CPU seconds, file size, number of processes (a pids cgroup when one
  can be created: RLIMIT_NPROC does not bind root), and the wall-clock limits of
  grader.kernel.execute.

Where bubblewrap is missing or cannot create namespaces (a laptop, a container), kernels run
unisolated with the same environment scrubbing and rlimits; callers say so to the user.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, List, Unicode

from ..core.records import ResourceLimits

CGROUP_ROOTS = (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"),)  # v2 mounts
CGROUP_V1_PIDS = Path("/sys/fs/cgroup/pids")
GiB = 2**30
TMP_BYTES = 512 * 2**20  # the private /tmp of a sandboxed kernel
SHM_BYTES = 64 * 2**20   # its private /dev/shm (the rest of /dev is read-only)


@lru_cache(maxsize=1)
def bubblewrap() -> str | None:
    """Path of a bwrap that can create the namespaces we need here, or None."""
    path = shutil.which("bwrap")
    if not path:
        return None
    probe = [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc",
             "/proc", "--dev", "/dev", "true"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return path if ok else None


def isolation_problem() -> str:
    """Why kernels would run unisolated here (for the one-line notice)."""
    if not shutil.which("bwrap"):
        return "bubblewrap (bwrap) is not installed; on Debian/Ubuntu: apt install bubblewrap"
    return "bubblewrap cannot create namespaces here (unprivileged user namespaces disabled?)"


SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc")


def system_mounts() -> list[str]:
    """The system and the Python installation the kernel needs, nothing of the grader's.

    On merged-/usr systems /lib, /lib64 and /bin are symlinks into /usr: they are recreated as
    symlinks (the ELF loader is found by its /lib64 path)."""
    args = []
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


def python_paths() -> list[str]:
    """The interpreter and the venv (which may live under /tmp, as a CI checkout does), and the
    grader package itself: installed editable, it lives in the course's checkout, which the
    kernel must not see, so only its own folder is bound (`from grader import check` in a
    notebook must import there too)."""
    package = Path(__file__).resolve().parent.parent
    return list(dict.fromkeys(os.path.realpath(p)
                              for p in (sys.base_prefix, sys.prefix, package)))


# Run as root, bubblewrap would map the kernel to root in its user namespace, which is root
# outside too (student code read /etc/shadow). Then the sandbox is made without a user namespace
# and the kernel started through setpriv as an unprivileged uid of its own, from this range
# (no account needed; one per sandbox, so processes and files of two kernels never share one).
KERNEL_UIDS = range(2**20, 2**20 + 2**16)
NAMESPACES = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
              "--unshare-cgroup-try"]


def kernel_uid() -> int | None:
    """The uid a new sandbox's kernel runs as when the grader is root, else None (the kernel
    is the grader's own unprivileged user, mapped into bubblewrap's user namespace)."""
    if os.geteuid() != 0 or not can_drop_root():
        return None
    return KERNEL_UIDS[secrets.randbelow(len(KERNEL_UIDS))]


@lru_cache(maxsize=1)
def can_drop_root() -> bool:
    path = shutil.which("setpriv")
    if not path or not bubblewrap():
        return False
    probe = [bubblewrap(), *NAMESPACES, "--die-with-parent", "--ro-bind", "/", "/", "--proc",
             "/proc", "--dev", "/dev", *setpriv_args(KERNEL_UIDS[0]), "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def setpriv_args(uid: int) -> list[str]:
    return [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}",
            "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"]


def hand_over(folder: Path, uid: int | None) -> None:
    """Make `folder` (a kernel's working folder, all of it) the kernel's uid's, when it has one:
    the kernel writes its answers there, and nothing else of the host's is writable to it."""
    if uid is None:
        return
    os.lchown(folder, uid, uid)
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, uid)


def hidden_from_others(path: Path, most: int = 10000) -> Path | None:
    """The first of `path` and what it holds (up to `most` entries) that other users cannot
    read (or enter, for a folder), or None."""
    for count, entry in enumerate(_entries(path)):
        if count >= most:
            return None
        mode = os.stat(entry).st_mode
        need = (stat.S_IROTH | stat.S_IXOTH) if stat.S_ISDIR(mode) else stat.S_IROTH
        if mode & need != need:
            return entry
    return None


def _entries(path: Path) -> Iterator[Path]:
    yield path
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            yield from (Path(root) / name for name in dirs + files)


def bwrap_args(workdir: Path, env: dict[str, str], extra_ro: tuple[Path, ...] = (),
               uid: int | None = None) -> list[str]:
    """bubblewrap's command line; with `uid`, no user namespace and the command that follows
    runs as that uid (see KERNEL_UIDS)."""
    namespaces = ["--unshare-all"] if uid is None else NAMESPACES
    # Its tmpfs folders belong to root when bubblewrap runs as root: writable to all, sticky.
    perms = [] if uid is None else ["--perms", "1777"]
    args = [bubblewrap() or "bwrap", *namespaces, "--die-with-parent", "--clearenv",
            *system_mounts(), "--proc", "/proc", "--dev", "/dev",
            # /dev is a tmpfs of bubblewrap's, as large as half the RAM: read-only but for a
            # capped /dev/shm of its own.
            "--size", str(SHM_BYTES), *perms, "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--size", str(TMP_BYTES), *perms, "--tmpfs", "/tmp",
            "--bind", str(workdir), str(workdir)]
    # After the private /tmp, or it would hide a venv or data folders that live under /tmp.
    bound = [*python_paths(), *map(str, extra_ro)]
    if uid is not None:   # bubblewrap run as root makes the folders above a mount root's only
        for folder in parent_folders([str(workdir), *bound]):
            args += ["--perms", "0755", "--dir", folder]
    for path in bound:
        args += ["--ro-bind", path, path]
    # The sandbox's root is a tmpfs: made read-only, so that files written outside the working
    # folder cannot fill the host's memory.
    args += ["--remount-ro", "/", "--chdir", str(workdir)]
    for name, value in sorted(env.items()):
        args += ["--setenv", name, value]
    return args + ["--", *(setpriv_args(uid) if uid is not None else [])]


def parent_folders(paths: list[str]) -> list[str]:
    """The folders above `paths` that bubblewrap would make itself (not /, /tmp or the
    system's, which are mounted already), parents first."""
    found: dict[str, None] = {}
    for path in paths:
        for parent in reversed(Path(path).parents[:-1]):   # (the last is /)
            if str(parent) != "/tmp" and not any(
                    str(parent) == m or str(parent).startswith(m + "/") for m in SYSTEM_PATHS):
                found[str(parent)] = None
    return list(found)


def prlimit_args(limits: ResourceLimits) -> list[str]:
    return ["prlimit", f"--as={limits.memory_bytes}", f"--cpu={limits.cpu_seconds}",
            f"--fsize={limits.max_file_bytes}", f"--nproc={limits.max_processes}",
            "--core=0", "--"]


class Cgroup:
    """A pids (and, on cgroup v2, memory) cgroup for one kernel, if this machine lets us make one.

    The kernel's launcher joins it before exec, so every process the submission starts is
    counted (fork floods stop at max_processes) and can be killed at once at the end.
    """

    def __init__(self, path: Path, version: int) -> None:
        self.path, self.version = path, version

    @classmethod
    def create(cls, limits: ResourceLimits) -> Cgroup | None:
        name = f"grader-{secrets.token_hex(6)}"
        for root, version in [*((r, 2) for r in CGROUP_ROOTS), (CGROUP_V1_PIDS, 1)]:
            group = cls._make(root, name, version, limits)
            if group:
                return group
        return None

    @classmethod
    def _make(cls, root: Path, name: str, version: int, limits: ResourceLimits):
        control = "pids.max"
        if version == 2 and "pids" not in _read(root / "cgroup.subtree_control"):
            return None
        try:
            (root / name).mkdir()
        except OSError:
            return None
        group = cls(root / name, version)
        try:
            (group.path / control).write_text(str(limits.max_processes))
            if version == 2 and "memory" in _read(root / "cgroup.subtree_control"):
                (group.path / "memory.max").write_text(str(limits.memory_bytes))
        except OSError:
            group.remove()
            return None
        return group

    def join_command(self) -> list[str]:
        return ["/bin/sh", "-c", f'echo $$ > "{self.path}/cgroup.procs" && exec "$@"', "sh"]

    def kill_all(self, wait_s: float = 5.0) -> None:
        """SIGKILL everything in the group and wait until it is empty (a fork flood refills it,
        so v1, which has no cgroup.kill, kills in rounds)."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            pids = [int(p) for p in _read(self.path / "cgroup.procs").split()]
            if not pids:
                return
            if self.version == 2 and (self.path / "cgroup.kill").exists():
                _write(self.path / "cgroup.kill", "1")
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        self.kill_all()
        for _ in range(50):  # a killed process leaves its group a moment after it dies
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError:
        pass


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager (what nbclient drives) whose kernel command runs behind `prefix`
    (cgroup, prlimit, bwrap)."""

    prefix = List(Unicode(), default_value=[]).tag(config=True)
    uid = Integer(None, allow_none=True).tag(config=True)  # the kernel's, when not the grader's

    def format_kernel_cmd(self, extra_arguments=None):
        if self.uid is not None:   # written by the host just now; the kernel reads it
            os.lchown(self.connection_file, self.uid, self.uid)
        return [*self.prefix, *super().format_kernel_cmd(extra_arguments)]

    @property
    def kernel_spec(self):
        # A signal would reach bubblewrap, not the kernel behind it (bwrap dies of SIGINT):
        # interrupt through the control channel; ipykernel then signals itself.
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec
