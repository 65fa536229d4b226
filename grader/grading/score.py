"""Compare a submission's answers with the reference answers and score each question.

Pure: takes the execution record and both sets of answers, returns frozen results. Each check
earns its share of the question's points (grader.core.spec, `points`) when it passes and so do
the gates of its answers; a question with `scoring = "all-or-nothing"` earns its points only
when every check passes. When an answer is absent, the status says why: the stub was never
filled in (missing), the code that defines it raised (error), or ran out of time (timeout); the
checks of the answers that are there still earn their points.
"""

from __future__ import annotations

import ast
import dataclasses
from functools import lru_cache

from .. import checks as registry
from ..checks.derive import DERIVATIONS
from ..checks.equality import difference
from ..checks.outcome import Comparison, Outcome
from ..checks.toolkit import CHECK_HINT
from ..core.answers import Extracted, Problem
from ..core.records import DISK_ENAME, CellRun, Execution
from ..core.results import CheckResult, QuestionResult, Status
from ..core.spec import CheckSpec, Exercise, Question

NOT_IMPLEMENTED = "NotImplementedError"
CARRIED = "Right for your own"
CHANGED = (1e-9, 1e-12)   # (rtol, atol): an earlier answer beyond this differs from the reference
QUESTION_HINT = ("Check the hyper-parameters this question sets ({params}), the data the model "
                 "was fitted on, and the steps after it.")


def score_questions(exercise: Exercise, execution: Execution,
                    reference: Extracted) -> tuple[QuestionResult, ...]:
    results = [_with_notes(score_question(q, execution, reference), q, execution)
               for q in exercise.questions]
    return tuple(_cascade(results, execution))


def _cascade(results: list[QuestionResult], execution: Execution) -> list[QuestionResult]:
    """A failed question whose cells use a name that an earlier question's cells define, when
    that question did not pass either, says so instead of the generic advice: the earlier
    mistake is the likely cause, and the one to fix first."""
    sources = {}
    for run in execution.cells:
        if run.question:
            sources[run.question] = sources.get(run.question, "") + "\n" + run.source
    out = []
    for i, result in enumerate(results):
        own = sources.get(result.id, "")
        used = used_names(own) - defined_names(own)
        cause = next(((r.id, sorted(used & computed_names(sources.get(r.id, ""))))
                      for r in results[:i] if r.status != Status.PASSED
                      and used & computed_names(sources.get(r.id, ""))), None)
        out.append(_blame(result, *cause) if cause and result.status == Status.FAILED
                   else result)
    return out


def _blame(result: QuestionResult, earlier: str, names: list[str]) -> QuestionResult:
    said = (f"This question uses {', '.join(f'`{n}`' for n in names[:3])} from question "
            f"{earlier}, which did not pass: fix that question first, then look again here.")
    generic = [CHECK_HINT] + [m for m in (_params_hint(result.message),) if m]

    def swap(message: str) -> str:
        for text in generic:
            if text in message:
                return message.replace(text, said)
        return message

    if not any(text in result.message for text in generic):
        return result
    return dataclasses.replace(result, message=swap(result.message),
                               checks=tuple(dataclasses.replace(c, message=swap(c.message))
                                            for c in result.checks))


def _params_hint(message: str) -> str | None:
    """The question's own generic advice (QUESTION_HINT, with its parameters) in `message`."""
    head, _, tail = QUESTION_HINT.partition("{params}")
    start = message.find(head)
    end = message.find(tail, start)
    return message[start:end + len(tail)] if start >= 0 and end >= 0 else None


def _with_notes(result: QuestionResult, question: Question, execution: Execution):
    """The question's message, plus what the kernel noted about when its answers were read (a
    name changed by a later cell, or defined only after the question's cells)."""
    notes = execution.answers.notes if execution.answers else {}
    said = list(dict.fromkeys(notes[n] for n in question.extract_names + [
        p.function for p in question.probes] if n in notes))
    if not said:
        return result
    return dataclasses.replace(result, message=f"{result.message}. Note: {'; '.join(said)}.")


