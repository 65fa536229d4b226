"""What `grader grade` shows: a progress bar with an ETA on a terminal, plain per-student lines
(no escape codes, nothing redrawn) anywhere else."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess

import pytest
from batch_runs import (
    DEMO,
    ROOT,
    STUDENT_LINE,
    comparable,
    environment,
    grade_command,
    rows,
    uninterrupted,
)

from grader.core.results import QuestionResult, Report, Status
from grader.progress import BarProgress, PlainProgress, progress_for, student_line

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def a_report(score: float) -> Report:
    questions = (QuestionResult("q1", "Q1", score, 2.0, Status.PASSED if score else
                                Status.FAILED, ""), QuestionResult("q2", "Q2", 0.0, 1.0,
                                                                   Status.MISSING, ""))
    return Report("ex", "x.ipynb", score, 3.0, questions, {}, 0, 1.0)


def test_plain_lines_when_not_on_a_terminal():
    stream = io.StringIO()
    shown = progress_for(stream)
    assert type(shown) is PlainProgress
    with shown:
        shown.start(2)
        shown.done("alice", a_report(2.0))
        shown.done("bob", a_report(0.0))
    assert stream.getvalue() == ("  alice                2/3  passed missing\n"
                                 "  bob                  0/3  failed missing\n")
    assert STUDENT_LINE.findall(stream.getvalue()) == ["alice", "bob"]


def test_a_bar_with_count_and_eta_on_a_terminal():
    stream = io.StringIO()
    with BarProgress(stream, force_terminal=True) as shown:
        shown.start(2)
        shown.done("alice", a_report(2.0))
        shown.done("bob", a_report(0.0))
    text = ANSI.sub("", stream.getvalue())
    assert "2/2" in text and "ETA" in text
    assert student_line("alice", a_report(2.0)) in text


@pytest.mark.kernel
def test_on_a_terminal_a_fresh_regrade_shows_the_bar_and_forgets_the_old_rows(
        tmp_path, tmp_path_factory):
    """One real run does two jobs (each grading costs seconds): the bar on a pty, and --fresh
    on an OUT that holds a whole class."""
    _, graded, _ = uninterrupted(tmp_path_factory)
    out = tmp_path / "out"
    shutil.copytree(graded, out)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(grade_command(out, DEMO / "alice.ipynb", jobs=1,
                                          options=["--fresh"]),
                            cwd=ROOT, env=environment(None), stdin=subprocess.DEVNULL,
                            stdout=terminal, stderr=terminal)
    os.close(terminal)
    shown = _read_all(controller)
    assert proc.wait(timeout=600) == 0, shown
    text = ANSI.sub("", shown.replace("\r", "\n"))
    assert "Grading" in text and "1/1" in text and "ETA" in text
    assert re.search(r"^  alice +13/13  passed", text, re.MULTILINE)
    assert set(rows(out)) == {"alice"} and not (out / "bob").exists()
    assert comparable(out) == comparable(graded, ["alice"])


@pytest.mark.kernel
def test_piped_output_is_one_plain_line_per_student(tmp_path_factory):
    proc = uninterrupted(tmp_path_factory)[2]   # stdout was a pipe
    assert not ANSI.search(proc.stdout) and "\r" not in proc.stdout
    assert sorted(STUDENT_LINE.findall(proc.stdout)) == [
        "alice", "alice_again", "bob", "carol", "dan", "eve"]


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:   # the other end closed: Linux says EIO
            break
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode(errors="replace")
