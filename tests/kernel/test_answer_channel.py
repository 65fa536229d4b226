"""The host reads what a kernel wrote without trusting a path, a file type or a size.

The kernel-level attacks (a folder swapped for a link, answers.json made a FIFO) run for real in
tests/adversarial/; these tests pin the reader itself, fast, on folders made here.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from grader.core.answers import MAX_JSON_BYTES, load_answers, save_answers
from grader.kernel.channel import AnswerChannel, channel_path


def _answers(folder: Path) -> Path:
    save_answers({"inertia": 2.5, "labels": np.arange(4)}, folder)
    return folder


def test_answers_written_in_the_channel_are_read_back(tmp_path):
    with AnswerChannel(channel_path(tmp_path)) as channel:
        _answers(channel.path)
        got = channel.read()
    assert got.values["inertia"] == 2.5
    assert got.values["labels"].tolist() == [0, 1, 2, 3]


def test_a_channel_swapped_for_a_link_is_still_read_from_the_folder_the_host_made(tmp_path):
    decoy = _answers(tmp_path / "decoy")   # stands for the reference cache
    with AnswerChannel(channel_path(tmp_path)) as channel:
        channel.path.rename(tmp_path / "moved")
        channel.path.symlink_to(decoy)
        with pytest.raises(FileNotFoundError):   # the host's folder is empty: nothing sent
            channel.read()


def test_answers_json_as_a_link_is_refused(tmp_path):
    decoy = _answers(tmp_path / "decoy")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "answers.json").symlink_to(decoy / "answers.json")
    with pytest.raises(ValueError, match="symbolic link"):
        load_answers(folder)


def test_answers_json_as_a_fifo_is_refused_without_blocking(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    os.mkfifo(folder / "answers.json")
    result = {}
    reader = threading.Thread(target=lambda: result.update(error=_error(folder)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO blocked the host"
    assert "not a regular file" in result["error"]


def _error(folder: Path) -> str:
    try:
        load_answers(folder)
    except (OSError, ValueError) as exc:
        return str(exc)
    return "no error"


def test_an_oversized_answers_json_is_refused_before_it_is_read(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with open(folder / "answers.json", "wb") as f:
        f.truncate(MAX_JSON_BYTES + 1)   # sparse: costs no disk
    with pytest.raises(ValueError, match="too large"):
        load_answers(folder)


def test_an_array_that_is_a_link_or_a_fifo_is_that_answers_problem_only(tmp_path):
    folder = _answers(tmp_path / "out")
    array = next(p for p in folder.iterdir() if p.suffix == ".npy")
    array.unlink()
    os.mkfifo(array)
    got = load_answers(folder)
    assert got.values == {"inertia": 2.5}
    assert got.problems["labels"].status == "error"


def test_a_full_disk_on_the_host_is_the_graders_fault_not_the_students(tmp_path, monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "mkdir", no_space)
    with pytest.raises(Exception) as caught:
        AnswerChannel(channel_path(tmp_path))
    assert type(caught.value).__name__ == "InternalError"
    assert "No space left on device" in caught.value.message
