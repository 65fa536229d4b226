"""`from grader import check; check("q3")`: a question's public checks, inside the student's
running notebook.

It reads the answers from the live namespace with the very code the grader runs inside the
kernel (grader/kernel_side.py), compares them with the reference values of the question's
PUBLIC checks only (grader/public.py), and shows a small HTML block. Hidden questions and hidden
checks are never run here and nothing of their reference is loaded into the result. It is a
convenience: final grades always come from a fresh run of the whole notebook (`grader check`).

Which exercise: `check("q3", exercise="kmeans_basics")`; else the `GRADER_EXERCISE` environment
variable; else the only exercise of the course that has a question with this id (a kernel
cannot read its own notebook's metadata reliably, so the id is not taken from there).
"""

from __future__ import annotations

import html
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.answers import Extracted, load_answers
from ..core.catalog import get_exercise, list_exercises
from ..core.environment import GRADING_ENV
from ..core.results import CheckResult
from ..core.spec import Exercise, Question
from ..errors import UsageError
from ..kernel.extract import kernel_source
from .public import public_answers, released_reference, withheld

FRESH_RUN = ("Only this question's public checks ran, on your notebook as it is now. Your grade "
             "comes from a fresh run of the whole notebook by `grader check` or your instructor, "
             "hidden checks included.")
GRADED_HERE = ("check() does nothing while the grader runs this notebook: this run's report has "
               "every question's result.")
HIDDEN = "hidden: graded by your instructor (its checks do not run in your notebook)"


@dataclass(frozen=True)
class CheckReport:
    """What check() found; its text repr is what a terminal shows."""

    exercise: str
    question: str
    title: str
    status: str                          # passed | failed | missing | hidden | no-public-checks
    message: str
    checks: tuple[CheckResult, ...] = ()
    _shown: list = field(default_factory=list, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:
        lines = [f"{self.status.upper()} {self.question} ({self.title}): {self.message}"]
        for c in self.checks:
            lines.append(f"  {'ok  ' if c.passed else 'FAIL'} {c.answer} ({c.check})"
                         + ("" if c.passed else f": {c.message}"))
            if c.detail and not c.passed:
                lines.append(f"       {c.detail}")
        return "\n".join(lines + [FRESH_RUN])

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "hidden": "#57606a"}.get(self.status, "#b42318")
        icon = {"passed": "✔", "hidden": "🔒", "missing": "○"}.get(self.status, "✘")
        items = "".join(
            f"<li><span style='color:{'#1a7f37' if c.passed else '#b42318'}'>"
            f"{'✔ passed' if c.passed else '✘ failed'}</span> <code>{html.escape(c.answer)}"
            f"</code> ({html.escape(c.check)})"
            + ("" if c.passed else f": {html.escape(c.message)}")
            + (f"<br><small><code>{html.escape(c.detail)}</code></small>"
               if c.detail and not c.passed else "") + "</li>" for c in self.checks)
        return (f"<div style='border-left:5px solid {colour};padding:.3em .8em;margin:.3em 0'>"
                f"<strong style='color:{colour}'>{icon} {html.escape(self.status)}</strong> "
                f"<strong>{html.escape(self.title)}</strong> <code>{html.escape(self.question)}"
                f"</code><p style='margin:.3em 0'>{html.escape(self.message)}</p>"
                + (f"<ul style='margin:.2em 0'>{items}</ul>" if items else "")
                + f"<p style='color:#57606a;font-size:.9em;margin:.3em 0'>{FRESH_RUN}</p></div>")

    def _ipython_display_(self) -> None:
        # check() already displayed it; as a cell's last value it must not show twice.
        if not self._shown:
            _display(self)


def check(question: str, exercise: str | None = None, *, course: str | os.PathLike | None = None,
          namespace: dict | None = None) -> CheckReport:
    """Run `question`'s public checks on the answers defined in this notebook (or `namespace`),
    show the result and return it. See the module's docstring for how the exercise is found."""
    if os.environ.get(GRADING_ENV):  # inside a kernel the grader runs: harmless, says why
        report = CheckReport(exercise or "", question, question, "skipped", GRADED_HERE)
        print(GRADED_HERE)
        return report
    namespace = namespace if namespace is not None else _caller_namespace()
    spec = _exercise(question, exercise, course, namespace)
    held = _withheld_question(spec, question)
    report = (CheckReport(spec.id, question, held["title"], "hidden", HIDDEN) if held
              else _check(spec, _question(spec, question), namespace))
    _display(report)
    return report


def _withheld_question(spec: Exercise, question: str) -> dict | None:
    """A hidden question of a student bundle: stripped from its spec, named in withheld.json."""
    held = withheld(spec.spec_path.parent.parent, spec.id)["questions"]
    return next((q for q in held if q.get("id") == question), None)


