"""The kernel's working folder is on the grader's disk (the grader reads the answers there), so
no file system caps it the way /tmp is capped: a notebook writing file after file filled the
disk and crashed the batch. A watcher thread measures the folder a few times a second and stops
the kernel once it holds more than its limit (or more entries than can be measured quickly):
the student's error, said as such; the disk keeps room to spare (what a notebook can write
between two looks is bounded by the disk's speed, and each file by RLIMIT_FSIZE)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

INTERVAL_S = 0.2
MAX_ENTRIES = 100_000


class DiskWatch:
    """While running, calls `stop()` once if `folder` grows over `limit` bytes."""

    def __init__(self, folder: Path, limit: int, stop: Callable[[], None]) -> None:
        self.folder, self.limit, self._stop = folder, limit, stop
        self.exceeded: str | None = None   # what was found, once the kernel was stopped
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="grader-diskwatch", daemon=True)

    def __enter__(self) -> DiskWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(INTERVAL_S):
            found = over(self.folder, self.limit)
            if found:
                self.exceeded = found
                self._stop()
                return


def over(folder: Path, limit: int) -> str | None:
    """Why `folder` is over its limit, or None: bytes on disk (sparse files count as what they
    take), or more entries than MAX_ENTRIES."""
    used, entries, stack = 0, 0, [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    entries += 1
                    if entries > MAX_ENTRIES:
                        return f"more than {MAX_ENTRIES:,} files and folders"
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        used += entry.stat(follow_symlinks=False).st_blocks * 512
                    if used > limit:
                        return f"{used / 2**20:,.0f} MB and counting"
        except OSError:   # removed meanwhile: nothing to count
            continue
    return None
