"""Load and validate an exercise spec (TOML): the questions, their answers and checks.

The spec is data, never code: it is parsed with tomllib and validated key by key, and every
problem names the file, the question and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import SpecError

SCHEMA_VERSION = 1
NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
COMPANION_HOW = {"rows", "columns", "labels"}
VISIBILITIES = {"public", "hidden"}

TOP_KEYS = {"schema_version", "id", "title", "chapter_tasks", "seed", "execution",
            "parameters", "questions", "data", "grading"}
GRADING_KEYS = {"parameters"}   # [grading]: how final grades differ from self-checks
QUESTION_KEYS = {"id", "title", "points", "visibility", "hint", "checks", "probes", "picture",
                 "scoring"}
SCORINGS = {"per-check", "all-or-nothing"}
PICTURE_KEYS = {"points", "image"}   # answers drawn in the HTML report (grader.grading.pictures)
CHECK_KEYS = {"check", "answer", "companions", "inputs", "why", "hint", "visibility",
              "traps", "points", "carry_forward"}
PROBE_KEYS = {"function", "inputs", "seed", "options", "outputs"}
EXECUTION_KEYS = {"cell_timeout", "notebook_timeout"}
# Numeric options a check may take, and the interval each must lie in (None: unbounded). A
# negative tolerance or a string would otherwise reach the check and blame the student.
NUMBER_RANGES = {"rtol": (0, None), "atol": (0, None), "margin": (0, None),
                 "max_mismatch": (0, 1), "min_ari": (-1, 1), "low": (None, None),
                 "high": (None, None), "suspicious_above": (0, None),
                 "suspicious_below": (0, None)}


@dataclass(frozen=True)
class Companion:
    answer: str
    how: str  # rows | columns | labels: how the matching permutation applies to it
    tolerances: dict = field(default_factory=dict)  # rtol / atol for rows and columns


@dataclass(frozen=True)
class Trap:
    """A known wrong answer: when a failed check's answer is close to `value`, say `message`."""

    value: float
    message: str
    rtol: float = 1e-3


@dataclass(frozen=True)
class CarryForward:
    """Error carried forward: the answer is also right when it equals what `derive` (a function
    of grader.checks.derive) computes from the student's own `inputs` (role -> answer name)."""

    derive: str
    inputs: dict
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckSpec:
    check: str
    answer: str | None                  # the student's answer the check looks at
    options: dict = field(default_factory=dict)   # tolerances and other check options
    companions: tuple[Companion, ...] = ()
    inputs: dict = field(default_factory=dict)    # role -> answer name ("consistent" checks)
    why: str = ""                       # why this check and these tolerances (for instructors)
    hint: str = ""
    visibility: str = "public"
    traps: tuple[Trap, ...] = ()
    # Its share of the question's points (resolved by _share_points: the spec's `points`, or an
    # even share); 0 for a gate, a check of form that guards the scored checks of its answers.
    points: float = 0.0
    gate: bool = False
    carry: CarryForward | None = None

    @property
    def answer_names(self) -> list[str]:
        names = [self.answer] if self.answer else []
        return names + [c.answer for c in self.companions] + list(self.inputs.values())

    @property
    def carry_names(self) -> list[str]:
        """Earlier answers a carried-forward value is derived from (read, never required)."""
        return list(self.carry.inputs.values()) if self.carry else []