def score_question(question: Question, execution: Execution,
                   reference: Extracted) -> QuestionResult:
    absent = _reference_gap(question, reference)
    if absent:
        return _result(question, Status.GRADER_ERROR,
                       f"the reference solution did not produce `{absent}`: this is a fault of "
                       "the exercise, not of your work; tell your instructor")
    problems = _unavailable(question, execution)
    if problems and (execution.answers is None or not _runnable(question, problems)):
        status, message, cell = next(iter(problems.values()))
        return _result(question, status, message, cell_error=cell)
    results = _award(question, tuple(
        _not_run(c, problems) if set(c.answer_names) & problems.keys()
        else run_check(c, execution.answers.values, reference.values) for c in question.checks))
    score = round(sum(r.points for r in results), 2)
    if problems:   # some answers are missing: the checks of the others still earn their points
        status, message, cell = next(iter(problems.values()))
        return _result(question, status, message, checks=results, score=score, cell_error=cell)
    failed = [r for r in results if not r.passed]
    if any(r.check == "grader-error" for r in failed):
        return _result(question, Status.GRADER_ERROR, failed[0].message, checks=results)
    if failed:
        results = tuple(_specific(r, question) for r in results)
        failed = _headline_first([r for r in results if not r.passed])
        more = len(failed) - 1
        also = f" ({more} more check{'s' * (more > 1)} of this question failed too)" if more else ""
        return _result(question, Status.FAILED, f"`{failed[0].answer}`: {failed[0].message}{also}",
                       checks=results, score=score)
    return _result(question, Status.PASSED, _passed_message(results), checks=results,
                   score=question.points)


def _award(question: Question, results: tuple[CheckResult, ...]) -> tuple[CheckResult, ...]:
    """Each check's points: its share when it passed and so did the gates of its answers (a
    wrong shape earns nothing for the values); all-or-nothing questions share nothing."""
    if question.scoring == "all-or-nothing":
        return results
    passed = {id(c): r.passed for c, r in zip(question.checks, results)}
    return tuple(dataclasses.replace(
        r, max_points=c.points,
        points=c.points if r.passed and all(passed[id(g)] for g in question.guards(c)) else 0.0)
        for c, r in zip(question.checks, results))


def _not_run(spec: CheckSpec, problems: dict) -> CheckResult:
    name = next(n for n in spec.answer_names if n in problems)
    return CheckResult(spec.check, spec.answer or ", ".join(spec.inputs.values()), False,
                       f"not checked: {problems[name][1]}", visibility=spec.visibility)


def _headline_first(failed: list[CheckResult]) -> list[CheckResult]:
    """The failed check the question's message leads with: a specific diagnosis (a wrong
    hyper-parameter, a trap) before "values differ", which is often its consequence."""
    return sorted(failed, key=lambda r: CHECK_HINT in r.message or QUESTION_HINT in r.message)


def _specific(result: CheckResult, question: Question) -> CheckResult:
    """The generic advice of a numeric check, made this question's: the hyper-parameters it
    sets, when it sets some (their names, not their values: the question gives those)."""
    if result.passed or CHECK_HINT not in result.message:
        return result
    params = list(dict.fromkeys(p for c in question.checks if c.check == "estimator"
                                for p in c.options.get("params", {})))
    if not params:
        return result
    said = QUESTION_HINT.format(params=", ".join(f"`{p}`" for p in params))
    return dataclasses.replace(result, message=result.message.replace(CHECK_HINT, said))


def run_check(spec: CheckSpec, got: dict, expected: dict) -> CheckResult:
    """One check of the registry on one answer; a crash inside a check is our fault."""
    try:
        outcome = _call(spec, got, expected)
        if not outcome.passed and spec.carry:
            outcome = _carried_forward(spec, outcome, got, expected)
    except Exception as exc:  # a check must never crash a batch; say whose fault it is
        return CheckResult("grader-error", spec.answer or "", False,
                           f"the grader failed while checking `{spec.answer}` "
                           f"({type(exc).__name__}: {exc}); tell your instructor",
                           visibility=spec.visibility)
    message = outcome.message
    if not outcome.passed:
        specific = [_trap_hint(spec, got), spec.hint]
        if any(specific):   # a diagnosis of this check replaces the generic advice
            message = message.replace(CHECK_HINT, "").strip()
        message = " ".join(filter(None, [message, *specific]))
    # Hidden checks never carry numbers: the detail, text and fields, holds reference values.
    comparison = outcome.comparison if spec.visibility == "public" else Comparison()
    return CheckResult(spec.check, spec.answer or ", ".join(spec.inputs.values()),
                       outcome.passed, message, visibility=spec.visibility, comparison=comparison)


