"""The answer channel: how answers cross from the kernel (untrusted) to the host.

The host makes the folder the extraction cell writes into only once the student's cells have run
(so no listing of the working folder shows its name before): beside the working folder, where
the kernel cannot reach, opens it there and only then moves it in. From then on it reads through
that descriptor: if student code renames the folder, replaces it with a
link to a host folder (the reference cache has exactly this format), or plants links, FIFOs or
huge files in it, the host still reads only the folder it made, never follows a link, never
blocks and never reads more than the size limits (grader.core.answers.load_answers). Any
surprise is that submission's problem, said in its report; the kernel can only ever send what
it could have sent by defining its answers.
"""

from __future__ import annotations

import errno
import os
import secrets
import tempfile
from pathlib import Path

from ..core.answers import Extracted, load_answers
from ..errors import InternalError

HOST_FAULTS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EROFS, errno.ENOMEM}


class AnswerChannel:
    """A folder in the kernel's working folder, made and held open by the host."""

    def __init__(self, path: Path, uid: int | None = None) -> None:
        # Made beside the working folder, where the kernel cannot reach, opened there, then
        # moved in: no moment exists at which student code could swap it before it is held.
        self.path = path
        try:
            staging = tempfile.mkdtemp(prefix=".answers-", dir=path.parent.parent)
            self.fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
            if uid is not None:   # the kernel's own uid (grader run as root) writes into it
                os.fchown(self.fd, uid, uid)
            os.rename(staging, path)
        except OSError as exc:  # the student cannot touch either folder: this is ours
            raise host_fault(exc, "could not make the folder the answers are written to") \
                from None

    def read(self) -> Extracted:
        """What the kernel wrote. FileNotFoundError: nothing; ValueError: not readable data."""
        return load_answers(self.fd)

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> AnswerChannel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def channel_path(workdir: Path) -> Path:
    """Where the channel will be: a name no one can guess, made only when extraction starts."""
    return workdir / f".out-{secrets.token_hex(16)}"


def host_fault(exc: OSError, doing: str) -> InternalError:
    """A failure of the grader's machine (full disk, I/O error): never the student's zero."""
    return InternalError(f"the grader {doing} ({exc.strerror or exc})",
                         "free disk space or memory on the grading machine, then grade again "
                         "(--resume regrades this submission)")
