"""Untrusted code: every attack in tests/adversarial/ is held (expected.toml says how it ends).

One class of attacks is graded with `grader grade` in the sandbox; then each submission's score
and statuses are checked, and the host is inspected: files unchanged, no process left behind,
no secret in any output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from helpers import ADVERSARIAL, EXERCISE, ROOT, max_score

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]

EXPECTED = tomllib.loads((ADVERSARIAL / "expected.toml").read_text())
SECRET = "s3cr3t-token-that-must-not-leak"
ANSWERS_PLANTED = Path("/tmp/grader-attack-answers")   # named in make_attacks.py
PWNED = [Path("/etc/grader-pwned"), Path("/root/grader-pwned"), Path("/tmp/grader-pwned-by-write"),
         Path("/tmp/grader-pwned-by-pickle")]
sys.path.insert(0, str(ADVERSARIAL))
import make_attacks  # noqa: E402


def canaries() -> dict[str, str]:
    files = [ROOT / "grader" / "__init__.py", Path(os.__file__),
             ROOT / "solutions" / f"{EXERCISE}.toml", ROOT / "solutions" / f"{EXERCISE}.ipynb"]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def plant_reference_answers() -> None:
    """Perfect answers in a host folder, as the reference cache holds them: the
    answer_folder_swapped_for_link attack points its answer folder at it."""
    from grader import get_exercise
    from grader.core.answers import save_answers
    from grader.grading.pipeline import execution_limits
    from grader.grading.reference import reference_answers

    spec = get_exercise(EXERCISE)
    shutil.rmtree(ANSWERS_PLANTED, ignore_errors=True)
    save_answers(reference_answers(spec, spec.parameters, execution_limits(spec)).values,
                 ANSWERS_PLANTED)


def build_class(folder: Path) -> None:
    for name in EXPECTED:
        if (ADVERSARIAL / f"{name}.ipynb").exists():
            shutil.copy(ADVERSARIAL / f"{name}.ipynb", folder / f"{name}.ipynb")
    nbformat.write(make_attacks.ten_thousand_cells(), folder / "ten_thousand_cells.ipynb")
    nbformat.write(make_attacks.with_big_image(50), folder / "big_embedded_image.ipynb")
    (folder / "a_directory").mkdir()
    (folder / "symlink_to_system_file.ipynb").symlink_to("/etc/passwd")


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    for path in PWNED:
        path.unlink(missing_ok=True)
    folder, out = tmp_path_factory.mktemp("attacks"), tmp_path_factory.mktemp("graded")
    build_class(folder)
    plant_reference_answers()
    before = canaries()
    env = {**os.environ, "GRADER_TEST_SECRET": SECRET, "AWS_SECRET_ACCESS_KEY": SECRET}
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(folder), "--exercise", EXERCISE, "--out",
         str(out), "--jobs", "2", "--cell-timeout", "4", "--notebook-timeout", "180"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    shutil.rmtree(ANSWERS_PLANTED, ignore_errors=True)
    return out, proc, before


def test_the_batch_survives_every_attack(attacked):
    out, proc, _ = attacked
    assert proc.returncode == 0, proc.stdout + proc.stderr
    db = sqlite3.connect(out / "gradebook.sqlite")
    graded = {row[0] for row in db.execute("SELECT student FROM submissions")}
    assert graded == set(EXPECTED)


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_each_attack_ends_as_expected(attacked, attack):
    out = attacked[0]
    expected = EXPECTED[attack]
    report = json.loads((out / attack / "report.json").read_text())
    want = {"zero": 0, "full": max_score()}.get(expected["score"], expected["score"])
    statuses = {q["status"] for q in report["questions"]}
    said = "\n".join([f"{q['id']} {q['status']}: {q['message']}" for q in report["questions"]]
                     + list(report["notices"]))
    assert report["score"] == want, said
    assert statuses <= set(expected["statuses"]), said
    assert "grader-error" not in statuses
    db = sqlite3.connect(out / "gradebook.sqlite")
    status = db.execute("SELECT status FROM submissions WHERE student = ?", (attack,)).fetchone()[0]
    assert status == expected.get("submission", "graded")


def test_nothing_on_the_host_changed(attacked):
    assert canaries() == attacked[2]
    assert not [p for p in PWNED if p.exists()]


def test_no_process_outlives_its_submission(attacked):
    left = subprocess.run(["pgrep", "-f", "sleep 424[23]"], capture_output=True, text=True)
    assert left.stdout.strip() == ""
    forks = subprocess.run(["pgrep", "-f", "time.sleep\\(3600\\)"], capture_output=True, text=True)
    assert forks.stdout.strip() == ""


def test_no_secret_reaches_any_output(attacked):
    out = attacked[0]
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_files_only_root_may_read_never_reach_any_output(attacked):
    """Meaningful where the grader runs as root (CI here, Gradescope): elsewhere the test's own
    process cannot read /etc/shadow either, and neither could the kernel."""
    try:
        lines = Path("/etc/shadow").read_text().splitlines()
    except OSError:
        pytest.skip("this process cannot read /etc/shadow: no root-only value to look for")
    report = (attacked[0] / "read_root_only_files" / "report.html").read_bytes()
    assert b"PermissionError" in report   # what the kernel got instead (its error is quoted)
    assert not [line for line in lines[:5] if line.encode() in report]


def test_messages_say_what_happened(attacked):
    out = attacked[0]

    def messages(name):
        return " ".join(q["message"] for q in json.loads(
            (out / name / "report.json").read_text())["questions"])
    assert "died" in messages("os_exit")
    assert "its working folder held" in messages("fill_the_working_folder")
    assert "kept running after it was interrupted" in " ".join(json.loads(
        (out / "busy_loop_ignoring_interrupts" / "report.json").read_text())["notices"])
    assert "too large" in messages("huge_answer") or "limit" in messages("huge_answer")
    assert "symbolic link" in messages("symlink_to_system_file")
    assert "10000 cells" in messages("ten_thousand_cells")
