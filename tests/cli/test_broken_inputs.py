"""Broken files the instructor or a student hands over are named, with the way out (exit 2),
never reported as a bug of the grader (exit 3)."""

from __future__ import annotations

import json
import subprocess

import pytest
from helpers import EXERCISE, ROOT, run_cli

pytestmark = pytest.mark.kernel

ALICE = ROOT / "examples" / EXERCISE / "alice.ipynb"


def grader(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args)


def test_a_corrupt_gradebook_is_named_with_the_way_out(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "gradebook.sqlite").write_bytes(bytes(range(256)) * 20)
    proc = grader("grade", str(ALICE), "--exercise", EXERCISE, "--out", str(out))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "is not a readable gradebook" in proc.stderr and "--fresh" in proc.stderr
    assert "bug" not in proc.stderr


def test_exercise_metadata_that_is_not_an_id_is_as_good_as_none(tmp_path):
    nb = json.loads(ALICE.read_text())
    nb["metadata"]["grader"]["exercise"] = {"id": EXERCISE}
    (tmp_path / "odd.ipynb").write_text(json.dumps(nb))
    proc = grader("check", str(tmp_path / "odd.ipynb"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot tell which exercise this is" in proc.stderr


def test_a_full_disk_under_out_stops_the_batch_with_the_way_out_not_a_traceback(tmp_path,
                                                                                monkeypatch):
    import errno

    from grader import BatchSettings, InternalError, grade_class
    from grader.grading import batch

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(batch, "write_reports", full)
    with pytest.raises(InternalError) as caught:
        grade_class([ALICE], EXERCISE, tmp_path / "out", BatchSettings(allow_unisolated=True))
    assert "No space left on device" in caught.value.message
    assert "--resume" in caught.value.hint
