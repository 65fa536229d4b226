"""Which files of the course release a student's repository changed.

In GitHub Classroom the student owns the repository the bundle was cloned into: its workflow,
released specs, reference values and requirements can be edited, and `grader ci` there would
believe them. The for-credit grade is the instructor's `grader grade` over the collected
repositories against the instructor's own course; this says, per student, which of those files
differ from the instructor's copy of the release (`grader grade --released BUNDLE`), so that the
instructor sees who tried. The stubs and the README are the student's to edit and not compared.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

COMPARED = ("requirements.txt", ".github", "solutions", "references")


def release_changes(repository: Path, released: Path) -> tuple[str, ...]:
    """"changed X", "removed X", "added X" for each released file (paths relative to the
    repository) that is not in `repository` as in `released`."""
    mine, theirs = _files(repository), _files(released)
    changes = [f"changed {p}" for p in sorted(mine.keys() & theirs.keys())
               if mine[p] != theirs[p]]
    changes += [f"removed {p}" for p in sorted(theirs.keys() - mine.keys())]
    changes += [f"added {p}" for p in sorted(mine.keys() - theirs.keys())]
    return tuple(changes)


def _files(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of the compared files under `root` (a link counts as changed)."""
    found = {}
    for top in COMPARED:
        start = root / top
        paths = [start] if start.is_file() or start.is_symlink() else (
            sorted(start.rglob("*")) if start.is_dir() else [])
        for path in paths:
            if path.is_symlink():
                found[path.relative_to(root).as_posix()] = "link"
            elif path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[path.relative_to(root).as_posix()] = digest
    return found


def notice(changes: tuple[str, ...]) -> str:
    shown = "; ".join(changes[:8]) + (f"; and {len(changes) - 8} more" if len(changes) > 8 else "")
    return (f"This repository changed {len(changes)} file(s) of the course release ({shown}). "
            "The grade is from the instructor's own copy of the course, not from them.")
