"""A batch killed with SIGKILL at any moment is finished by `grader grade --resume`: nothing
lost, nothing graded twice, and the final gradebook identical (timing columns aside) to an
uninterrupted run's. Real processes, really killed, their gradebook watched read-only."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from batch_runs import (
    DEMO,
    EXERCISE,
    ROOT,
    comparable,
    environment,
    grade_command,
    graded_lines,
    kill_when,
    rows,
    run,
    start,
    uninterrupted,
)
from helpers import missing_on_this_machine

from grader import BatchSettings, GradeSettings, LimitOverrides, UsageError, grade_class

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return uninterrupted(tmp_path_factory)


def exists_for(path: Path, seconds: float):
    since: list[float] = []

    def ready() -> bool:
        if path.exists() and not since:
            since.append(time.monotonic())
        return bool(since) and time.monotonic() - since[0] >= seconds
    return ready


def test_killed_three_times_then_resumed_equals_an_uninterrupted_run(baseline, tmp_path):
    submissions, expected, _ = baseline
    out = tmp_path / "out"
    command = grade_command(out, *submissions)
    gradebook = out / "gradebook.sqlite"

    # 1. Killed while computing the reference answers (an empty cache of its own): the
    #    gradebook is opened before the reference is computed.
    cold = tmp_path / "cold-cache"
    proc = start(command, environment(2, GRADER_CACHE_DIR=str(cold)))
    kill_when(proc, exists_for(gradebook, seconds=1.0))
    assert not list(cold.rglob("answers.json")), "the reference was finished before the kill"
    assert rows(out) == {}

    # 2. Resumed with one job, killed once a first submission is recorded.
    proc = start(command[:-2] + ["--jobs", "1", "--resume"], environment(None))
    kill_when(proc, lambda: len(rows(out)) >= 1)
    # 3. Resumed with two jobs, killed once a third is recorded (in the middle of the next).
    proc = start(command + ["--resume"], environment(2))
    kill_when(proc, lambda: len(rows(out)) >= 3)

    before = rows(out)
    assert 3 <= len(before) < 6
    finished = run(command + ["--resume"], environment(2))
    assert finished.returncode == 0, finished.stdout + finished.stderr

    assert comparable(out) == comparable(expected)
    # Nothing graded twice: the last run graded exactly the students without a row, and the
    # rows recorded before it are untouched (their graded_at and duration_s included).
    assert sorted(graded_lines(finished.stdout)) == sorted(set(rows(out)) - set(before))
    assert f"skipped {len(before)} unchanged" in finished.stdout
    after = rows(out)
    assert all(after[s] == row for s, row in before.items())
    _reports_match_rows(out)


def _reports_match_rows(out: Path) -> None:
    """A row implies its reports, and they say what the row says."""
    for student, row in rows(out).items():
        on_disk = json.loads((out / student / "report.json").read_text())
        assert on_disk == json.loads(row["report_json"]), student
        assert (out / student / "report.html").stat().st_size > 0
    assert not list(out.rglob("*.tmp"))
    assert (out / "grades.csv").read_text().count("\n") == 1 + len(rows(out))


def test_a_changed_submission_is_regraded_and_only_it(baseline, tmp_path):
    submissions, expected, _ = baseline
    out, extra = tmp_path / "out", tmp_path / "extra"
    shutil.copytree(expected, out)
    shutil.copytree(submissions[1], extra)
    shutil.copy(ROOT / DEMO / "bob.ipynb", extra / "alice_again.ipynb")  # handed in again

    proc = run(grade_command(out, DEMO, extra, options=["--resume"]), environment(None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert graded_lines(proc.stdout) == ["alice_again"]
    assert "skipped 5 unchanged" in proc.stdout
    now, then = rows(out), rows(expected)
    assert now["alice_again"]["sha256"] != then["alice_again"]["sha256"]
    assert now["alice_again"]["score"] == then["bob"]["score"] < then["alice"]["score"]
    assert {s: r for s, r in now.items() if s != "alice_again"} == {
        s: r for s, r in then.items() if s != "alice_again"}
    _reports_match_rows(out)


def test_an_existing_gradebook_is_never_silently_mixed(baseline, tmp_path):
    submissions, expected, _ = baseline
    out = tmp_path / "out"
    shutil.copytree(expected, out)
    again = run(grade_command(out, *submissions), environment(None))
    assert again.returncode == 2
    assert "already holds 6 graded submission(s)" in again.stderr
    assert "--resume" in again.stderr and "--fresh" in again.stderr
    assert "Traceback" not in again.stderr
    with pytest.raises(UsageError, match=r"the limits .* changed since its rows were graded"):
        settings = BatchSettings(GradeSettings(limits=LimitOverrides(cell_timeout=99)),
                                 resume=True,
                                 allow_unisolated=bool(missing_on_this_machine("sandbox")))
        grade_class([ROOT / p for p in submissions], EXERCISE, out, settings)
    assert rows(out) == rows(expected)
