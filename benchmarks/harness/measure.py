"""Wall clocks and the memory of a whole process tree, read from /proc (no dependency).

`/usr/bin/time -v` reports the peak RSS of the largest single process only; a grader is a tool
process plus kernels plus sandboxes, so `TreeMemory` sums the RSS of every descendant of this
script, 10 times a second, and keeps the largest total. (An RSS sum counts shared library pages
once per process: an upper bound, the same for every tool.) It also keeps the largest PSS sum
(shared pages split between the processes sharing them), read from `smaps_rollup` only on ticks
whose RSS sum is a new high: PSS peaks come with RSS peaks, and one `smaps_rollup` read costs
~25 ms on this VM: reading them on every tick took a third of a core, enough to slow the tools
being measured. (The table of processes alone is ~2 ms a tick.)
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Make this process the subreaper of its descendants: a process a tool leaves behind (a
    daemonised kernel, a sandbox's grandchild whose parent exited) is re-parented here, not to
    init, so the memory sampler still sees it. Best effort (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def busy_share(seconds: float = 2.0) -> float:
    """The share of the machine's CPU time in use over the next `seconds` (/proc/stat). A load
    average would still count the run that ended a minute ago."""
    def ticks() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
        return sum(fields), fields[3] + fields[4]   # all, idle + iowait
    total0, idle0 = ticks()
    time.sleep(seconds)
    total1, idle1 = ticks()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def _now_ticks() -> int:
    with open("/proc/uptime") as f:
        return int(float(f.read().split()[0]) * TICK)


def _processes() -> dict[int, tuple[int, int, int]]:
    """pid -> (parent pid, resident bytes, start time in ticks since boot), for every process
    /proc lets us read."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue   # gone since listdir
        fields = stat[stat.rfind(b")") + 2:].split()
        # fields[0] is the state (field 3 of proc(5)): ppid is field 4, starttime field 22,
        # rss (pages) field 24
        table[int(name)] = (int(fields[1]), int(fields[21]) * PAGE, int(fields[19]))
    return table


def tree(root: int, since_ticks: int = 0) -> list[tuple[int, int]]:
    """(pid, resident bytes) of every descendant of `root` (not `root` itself) started at or
    after `since_ticks` (so a process left over from an earlier measurement does not count)."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    members, stack = [], list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        _, rss, started = table[pid]
        if started >= since_ticks:
            members.append((pid, rss))
        stack += children.get(pid, ())
    return members


def tree_pss(members: list[tuple[int, int]]) -> int:
    return sum(_pss(pid, rss) for pid, rss in members)


def _pss(pid: int, rss: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss  # unreadable (or gone): count it whole


class TreeMemory:
    """Context manager: the peak RSS and PSS sums of this process's tree while the block runs,
    sampled `hz` times a second; PSS is read only on ticks whose RSS sum is a new high.
    `cpu_s` is the sampler's own CPU time."""

    def __init__(self, hz: float = 10.0) -> None:
        self.period = 1.0 / hz
        self.peak, self.peak_pss, self.cpu_s = 0, 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me, since = os.getpid(), _now_ticks() - 1
        while not self._stop.is_set():
            self._sample(me, since)
            self.cpu_s = time.thread_time()
            self._stop.wait(self.period)

    def _sample(self, me: int, since: int) -> None:
        members = tree(me, since)
        rss = sum(r for _, r in members)
        if rss and rss >= self.peak:
            self.peak = rss
            self.peak_pss = max(self.peak_pss, tree_pss(members))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    """One command that ran: its wall time, output, and when each output line arrived."""
    argv: list
    returncode: int
    wall: float
    stdout: str
    stderr: str
    lines: list = field(default_factory=list)   # (seconds since start, line) of stdout+stderr

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, n: int = 12) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return "\n".join(text[-n:])


def run(argv: list, *, env: dict, cwd: Path | None = None, timeout: float = 1800,
        log: Path | None = None) -> Run:
    """Run `argv`, timestamping every output line as it arrives (progress lines tell when each
    submission finished); kill it after `timeout` seconds."""
    started = time.monotonic()
    proc = subprocess.Popen([str(a) for a in argv], env=env, cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, errors="replace")
    lines: list = []
    out: list = []
    err: list = []
    readers = [threading.Thread(target=_pump, args=(stream, sink, lines, started), daemon=True)
               for stream, sink in ((proc.stdout, out), (proc.stderr, err))]
    for r in readers:
        r.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
        err.append(f"\n[benchmark] killed after {timeout:.0f} s\n")
    wall = time.monotonic() - started
    for r in readers:
        r.join()
    result = Run([str(a) for a in argv], code, wall, "".join(out), "".join(err), lines)
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as f:
            f.write(f"$ {' '.join(result.argv)}\n# exit {code}, {wall:.2f} s\n"
                    f"{result.stdout}{result.stderr}\n")
    return result


def _pump(stream, sink: list, lines: list, started: float) -> None:
    for line in stream:
        sink.append(line)
        lines.append((time.monotonic() - started, line.rstrip("\n")))
