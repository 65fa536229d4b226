"""The same notebook gets the same grade wherever it runs (issue 15, section 5): a student bundle
records the library versions its reference values were computed with, pins them in its
requirements.txt (which the workflow installs), and `grader check`, `grader ci` and `grader
grade --released` say, before the results and in every report, when the running versions
differ and which answers may move. All through the command line, on a bundle built by
`grader release` whose recorded versions are edited to simulate another machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version

import pytest
import yaml
from helpers import EXERCISE, ROOT, run_cli

from grader.core.catalog import get_exercise

pytestmark = pytest.mark.kernel

PACKAGES = ("numpy", "scipy", "scikit-learn")
RUNNING = {p: version(p) for p in PACKAGES}
OLDER = {"numpy": "2.0.2", "scikit-learn": "1.5.2"}   # the pair of issue 15
SOLUTION = ROOT / "solutions" / f"{EXERCISE}.ipynb"
NOTICE = "the reference values were computed with"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "student-repo"
    run_cli("release", out, "--exercise", EXERCISE, "--install", "grader==0.1.0", check_exit=0)
    return out


def _elsewhere(bundle, tmp_path):
    """A copy of the bundle as if released on a machine with OLDER numpy and scikit-learn."""
    copy = tmp_path / "repo"
    shutil.copytree(bundle, copy)
    path = copy / "references" / "environment.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **OLDER}))
    return copy


def _public_questions() -> list[str]:
    return [q.id for q in get_exercise(EXERCISE).questions if q.visibility == "public"]


def test_the_bundle_records_and_pins_the_versions_of_its_reference_values(bundle):
    recorded = json.loads((bundle / "references" / "environment.json").read_text())
    assert {p: recorded[p] for p in PACKAGES} == RUNNING
    requirements = (bundle / "requirements.txt").read_text().splitlines()
    assert requirements[0] == "grader==0.1.0"
    pins = [line for line in requirements if line and not line.startswith("#")][1:]
    assert pins == [f"{p}=={RUNNING[p]}" for p in PACKAGES]
    workflow = yaml.safe_load((bundle / ".github" / "workflows" / "grade.yml").read_text())
    (job,) = workflow["jobs"].values()
    setup = next(s for s in job["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["with"]["python-version"] == ".".join(recorded["python"].split(".")[:2])
    install = next(s for s in job["steps"] if "pip install" in s.get("run", ""))
    assert install["run"] == "python -m pip install -r requirements.txt"
    assert all(pin in (bundle / "README.md").read_text() for pin in pins)


def test_check_with_the_recorded_versions_says_nothing(bundle, tmp_path):
    proc = run_cli("check", SOLUTION, "--json", tmp_path / "r.json", cwd=bundle, check_exit=0)
    assert NOTICE not in proc.stdout
    notices = json.loads((tmp_path / "r.json").read_text())["notices"]
    assert not any(NOTICE in n for n in notices)


def test_check_with_other_versions_says_so_before_the_results(bundle, tmp_path):
    repo = _elsewhere(bundle, tmp_path)
    proc = run_cli("check", SOLUTION, "--json", tmp_path / "r.json", cwd=repo, check_exit=0)
    lines = proc.stdout.splitlines()
    (at,) = [i for i, line in enumerate(lines) if NOTICE in line]
    first_result = min(i for i, line in enumerate(lines) if " q1_fit " in line)
    assert at < first_result
    line = lines[at]
    assert f"scikit-learn {RUNNING['scikit-learn']}" in line
    assert f"numpy {RUNNING['numpy']}" in line
    assert f"with numpy {OLDER['numpy']}, scikit-learn {OLDER['scikit-learn']}" in line
    assert "scipy" not in line   # same version: not named
    assert f"({', '.join(_public_questions())}) may differ slightly" in line
    assert "pip install -r requirements.txt" in line
    notices = json.loads((tmp_path / "r.json").read_text())["notices"]
    assert NOTICE in notices[0]


def test_ci_with_other_versions_says_so_in_the_log_the_summary_and_the_report(bundle, tmp_path):
    repo = _elsewhere(bundle, tmp_path)
    shutil.copy(SOLUTION, repo / "exercises" / f"{EXERCISE}.ipynb")
    summary = tmp_path / "summary.md"
    proc = subprocess.run([sys.executable, "-m", "grader", "ci", "--report-dir",
                           str(tmp_path / "reports")], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    (at,) = [i for i, line in enumerate(lines) if NOTICE in line]
    assert at < min(i for i, line in enumerate(lines) if " q1_fit " in line)
    text = summary.read_text()
    assert NOTICE in text and text.index(NOTICE) < text.index("`q1_fit`")
    report = json.loads((tmp_path / "reports" / f"{EXERCISE}.json").read_text())
    assert NOTICE in report["notices"][0]


def test_grade_says_when_the_release_was_computed_with_other_versions(bundle, tmp_path):
    repos = tmp_path / "repos"
    (repos / "alice").mkdir(parents=True)
    shutil.copy(SOLUTION, repos / "alice" / f"{EXERCISE}.ipynb")
    same = run_cli("grade", repos, "--exercise", EXERCISE, "--out", tmp_path / "same",
                   "--released", bundle, check_exit=0)
    assert "students checked against" not in same.stdout
    assert not any("students checked against" in n for n in
                   json.loads((tmp_path / "same" / "alice" / "report.json").read_text())
                   ["notices"])
    released = _elsewhere(bundle, tmp_path)
    proc = run_cli("grade", repos, "--exercise", EXERCISE, "--out", tmp_path / "other",
                   "--released", released, check_exit=0)
    lines = proc.stdout.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "students checked against" in line]
    assert at < min(i for i, line in enumerate(lines) if line.startswith("Done:"))
    assert f"were computed with numpy {OLDER['numpy']}" in lines[at]
    assert f"pip install numpy=={OLDER['numpy']} scikit-learn=={OLDER['scikit-learn']}" \
        in lines[at]
    assert "q3_scratch" in lines[at]   # the instructor grades hidden questions too
    notices = json.loads((tmp_path / "other" / "alice" / "report.json").read_text())["notices"]
    assert "students checked against" in notices[0]
