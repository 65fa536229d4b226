"""The zygote: a Python process with the kernel's libraries already imported, which forks one
fresh kernel per submission. Kernel start-up and imports (~2 s) are paid once per worker.

This file runs INSIDE the worker's sandbox, as `python -c <this source>`: it imports only the
standard library before the preloads, and never imports grader. It speaks JSON lines:
stdin receives {"op": "spawn" | "poll" | "kill", ...}, stdout answers one line per request.

Each spawned kernel is isolated from the zygote and from the submissions before it:
- the fork is unshared into new user, mount, PID, IPC and network namespaces: the kernel is
  PID 1 of its own namespace, so when it ends (or its watcher is killed) every process it
  started ends too, and it cannot name the zygote or any other process to signal it; SysV IPC,
  abstract sockets and loopback are its own;
- a private, size-capped /tmp and /dev/shm (the rest of /dev is read-only, as the sandbox
  made it), and a writable working folder of its own: the worker's scratch folder (the
  zygote's files, earlier submissions' folders) is hidden under the new /tmp;
- all capabilities dropped, its own rlimits, its own scrubbed environment;
- the zygote is not dumpable, so the kernel cannot read or write its memory.
Forked memory is copy-on-write: nothing a kernel does reaches the zygote or the next kernel.
"""

import ctypes
import gc
import json
import os
import resource
import signal
import sys
import time

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
CLONE_NEWIPC, CLONE_NEWNET = 0x08000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 32, 4096, 16384, 1 << 18)
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
LIMITS = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU,
          "fsize": resource.RLIMIT_FSIZE, "nproc": resource.RLIMIT_NPROC,
          "core": resource.RLIMIT_CORE}
libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


def _mount(source, target, fstype, flags, data=None) -> None:
    _check(libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                      flags, data and data.encode()), f"mount {target}")


def preload(modules: list) -> tuple:
    """Import what every kernel would import; a module that fails is simply not preloaded."""
    # The kernel's own plotting backend, as ipykernel would set it (matplotlib reads it once).
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    done, failed = [], []
    # A library that plots (seaborn, pandas) brings matplotlib: the kernel will want pyplot and
    # its inline backend too.
    plotting = ["matplotlib.pyplot", "matplotlib_inline.backend_inline"]
    for name in dict.fromkeys([*modules, *plotting]):
        # (pyplot asked for by name is imported whatever came before: `import
        # matplotlib.pyplot as plt` costs a kernel ~0.25 s)
        if name not in modules and "matplotlib" not in sys.modules:
            continue
        try:
            __import__(name)
            done.append(name)
        except Exception as exc:
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    return done, failed


def isolate(request: dict) -> None:
    """In the watcher (the fork's first process): new namespaces and its own file system view."""
    uid, gid = os.getuid(), os.getgid()
    # A zygote started through setpriv (the grader runs as root) is not dumpable: its
    # /proc/self files would be root's, and the maps below could not be written.
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    # IPC and network too: SysV segments and queues, abstract Unix sockets and loopback ports
    # of one submission are not the next one's (the kernel talks over Unix sockets in files).
    _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC
                        | CLONE_NEWNET), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    # A fresh /tmp hides the worker's scratch folder (the zygote's own and earlier runs'). What
    # must stay visible under /tmp (its working folder; a venv or data of a checkout under
    # /tmp) is bound back at the same path, through an fd opened before it was hidden.
    workdir = request["cwd"]
    kept = [(path, os.open(path, os.O_PATH)) for path in [workdir, *request["keep"]]
            if path.startswith("/tmp/") and os.path.exists(path)]
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={request['tmp_bytes']}")
    # POSIX shared memory lives in /dev/shm: a fresh, capped one per kernel.
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={request['shm_bytes']}")
    for path, fd in kept:
        _mount_point(path, os.path.isdir(f"/proc/self/fd/{fd}"))
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if path != workdir:  # read-only, as the sandbox has it
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)


def _mount_point(path: str, folder: bool) -> None:
    if folder:
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "a").close()


def drop_privileges(limits: dict) -> None:
    """In the kernel: no capabilities (the new user namespace granted them all), its rlimits."""
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)   # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()                  # effective, permitted, inheritable: none
    _check(libc.capset(header, data), "capset")
    for name, value in limits.items():
        resource.setrlimit(LIMITS[name], (value, value))


