"""The student bundle: nothing secret in it, usable as a course, and its GitHub Actions workflow
run step by step (no Docker here for `act`): `run:` steps executed in order with the GITHUB_*
files set, `uses:` steps checked against the real actions, the outputs read back through a port
of GitHub Classroom's reporter."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import classroom_reporter as reporter
import jsonschema
import nbformat
import numpy as np
import pytest
import yaml
from helpers import EXERCISE, ROOT, junit_schema, run_cli

from grader.core.catalog import get_exercise
from grader.course.assign import REGION
from grader.grading.pipeline import execution_limits
from grader.grading.public import public_names
from grader.grading.reference import cache_root, reference_answers

pytestmark = pytest.mark.kernel

INSTALL = "grader @ git+https://example.org/grader@v0.1.0"
ACTIONS = {"actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4",
           "classroom-resources/autograding-grading-reporter@v1"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "student-repo"
    proc = run_cli("release", out, "--exercise", EXERCISE, "--install", INSTALL, check_exit=0)
    assert "Student bundle:" in proc.stdout
    return out


def _files(folder: Path):
    """(name, bytes) of every file, zip members included (recursively)."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        yield from _expand(str(path.relative_to(folder)), path.read_bytes())


def _expand(name: str, data: bytes):
    yield name, data
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                yield from _expand(f"{name}!{member}", zf.read(member))


def _solution_only_lines() -> set[str]:
    """Lines written inside solution regions that the stub does not contain anyway."""
    solution = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    stub = (ROOT / "exercises" / f"{EXERCISE}.ipynb").read_text()
    lines = set()
    for cell in solution.cells:
        for region in REGION.finditer(cell.source):
            lines |= {line.strip() for line in region.group(0).splitlines()[1:-1]}
    return {line for line in lines if len(line) >= 12 and not line.startswith("#")
            and json.dumps(line)[1:-1] not in stub}


def _distinctive(v: float) -> bool:
    # 0.98 or 2.5 occur anywhere; 211.59853725816828 does not.
    return not v.is_integer() and len(repr(v).lstrip("-0.").replace(".", "")) >= 4


def _hidden_needles() -> dict[str, list[bytes]]:
    """Byte patterns of every reference value only hidden checks read."""
    spec = get_exercise(EXERCISE)
    reference = reference_answers(spec, spec.parameters, execution_limits(spec))
    hidden = {n for q in spec.questions for c in q.checks
              if "hidden" in (q.visibility, c.visibility) for n in c.answer_names}
    needles = {}
    for name in sorted(hidden - public_names(spec)):
        value = reference.values.get(name)
        if isinstance(value, np.ndarray) and value.nbytes >= 16:
            floats = [float(v) for v in value.ravel()[:5] if _distinctive(float(v))]
            needles[name] = [value.tobytes()] + [repr(v).encode() for v in floats]
        elif isinstance(value, float) and _distinctive(value):
            needles[name] = [repr(value).encode(), f"{value:.8g}".encode()]
    return needles


def test_bundle_has_no_solution_code_and_no_hidden_reference_value(bundle, tmp_path):
    archive = tmp_path / "bundle.zip"  # as GitHub serves a repository: a zip of it
    shutil.make_archive(str(archive.with_suffix("")), "zip", bundle)
    files = list(_files(bundle)) + list(_expand("bundle.zip", archive.read_bytes()))
    assert any("!" in name for name, _ in files)  # the zip was walked
    lines, needles = _solution_only_lines(), _hidden_needles()
    assert len(lines) >= 10 and needles  # enough to mean something (q3_scratch is hidden)
    for name, data in files:
        text = data.decode("utf-8", "replace")
        leaked = [line for line in lines if line in text or json.dumps(line)[1:-1] in text]
        assert not leaked, f"{name} holds solution code: {leaked[:3]}"
        for answer, patterns in needles.items():
            assert not any(p in data for p in patterns), f"{name} holds hidden `{answer}`"
    # The same search finds them where they are: it can fail.
    solution = (ROOT / "solutions" / f"{EXERCISE}.ipynb").read_text()
    assert all(json.dumps(line)[1:-1] in solution for line in lines)
    cached = b"".join(p.read_bytes() for p in (cache_root() / EXERCISE).rglob("*.npy"))
    assert all(any(p in cached for p in patterns) for patterns in needles.values())
    assert not any(p.suffix == ".ipynb" and "solutions" in p.parts for p in bundle.rglob("*"))


def test_bundle_is_a_course_that_checks_public_questions_only(bundle, tmp_path):
    listing = json.loads(run_cli("list", "--json", cwd=bundle, check_exit=0).stdout)
    spec = get_exercise(EXERCISE)
    public = [q.id for q in spec.questions if q.visibility == "public"]
    hidden = [q.id for q in spec.questions if q.visibility != "public"]
    assert [q["id"] for q in listing[0]["questions"] if not q.get("hidden")] == public
    # The student README says `grader list` lists every question: the hidden ones say so.
    assert [q["id"] for q in listing[0]["questions"] if q.get("hidden")] == hidden
    text = run_cli("list", cwd=bundle, check_exit=0).stdout
    assert f"({spec.max_score:g} points)" in text
    assert all(f"{q}" in text for q in hidden) and "hidden: graded by your instructor" in text
    assert "why" not in (bundle / "solutions" / f"{EXERCISE}.toml").read_text()
    work = tmp_path / "my_work.ipynb"  # a student who got everything right
    shutil.copy(ROOT / "solutions" / f"{EXERCISE}.ipynb", work)
    junit = tmp_path / "junit.xml"
    proc = run_cli("check", work, "--junit", junit, cwd=bundle, check_exit=0)
    junit_schema().validate(str(junit))
    assert f"JUnit XML: {junit}" in proc.stdout
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "0", "0")
    assert f"Score: {sum(q.points for q in spec.questions if q.id in public):g}/" in proc.stdout
    assert "q3_scratch (3 points) is graded by your instructor" in proc.stdout
    refused = run_cli("check", work, "-p", "data_seed=3", cwd=bundle, check_exit=2)
    assert "-p overrides" in refused.stderr
    assert INSTALL in (bundle / "requirements.txt").read_text()
    readme = (bundle / "README.md").read_text()
    assert f"grader check exercises/{EXERCISE}.ipynb" in readme and "q3_scratch" in readme