@dataclass(frozen=True)
class Probe:
    """Call the student's function on inputs made by the grader (never seen by the student)."""

    function: str
    inputs: str                 # name of a generator in grader.core.probes
    seed: int
    outputs: tuple[str, ...]    # answer names given to the returned values
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    points: float
    visibility: str
    hint: str
    checks: tuple[CheckSpec, ...]
    probes: tuple[Probe, ...] = ()
    # What the report may draw: {"points": "X"} (the data clusters and centres are drawn on) or
    # {"image": "image"} (the original of a quantised image). Public questions only.
    picture: dict = field(default_factory=dict)
    # "per-check": each check earns its points (partial credit); "all-or-nothing": the
    # question's points only when every check passes.
    scoring: str = "per-check"

    def guards(self, check: CheckSpec) -> list[CheckSpec]:
        """The gates a scored check needs: those that look at one of its answers."""
        names = set(check.answer_names)
        return [g for g in self.checks if g.gate and names & set(g.answer_names)]

    @property
    def answers(self) -> list[str]:
        """The names a student must define for this question, in spec order."""
        produced = {o for p in self.probes for o in p.outputs}
        names = [p.function for p in self.probes]
        for check in self.checks:
            names += [n.split(".")[0] for n in check.answer_names if n not in produced]
        return list(dict.fromkeys(names))

    @property
    def extract_names(self) -> list[str]:
        """What to read from the kernel (attribute paths included), probe outputs excluded."""
        produced = {o for p in self.probes for o in p.outputs}
        names = [n for c in self.checks for n in c.answer_names + c.carry_names
                 if n not in produced]
        return list(dict.fromkeys(names + list(self.picture.values())))


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    spec_path: Path
    exercise_path: Path
    solution_path: Path
    questions: tuple[Question, ...]
    seed: int | None = None
    parameters: dict = field(default_factory=dict)
    # [grading] parameters: final grading (a class batch, Gradescope, PrairieLearn) runs the
    # solution and the submissions with these on top, values students never saw, so that a
    # notebook that pastes the public reference values fails; never released in a bundle.
    grading_parameters: dict = field(default_factory=dict)
    cell_timeout: float = 120.0
    notebook_timeout: float = 600.0
    chapter_tasks: tuple[int, ...] = ()
    data: tuple[str, ...] = ()  # files (relative to the spec) copied next to the submission

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def probes(self) -> list[Probe]:
        return [p for q in self.questions for p in q.probes]

    @property
    def extract_names(self) -> list[str]:
        return list(dict.fromkeys(n for q in self.questions for n in q.extract_names))

    @property
    def question_names(self) -> dict[str, list[str]]:
        """Question id -> the names and probed functions its checks read (each is read as it
        stood after the question's last cell: grader.kernel.execute)."""
        return {q.id: list(dict.fromkeys([*q.extract_names, *(p.function for p in q.probes)]))
                for q in self.questions}

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