def start_kernel(request: dict) -> None:
    """In the kernel process: become the student's kernel and never return."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # its watcher gone: it goes too
    os.setsid()
    if request["isolate"]:
        drop_privileges(request["limits"])
    else:
        for name, value in request["limits"].items():
            resource.setrlimit(LIMITS[name], (value, value))
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # its own /proc entries belong to it again
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    argv = ["ipykernel_launcher", "-f", request["connection_file"], *request["args"]]
    sys.argv = argv
    from ipykernel.kernelapp import IPKernelApp
    app = IPKernelApp.instance()
    app.initialize(argv[1:])
    app.start()


def watcher(request: dict) -> None:
    """The fork's first process: set up isolation, fork the kernel, report how it ended."""
    # The kernel's own stdout/stderr (not the cells'): kept for diagnosing a kernel that died.
    log = os.open(os.path.join(request["cwd"], ".kernel", "stderr.log"),
                  os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.closerange(3, 1024)
    if request["isolate"]:
        isolate(request)
    init = os.fork()  # with CLONE_NEWPID, this child is PID 1 of the new namespace
    if init == 0:
        try:
            reaper(request)
        finally:
            os._exit(70)
    # Asked to stop (SIGTERM from the zygote): kill the namespace's init, and so every process
    # in it. Its waitpid returns only once all of them are gone, so a fork flood's processes
    # no longer count against the worker's limits when the next kernel starts.
    signal.signal(signal.SIGTERM, lambda *_: os.kill(init, signal.SIGKILL))
    _, status = os.waitpid(init, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def reaper(request: dict) -> None:
    """PID 1 of the namespace: start the kernel, reap orphans, end with the kernel.

    The kernel must not be PID 1 itself: PID 1 ignores the signals it has no handler for,
    even its own re-raised SIGSEGV after a C stack overflow, and would spin instead of dying."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    kernel = os.fork()
    if kernel == 0:
        try:
            start_kernel(request)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(0)
    while True:
        pid, status = os.wait()
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def spawn(request: dict) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            watcher(request)
        except BaseException:
            import traceback
            traceback.print_exc()
            os._exit(70)
        os._exit(0)
    return pid


def poll(pid: int, children: dict):
    if pid in children and children[pid] is not None:
        return children[pid]
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        children[pid] = os.waitstatus_to_exitcode(status)
    return children.get(pid)


def stop(pid: int, children: dict, seconds: float = 10.0):
    """End a kernel and wait until all its processes are gone (SIGKILL if its watcher hangs)."""
    if children.get(pid, 0) is not None:
        return children.get(pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while poll(pid, children) is None:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            children[pid] = os.waitstatus_to_exitcode(status)
        time.sleep(0.001)  # the next submission waits for this answer
    return children[pid]


def serve(stdin, stdout) -> None:
    children: dict = {}
    for line in stdin:
        request = json.loads(line)
        op = request["op"]
        try:
            if op == "spawn":
                pid = spawn(request)
                children[pid] = None
                answer = {"pid": pid}
            elif op == "poll":
                answer = {"returncode": poll(request["pid"], children)}
            elif op == "kill":
                answer = {"returncode": stop(request["pid"], children)}
            else:
                answer = {"error": f"unknown op {op!r}"}
        except OSError as exc:
            answer = {"error": str(exc)}
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()


def warm_up(code: str) -> str:
    """Run a little of what every notebook does (a fit, a drawn figure): the first call of each
    pays for caches (threadpoolctl's library scan, fonts) that every fork then inherits."""
    try:
        exec(compile(code, "<warm-up>", "exec"), {})
        return ""
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def side_modules(code: str) -> None:
    """The answers' extraction code and the snapshots' keeper (grader/kernel/kernel_side.py,
    kernel_snapshot.py) as modules every kernel inherits (see extract.side_modules_code)."""
    if code:
        exec(compile(code, "<grader side modules>", "exec"), {})


def main() -> None:
    config = json.loads(sys.argv[1])
    done, failed = preload(config["preload"])
    warm_failed = warm_up(config.get("warm_up", ""))
    side_modules(config.get("side_modules", ""))
    # Everything imported so far moves to a generation the collector never visits: a kernel's
    # garbage collections would otherwise write to every object's header, and so copy every
    # page it shares with the zygote.
    gc.freeze()
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    threads = len(os.listdir("/proc/self/task"))
    stdout = os.fdopen(os.dup(1), "w")
    sys.stdout = sys.stderr  # stray prints of a library must not corrupt the protocol
    # Its namespaces, which no kernel it forks shares (said for diagnosis, and checked by tests).
    namespaces = {k: os.readlink(f"/proc/self/ns/{k}") for k in ("ipc", "net", "pid", "mnt")}
    stdout.write(json.dumps({"ready": True, "preloaded": done, "failed": failed,
                             "warm_up_failed": warm_failed, "threads": threads,
                             "namespaces": namespaces}) + "\n")
    stdout.flush()
    serve(sys.stdin, stdout)


if __name__ == "__main__":
    main()
