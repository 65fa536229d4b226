"""The registry: checks by name (CHECKS) and consistency rules by name (RULES), the decorators
that fill them, and the wrapper that makes every registered function never raise on odd input."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import numpy as np

from .outcome import Outcome, Reject, clip

CHECKS: dict[str, Callable[..., Outcome]] = {}
RULES: dict[str, Callable[..., Outcome]] = {}
# What each check reads of the reference answer: "values" (it compares with them), "shape"
# (only its shape), or None (nothing: properties of the student's answer alone). A student
# bundle releases reference values only for checks that compare with them.
REFERENCE_USE: dict[str, str | None] = {}
# Checks of an answer's form (its shape, range, order, relation to other answers, a figure
# drawn): any answer that looks right meets them, so by default they earn no points of their
# own; they guard the scored checks of the same answers (grader.core.spec, "points").
GATES: set[str] = set()


def guarded(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """fn made never to raise: a Reject or any unexpected error becomes a failed Outcome."""

    @functools.wraps(fn)
    def run(*args, **kwargs) -> Outcome:
        try:
            # NaN/inf arithmetic on student data is expected; warnings would only be noise.
            with np.errstate(all="ignore"):
                return fn(*args, **kwargs)
        except Reject as reject:
            return Outcome(False, reject.message, clip(reject.detail))
        except Exception as exc:
            return Outcome(False, "Your answer could not be checked because it has an unexpected "
                           "form; make sure it is a number, array, list or estimator of the kind "
                           "the question asks for.", clip(f"{type(exc).__name__}: {exc}"))

    return run


def register(name: str, reference: str | None = "values", gate: bool = False):
    """Decorator adding a check to CHECKS under `name`; the registered function never raises on
    odd answers, but a bad option (unknown name, missing required option) raises TypeError.
    `reference` says what it reads of the expected answer (see REFERENCE_USE); `gate` that it
    checks an answer's form (see GATES)."""

    def decorate(fn):
        if name in CHECKS:
            raise ValueError(f"check {name!r} is already registered")
        REFERENCE_USE[name] = reference
        if gate:
            GATES.add(name)
        signature = inspect.signature(fn)
        safe = guarded(fn)

        @functools.wraps(fn)
        def check(got, expected, **options) -> Outcome:
            signature.bind(got, expected, **options)  # spec errors must be loud, not a failed check
            return safe(got, expected, **options)

        CHECKS[name] = check
        return check

    return decorate


def get_check(name: str) -> Callable[..., Outcome]:
    """The registered check `name`; KeyError listing the known checks if there is none."""
    try:
        return CHECKS[name]
    except KeyError:
        raise KeyError(f"unknown check {name!r}; known checks: "
                       f"{', '.join(sorted(CHECKS))}") from None


def _keyword_only(name: str) -> list[inspect.Parameter]:
    parameters = inspect.signature(get_check(name)).parameters.values()
    return [p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def check_options(name: str) -> set[str]:
    """Names of the keyword-only options check `name` accepts."""
    return {p.name for p in _keyword_only(name)}


def required_options(name: str) -> set[str]:
    """Options check `name` cannot do without (no default), e.g. `kind` for dtype_kind."""
    return {p.name for p in _keyword_only(name) if p.default is inspect.Parameter.empty}


def rule(name: str):
    """Decorator adding a consistency rule ``fn(inputs, rtol, atol) -> Outcome`` to RULES."""

    def decorate(fn):
        if name in RULES:  # topic modules register into one namespace: a clash must be loud
            raise ValueError(f"rule {name!r} is already registered")
        RULES[name] = guarded(fn)
        return RULES[name]

    return decorate