def _workflow_steps(bundle: Path) -> list[dict]:
    workflow = yaml.safe_load((bundle / ".github" / "workflows" / "grade.yml").read_text())
    assert set(workflow[True]) == {"push", "workflow_dispatch"}  # YAML 1.1 reads `on` as True
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_workflow_uses_real_actions_and_feeds_the_reporter(bundle):
    steps = _workflow_steps(bundle)
    uses = [s["uses"] for s in steps if "uses" in s]
    assert set(uses) == ACTIONS
    grade_step = next(s for s in steps if s.get("id") == "grader")
    reporter_step = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    runner = reporter_step["with"]["runners"]
    # The reporter reads $<RUNNER>_RESULTS; the workflow must hand it the step's output.
    assert reporter_step["env"] == {
        f"{runner.upper()}_RESULTS": f"${{{{ steps.{grade_step['id']}.outputs.result }}}}"}
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "always()" and "always()" in reporter_step["if"]
    assert upload["with"]["path"].rstrip("/") in grade_step["run"]
    setup = next(s for s in steps if "setup-python" in s.get("uses", ""))
    assert setup["with"]["python-version"] == "3.11"


def _shim_python(folder: Path, log: Path) -> None:
    """`python -m pip ...` is recorded (no network here); any other `python` is the real one."""
    folder.mkdir()
    shim = folder / "python"
    shim.write_text(f'#!/bin/sh\nif [ "$1 $2" = "-m pip" ]; then echo "$@" >> {log}; exit 0; fi\n'
                    f'exec {sys.executable} "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)


def test_workflow_run_steps_grade_a_push(bundle, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(bundle, repo)
    shutil.copy(ROOT / "examples" / EXERCISE / "bob.ipynb",
                repo / "exercises" / f"{EXERCISE}.ipynb")
    files = {k: tmp_path / k.lower() for k in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
    for f in files.values():
        f.touch()
    _shim_python(tmp_path / "bin", tmp_path / "pip.log")
    env = {**os.environ, **{k: str(v) for k, v in files.items()}, "GITHUB_WORKSPACE": str(repo),
           "GITHUB_ACTIONS": "true", "PATH": f"{tmp_path / 'bin'}:{Path(sys.executable).parent}:"
                                               f"{os.environ['PATH']}"}
    codes, logs = {}, ""
    for step in _workflow_steps(bundle):
        if "run" in step:
            proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env,
                                  capture_output=True, text=True, timeout=600)
            codes[step.get("id", step["name"])], logs = proc.returncode, logs + proc.stdout
    assert "-m pip install -r requirements.txt" in (tmp_path / "pip.log").read_text()
    assert codes["grader"] == 1, logs  # bob fails questions: the step fails like `grader check`
    outputs = dict(line.split("=", 1) for line in files["GITHUB_OUTPUT"].read_text().splitlines())
    runs = reporter.decode("grader", {"GRADER_RESULTS": outputs["result"]})
    results = runs[0]["results"]
    jsonschema.validate(results, reporter.RESULT_SCHEMA)
    score, max_score = re.search(r"^Score: (\S+)/(\S+)", logs, re.M).groups()
    assert reporter.notify(runs) == f"Points {score}/{max_score}" and f"Points {score}/" in logs
    assert reporter.js_number(reporter.console_score(results)) == score
    assert reporter.step_failed(runs) == "Some tests failed."
    assert (repo / outputs["report-dir"] / f"{EXERCISE}.html").is_file()
    summary = files["GITHUB_STEP_SUMMARY"].read_text()
    assert f"**Total: {score}/{max_score}**" in summary and "q3_scratch" in summary
    lines = (repo / "exercises" / f"{EXERCISE}.ipynb").read_text().splitlines()
    annotations = re.findall(r"^::error file=exercises/kmeans_basics.ipynb,line=(\d+),title=(\w+)",
                             logs, re.M)
    assert {q for _, q in annotations} == {"q1_fit", "q2_inertia", "q4_iterations", "q5_init"}
    for line, question in annotations:  # each on its answer cell's first source line
        cell = next(c for c in nbformat.read(repo / "exercises" / f"{EXERCISE}.ipynb", 4).cells
                    if c.metadata.get("grader", {}).get("question") == question)
        assert json.dumps(cell.source.splitlines()[0])[1:-1] in lines[int(line) - 1]
    assert base64.b64decode(outputs["result"]).decode().startswith('{"version":1,')


def test_checking_a_hidden_question_in_the_bundle_says_who_grades_it(bundle):
    code = ("from grader import check\n"
            "r = check('q3_scratch', namespace={})\n"
            "print('STATUS', r.status, r.title)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=bundle, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "STATUS hidden" in proc.stdout and "graded by your instructor" in proc.stdout