def load_spec(path: Path, exercises_dir: Path, solutions_dir: Path) -> Exercise:
    """Read `path` (a TOML spec) and return the validated Exercise."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{path}: cannot read the spec: {exc}",
                        "check the TOML syntax (https://toml.io)") from exc
    return _exercise(raw, _Where(path), exercises_dir, solutions_dir)


class _Where:
    """Builds messages that name the file, the question and the key."""

    def __init__(self, path: Path, question: str = "") -> None:
        self.path, self.question_id = path, question

    def at(self, question: str) -> _Where:
        return _Where(self.path, question)

    def fail(self, key: str, problem: str, hint: str = "") -> SpecError:
        place = f"{self.path}" + (f", question {self.question_id!r}" if self.question_id else "")
        return SpecError(f"{place}, key {key!r}: {problem}", hint)


def _exercise(raw: dict, where: _Where, exercises_dir: Path, solutions_dir: Path) -> Exercise:
    _only(raw, TOP_KEYS, where, "top level")
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise where.fail("schema_version", f"expected {SCHEMA_VERSION}, got "
                         f"{raw.get('schema_version')!r}", "add `schema_version = 1` at the top")
    ex_id = _require(raw, "id", str, where)
    questions = tuple(_question(q, where, i) for i, q in enumerate(_list(raw, "questions", where)))
    if not questions:
        raise where.fail("questions", "an exercise needs at least one [[questions]] table")
    _unique([q.id for q in questions], "questions.id", where)
    _unique([o for q in questions for p in q.probes for o in p.outputs], "probes.outputs", where)
    execution = raw.get("execution", {})
    _only(execution, EXECUTION_KEYS, where, "execution")
    return Exercise(
        id=ex_id,
        title=_require(raw, "title", str, where),
        spec_path=where.path,
        exercise_path=exercises_dir / f"{ex_id}.ipynb",
        solution_path=solutions_dir / f"{ex_id}.ipynb",
        questions=questions,
        seed=raw.get("seed"),
        parameters=dict(raw.get("parameters", {})),
        grading_parameters=_grading_parameters(raw, where),
        cell_timeout=_seconds(execution, "cell_timeout", 120, where),
        notebook_timeout=_seconds(execution, "notebook_timeout", 600, where),
        chapter_tasks=tuple(raw.get("chapter_tasks", ())),
        data=tuple(raw.get("data", ())),
    )


def _grading_parameters(raw: dict, where: _Where) -> dict:
    grading = raw.get("grading", {})
    if not isinstance(grading, dict):
        raise where.fail("grading", f"expected a table ([grading]), got {grading!r}")
    _only(grading, GRADING_KEYS, where, "grading")
    parameters = grading.get("parameters", {})
    if not isinstance(parameters, dict):
        raise where.fail("grading.parameters", "expected a table of NAME = value",
                         "e.g. [grading.parameters] data_seed = 11")
    return dict(parameters)


def _question(raw: dict, where: _Where, index: int) -> Question:
    if not isinstance(raw, dict):
        raise where.fail(f"questions[{index}]", "expected a table ([[questions]])")
    qid = _require(raw, "id", str, where)
    here = where.at(qid)
    _only(raw, QUESTION_KEYS, here, "question")
    points = raw.get("points")
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise here.fail("points", f"expected a positive number, got {points!r}")
    visibility = raw.get("visibility", "public")
    if visibility not in VISIBILITIES:
        raise here.fail("visibility", f"expected one of {sorted(VISIBILITIES)}, got {visibility!r}")
    scoring = raw.get("scoring", "per-check")
    if scoring not in SCORINGS:
        raise here.fail("scoring", f"expected one of {sorted(SCORINGS)}, got {scoring!r}")
    checks = tuple(_check(c, here, visibility) for c in _list(raw, "checks", here))
    if not checks:
        raise here.fail("checks", "a question needs at least one [[questions.checks]] table")
    probes = tuple(_probe(p, here) for p in raw.get("probes", []))
    return Question(id=qid, title=raw.get("title", qid), points=float(points),
                    visibility=visibility, hint=raw.get("hint", ""),
                    checks=_share_points(checks, float(points), scoring, here), probes=probes,
                    picture=_picture(raw.get("picture", {}), here, visibility), scoring=scoring)


def _share_points(checks: tuple[CheckSpec, ...], total: float, scoring: str,
                  where: _Where) -> tuple[CheckSpec, ...]:
    """Each check's points: the spec's own, else an even share (in hundredths, so every output
    shows the same sums) of what the explicit ones leave. A check of form (registry GATES)
    without points is a gate worth nothing itself, unless no scored check shares its answers
    (then it is the only check of them, and scored)."""
    explicit = [c for c in checks if c.points]
    if explicit and scoring == "all-or-nothing":
        raise where.fail("checks.points", "points on a check need per-check scoring",
                         "remove scoring = \"all-or-nothing\" or the checks' points")
    gates = {i for i, c in enumerate(checks) if not c.points and _is_gate_kind(c)
             and _shares_answers(c, [d for d in checks if not _is_gate_kind(d) or d.points])}
    left = total - sum(c.points for c in explicit)
    shared = [i for i, c in enumerate(checks) if i not in gates and not c.points]
    if left < -1e-9 or (not shared and left > 1e-9):
        raise where.fail("checks.points", f"the checks' points add up to "
                         f"{sum(c.points for c in explicit):g}, the question is worth {total:g}",
                         "make them add up, or leave some checks without points to share the rest")
    cents, shares = round(max(left, 0) * 100), {}
    for k, i in enumerate(shared):
        shares[i] = (cents // len(shared) + (k < cents % len(shared))) / 100
    return tuple(replace(c, gate=i in gates, points=c.points or shares.get(i, 0.0))
                 for i, c in enumerate(checks))


def _is_gate_kind(check: CheckSpec) -> bool:
    from ..checks.registry import GATES

    return check.check in GATES


def _shares_answers(check: CheckSpec, others: list[CheckSpec]) -> bool:
    names = set(check.answer_names)
    return any(names & set(o.answer_names) for o in others)


def _check(raw: dict, where: _Where, default_visibility: str) -> CheckSpec:
    from .. import checks as registry

    name = _require(raw, "check", str, where)
    if name not in registry.CHECKS:
        raise where.fail("check", f"unknown check {name!r}",
                         f"known checks: {', '.join(sorted(registry.CHECKS))}")
    options = {k: v for k, v in raw.items() if k not in CHECK_KEYS}
    for key, value in options.items():
        if key in NUMBER_RANGES and value is not None:
            _number(value, key, NUMBER_RANGES[key], where)
    allowed = registry.check_options(name) - {"companions"}
    unknown = set(options) - allowed
    if unknown:
        raise where.fail(sorted(unknown)[0], f"check {name!r} has no option {sorted(unknown)[0]!r}",
                         f"its options are: {', '.join(sorted(allowed)) or 'none'}")
    missing = registry.required_options(name) - set(options)
    if missing:
        raise where.fail(sorted(missing)[0], f"check {name!r} needs the option "
                         f"{sorted(missing)[0]!r}")
    inputs = raw.get("inputs", {})
    answer = raw.get("answer")
    if name == "consistent":
        if not inputs or not all(isinstance(v, str) for v in inputs.values()):
            raise where.fail("inputs", "a 'consistent' check needs inputs = {role = \"answer\"}")
    elif not isinstance(answer, str):
        raise where.fail("answer", f"check {name!r} needs answer = \"<name the student defines>\"")
    check = CheckSpec(
        check=name, answer=answer, options=options,
        companions=tuple(_companion(c, where) for c in raw.get("companions", [])),
        inputs=dict(inputs), why=raw.get("why", ""), hint=raw.get("hint", ""),
        visibility=raw.get("visibility", default_visibility),
        traps=tuple(Trap(**t) for t in raw.get("traps", [])),
        points=_check_points(raw, where),
        carry=_carry_forward(raw.get("carry_forward"), name, where),
    )
    for n in check.answer_names:
        if not NAME.match(n):
            raise where.fail("answer", f"{n!r} is not a Python name or attribute path")
    return check


def _carry_forward(raw, check: str, where: _Where) -> CarryForward | None:
    from ..checks.derive import DERIVATIONS, derivation_inputs

    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("derive"), str) \
            or not isinstance(raw.get("inputs"), dict):
        raise where.fail("carry_forward", f"expected {{ derive = \"name\", inputs = {{ role = "
                         f"\"answer\" }}, options... }}, got {raw!r}")
    if raw["derive"] not in DERIVATIONS:
        raise where.fail("carry_forward.derive", f"unknown derivation {raw['derive']!r}",
                         f"known: {', '.join(sorted(DERIVATIONS))}")
    if check == "consistent":
        raise where.fail("carry_forward", "a 'consistent' check compares the student's answers "
                         "with each other: there is nothing to carry forward")
    roles, keywords = derivation_inputs(raw["derive"])
    inputs, options = raw["inputs"], {k: v for k, v in raw.items() if k not in ("derive", "inputs")}
    if set(inputs) != roles or set(options) != keywords:
        raise where.fail("carry_forward", f"derivation {raw['derive']!r} takes inputs "
                         f"{sorted(roles)} and options {sorted(keywords)}, got inputs "
                         f"{sorted(inputs)} and options {sorted(options)}")
    for name in inputs.values():
        if not isinstance(name, str) or not NAME.match(name):
            raise where.fail("carry_forward.inputs", f"{name!r} is not a Python name or "
                             "attribute path")
    return CarryForward(raw["derive"], dict(inputs), options)


def _check_points(raw: dict, where: _Where) -> float:
    if "points" not in raw:
        return 0.0
    points = _number(raw["points"], "points", (0, None), where)
    if points == 0:
        raise where.fail("points", "expected a positive number of points, got 0",
                         "leave `points` out: a check of form (shape, range...) is then a gate")
    return points


def _companion(raw: dict, where: _Where) -> Companion:
    if not isinstance(raw, dict) or raw.get("how", "rows") not in COMPANION_HOW \
            or set(raw) - {"answer", "how", "rtol", "atol"}:
        raise where.fail("companions", f"expected {{answer = \"name\", how = one of "
                         f"{sorted(COMPANION_HOW)}, optional rtol, atol}}, got {raw!r}")
    for key in ("rtol", "atol"):
        if key in raw:
            _number(raw[key], f"companions.{key}", NUMBER_RANGES[key], where)
    return Companion(answer=_require(raw, "answer", str, where), how=raw.get("how", "rows"),
                     tolerances={k: raw[k] for k in ("rtol", "atol") if k in raw})


def _picture(raw: dict, where: _Where, visibility: str) -> dict:
    """[questions.picture]: which answers hold the data to draw the question's answers on."""
    if not isinstance(raw, dict):
        raise where.fail("picture", f"expected a table like {{ points = \"X\" }}, got {raw!r}")
    _only(raw, PICTURE_KEYS, where, "picture")
    if raw and visibility != "public":
        raise where.fail("picture", "a hidden question cannot have a picture: the reference's "
                         "clusters would reveal its answer", "remove [questions.picture]")
    for key, name in raw.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise where.fail(f"picture.{key}", f"expected the name of an answer, got {name!r}")
    return dict(raw)