def _exercise(question: str, exercise: str | None, course, namespace: dict) -> Exercise:
    named = exercise or os.environ.get("GRADER_EXERCISE")
    if named:
        return get_exercise(named, course)
    matches = [e for e in list_exercises(course) if any(q.id == question for q in e.questions)
               or _withheld_question(e, question)]
    # Several exercises have a "q1_fit": keep those whose names for it this notebook defines.
    defined = [e for e in matches if any(q.id == question for q in e.questions)
               and all(n in namespace for n in e.question(question).answers)]
    for candidates in (matches, defined):
        if len(candidates) == 1:
            return candidates[0]
    found = ", ".join(e.id for e in matches) or "none"
    raise UsageError(f"cannot tell which exercise question {question!r} belongs to "
                     f"(exercises with that question: {found})",
                     f'pass it: check("{question}", exercise="<exercise id>"), or set the '
                     "GRADER_EXERCISE environment variable")


def _question(spec: Exercise, question: str) -> Question:
    try:
        return spec.question(question)
    except KeyError:
        raise UsageError(f"exercise {spec.id!r} has no question {question!r}",
                         f"its questions: {', '.join(q.id for q in spec.questions)}") from None


def _caller_namespace() -> dict:
    """The notebook's variables: IPython's user namespace, else the caller's globals."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        return shell.user_ns
    frame = sys._getframe(2)  # check() -> _caller_namespace(): the frame that called check()
    return frame.f_globals


def _check(spec: Exercise, q: Question, namespace: dict) -> CheckReport:
    base = {"exercise": spec.id, "question": q.id, "title": q.title}
    if q.visibility != "public":
        return CheckReport(**base, status="hidden", message=HIDDEN)
    checks = [c for c in q.checks if c.visibility == "public"]
    if not checks:
        return CheckReport(**base, status="no-public-checks", message="every check of this "
                           "question is hidden: it is graded by your instructor")
    got = extract(namespace, q, checks)
    reference = public_reference(spec)
    results = tuple(_run(c, got, reference) for c in checks)
    failed = [r for r in results if not r.passed]
    missing = [r for r in failed if r.check == "missing"]
    status = "passed" if not failed else "missing" if len(missing) == len(failed) else "failed"
    message = (f"{len(results)} public check(s) passed" if not failed else
               "not answered yet: define " + ", ".join(f"`{r.answer}`" for r in missing)
               if status == "missing" else
               f"{len(failed)} of {len(results)} public check(s) did not pass")
    return CheckReport(**base, status=status, message=message, checks=results)


def _run(spec, got: Extracted, reference: dict) -> CheckResult:
    from .score import run_check

    for name in spec.answer_names:
        if name not in got.values:
            problem = got.problems.get(name)
            why = problem.message if problem else "is not defined"
            if problem and problem.status == "not-implemented":
                why = "still raises NotImplementedError"
            return CheckResult("missing", spec.answer or name, False, f"`{name}` {why}")
    return run_check(spec, got.values, reference)


def extract(namespace: dict, q: Question, checks) -> Extracted:
    """The question's answers from `namespace`, read by the kernel-side code the grader uses
    (so that what check() sees is what grading sees), probes included."""
    names = list(dict.fromkeys(n for c in checks for n in c.answer_names + c.carry_names))
    produced = {o for p in q.probes for o in p.outputs}
    probes = [p for p in q.probes if produced & set(names)]
    with tempfile.TemporaryDirectory(prefix="grader-check-") as tmp:
        requests = _probe_requests(probes, Path(tmp))
        code = {"get_ipython": lambda: _Shell(namespace), "__name__": "grader_check"}
        exec(compile(kernel_source(), "grader/kernel_side.py", "exec"), code)  # our own code
        out = Path(tmp) / "out"
        code["__grader_extract__"](json.dumps({
            "names": [n for n in names if n not in produced], "probes": requests,
            "out": str(out), "max_bytes": 256 * 2**20}))
        return load_answers(out, from_kernel=True)


def _probe_requests(probes, folder: Path) -> list[dict]:
    """The probes' inputs as .npy files, as a graded run writes them (same generators, seeds)."""
    from ..core.probes import make_inputs

    requests = []
    for p_index, probe in enumerate(probes):
        paths = []
        for a_index, array in enumerate(make_inputs(probe.inputs, probe.seed, probe.options)):
            paths.append(str(folder / f"p{p_index}_{a_index}.npy"))
            np.save(paths[-1], array, allow_pickle=False)
        requests.append({"function": probe.function, "inputs": paths,
                         "outputs": list(probe.outputs)})
    return requests


class _Shell:
    """What kernel_side asks of IPython: the user namespace."""

    def __init__(self, namespace: dict) -> None:
        self.user_ns = namespace


def public_reference(spec: Exercise) -> dict:
    """Reference values of public checks only: released with a student bundle, or computed
    from the solution in an instructor's checkout (cached) and then filtered."""
    released = released_reference(spec)
    if released is not None:
        return dict(released.values)
    if not spec.solution_path.is_file():
        raise UsageError(f"no reference values for {spec.id!r}: neither "
                         f"references/{spec.id}/ nor {spec.solution_path.name} is in the course",
                         "ask your instructor for the course bundle (grader release)")
    from ..core.records import Limits
    from .reference import reference_answers

    return public_answers(spec, reference_answers(spec, spec.parameters, Limits()))


def _display(report: CheckReport) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(HTML(report._repr_html_()))
    else:
        print(repr(report))
    report._shown.append(True)