def _carried_forward(spec: CheckSpec, outcome: Outcome, got: dict, expected: dict) -> Outcome:
    """A failed answer checked again against what the derivation computes from the student's own
    earlier answers, when those differ from the reference's: right for them, it passes with a
    note (error carried forward); otherwise the first outcome stands."""
    names = spec.carry_names
    if any(n not in got for n in names):
        return outcome
    changed = [n for n in names if n not in expected
               or difference(got[n], expected[n], CHANGED) is not None]
    if not changed:
        return outcome   # the earlier answers are the reference's: this answer is wrong itself
    try:
        derived = DERIVATIONS[spec.carry.derive](
            **{role: got[n] for role, n in spec.carry.inputs.items()}, **spec.carry.options)
    except Exception:   # the student's earlier answers cannot give this answer (wrong shape...)
        return outcome
    # Companions are compared with the student's own: they are numbered like the derived value.
    own = {c.answer: got[c.answer] for c in spec.companions if c.answer in got}
    again = _call(spec, got, {**expected, **own, spec.answer: derived})
    if not again.passed:
        return outcome
    said = ", ".join(f"`{n}`" for n in changed)
    return Outcome(True, f"{CARRIED} {said}, which differ{'s' * (len(changed) == 1)} "
                   f"from the reference solution's: that mistake is carried forward and costs "
                   f"points only where it was made.", comparison=again.comparison)


def _call(spec: CheckSpec, got: dict, expected: dict):
    fn = registry.get_check(spec.check)
    if spec.check == "consistent":
        return fn({role: got[name] for role, name in spec.inputs.items()}, None, **spec.options)
    options = dict(spec.options)
    if spec.companions:
        options["companions"] = tuple((c.answer, got[c.answer], expected[c.answer], c.how,
                                       c.tolerances) for c in spec.companions)
    return fn(got[spec.answer], expected.get(spec.answer), **options)


def _trap_hint(spec: CheckSpec, got: dict) -> str:
    """A known wrong answer gets its known explanation (e.g. a local optimum of K-Means)."""
    value = got.get(spec.answer)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        try:
            value = float(value) if getattr(value, "size", 0) == 1 else None
        except (TypeError, ValueError):
            value = None
    if value is None:
        return ""
    hits = [t.message for t in spec.traps if abs(value - t.value) <= t.rtol * abs(t.value)]
    return hits[0] if hits else ""


def _passed_message(results: tuple[CheckResult, ...]) -> str:
    said = f"all {len(results)} checks passed" if len(results) > 1 else "correct"
    carried = [r for r in results if r.message.startswith(CARRIED)]
    if not carried:
        return said
    return f"{said}: `{carried[0].answer}` is r{carried[0].message[1:]}"


def _reference_gap(question: Question, reference: Extracted) -> str | None:
    # Only what a check compares with: a student bundle releases nothing else (an `in_range`
    # or `one_of` answer's reference value is not there, nor needed).
    names = {n for c in question.checks for n in c.answer_names
             if registry.REFERENCE_USE.get(c.check) is not None}
    return next((n for n in sorted(names) if n not in reference.values), None)


def _unavailable(question: Question, execution: Execution) -> dict:
    """Answer name -> (status, message, cell error) for each answer the question needs that did
    not come back, in the order its checks name them."""
    problems = {}
    for name in _needed(question):
        problem = _problem(name, question, execution)
        if problem:
            problems[name] = problem
    return problems


def _runnable(question: Question, problems: dict) -> bool:
    """Whether a scored check has all its answers (else the question earns nothing)."""
    return any(not c.gate and not set(c.answer_names) & problems.keys()
               for c in question.checks)


def _needed(question: Question) -> list[str]:
    return list(dict.fromkeys(n for c in question.checks for n in c.answer_names))