def _probe(raw: dict, where: _Where) -> Probe:
    from . import probes as generators

    _only(raw, PROBE_KEYS, where, "probes")
    inputs = _require(raw, "inputs", str, where)
    if inputs not in generators.GENERATORS:
        raise where.fail("probes.inputs", f"unknown input generator {inputs!r}",
                         f"known: {', '.join(sorted(generators.GENERATORS))}")
    outputs = raw.get("outputs")
    if not outputs or not all(isinstance(o, str) and NAME.match(o) for o in outputs):
        raise where.fail("probes.outputs", "expected a list of names for the returned values")
    return Probe(function=_require(raw, "function", str, where), inputs=inputs,
                 seed=int(raw.get("seed", 0)), outputs=tuple(outputs),
                 options=dict(raw.get("options", {})))


def _number(value, key: str, interval: tuple, where: _Where) -> float:
    """A finite number in `interval` (bounds included), or a SpecError naming the key."""
    low, high = interval
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value \
            or value in (float("inf"), float("-inf")):
        raise where.fail(key, f"expected a number, got {value!r}",
                         "write it without quotes, e.g. rtol = 1e-6")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (f"between {low:g} and {high:g}" if low is not None and high is not None
                  else f"at least {low:g}" if low is not None else f"at most {high:g}")
        raise where.fail(key, f"expected a number {bounds}, got {value!r}")
    return float(value)


def _seconds(execution: dict, key: str, default: float, where: _Where) -> float:
    value = execution.get(key, default)
    seconds = _number(value, f"execution.{key}", (0, None), where)
    if seconds == 0:
        raise where.fail(f"execution.{key}", f"expected a positive number of seconds, got "
                         f"{value!r}")
    return seconds


def _require(raw: dict, key: str, kind: type, where: _Where):
    value = raw.get(key)
    if not isinstance(value, kind):
        raise where.fail(key, f"expected a {kind.__name__}, got {value!r}")
    return value


def _list(raw: dict, key: str, where: _Where) -> list:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise where.fail(key, f"expected a list of tables ([[{key}]]), got {type(value).__name__}")
    return value


def _only(raw: dict, allowed: set, where: _Where, what: str) -> None:
    for key in raw:
        if key not in allowed:
            raise where.fail(key, f"unknown key in {what}",
                             f"allowed keys: {', '.join(sorted(allowed))}")


def _unique(ids: list[str], key: str, where: _Where) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            raise where.fail(key, f"{i!r} appears twice")
        seen.add(i)