def _problem(name: str, question: Question, execution: Execution):
    if execution.answers is None:
        return _no_answers(execution)
    if name in execution.answers.values:
        return None
    problem = execution.answers.problems.get(name, Problem("missing", "is not defined"))
    defined_by = _probe_function(question, name) or name.split(".")[0]
    if problem.status == "not-implemented":
        return (Status.MISSING, f"`{defined_by}` is not answered yet: it still raises "
                "NotImplementedError; replace that line with your code", None)
    if problem.status == "error":
        return Status.ERROR, f"`{name}` could not be graded: {problem.message}", None
    return _explain_missing(defined_by, question.id, execution)


def _probe_function(question: Question, name: str) -> str | None:
    return next((p.function for p in question.probes if name in p.outputs), None)


def _no_answers(execution: Execution):
    stuck = [r for r in execution.cells if r.status in ("timeout", "not-run")]
    died = [r for r in execution.cells if r.error and r.error.ename == "KernelDied"]
    full = [r for r in execution.cells if r.error and r.error.ename == DISK_ENAME]
    if full:
        return (Status.ERROR, f"the notebook was stopped in cell {full[0].index + 1}, so no "
                f"answer could be read: {full[0].error.evalue}", full[0].error)
    if died:
        return (Status.ERROR, f"the notebook's Python process died in cell {died[0].index + 1}, "
                "so no answer could be read; see the cell's error below", died[0].error)
    if stuck:
        return Status.TIMEOUT, "the notebook ran out of time, so no answer could be read", None
    return Status.ERROR, "the answers could not be read back from the notebook", None


def _explain_missing(name: str, question_id: str, execution: Execution):
    failed = [r for r in execution.cells if r.status != "ok"]
    defining = [r for r in failed if name in defined_names(r.source)]
    tagged = [r for r in failed if question_id in _question_tags(r)]
    for run in defining + tagged:
        return _failed_cell(name, run)
    own = [r.index for r in execution.cells if question_id in _question_tags(r)]
    before = [r for r in failed if r.error and own and r.index < min(own)]
    earlier = (f" (cell {before[0].index + 1} raised {before[0].error.ename} earlier, which may "
               "be why)") if before else ""
    return (Status.MISSING, f"`{name}` is not defined: did you run the cell that computes it?"
            f"{earlier}", None)


def _failed_cell(name: str, run: CellRun):
    where = f"cell {run.index + 1}"
    if run.status == "timeout":
        return Status.TIMEOUT, f"`{name}` was not computed: {where} ran out of time", run.error
    if run.status == "not-run":
        return Status.TIMEOUT, f"`{name}` was not computed: the notebook ran out of time " \
                               f"before {where}", None
    if run.error and run.error.ename == NOT_IMPLEMENTED:
        return (Status.MISSING, f"`{name}` is not answered yet: {where} still has "
                "`raise NotImplementedError()`; replace it with your code", None)
    return (Status.ERROR, f"`{name}` was not computed because {where} raised "
            f"{run.error.ename}: {run.error.evalue}", run.error)


def _question_tags(run: CellRun) -> set[str]:
    return {run.question} if run.question else set()


@lru_cache(maxsize=4096)
def used_names(source: str) -> frozenset[str]:
    """Names a cell reads (IPython magics are blanked first)."""
    tree = _parse(source)
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
                     and isinstance(node.ctx, ast.Load)) if tree else frozenset()


def _parse(source: str) -> ast.Module | None:
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


@lru_cache(maxsize=4096)
def computed_names(source: str) -> frozenset[str]:
    """Names a cell assigns or defines, imports left out (an import is never a mistake)."""
    tree = _parse(source)
    if tree is None:
        return frozenset()
    imported = {(a.asname or a.name).split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
    return defined_names(source) - imported


@lru_cache(maxsize=4096)
def defined_names(source: str) -> frozenset[str]:
    """Names a cell assigns, defines or imports (IPython magics are blanked first)."""
    tree = _parse(source)
    if tree is None:
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def _result(question: Question, status: Status, message: str, *, checks=(), score=0.0,
            cell_error=None) -> QuestionResult:
    hint = question.hint if status != Status.PASSED else ""
    return QuestionResult(question.id, question.title, score, question.points, status, message,
                          hint, question.visibility, tuple(checks), cell_error)
