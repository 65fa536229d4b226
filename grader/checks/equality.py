"""Exact equality of plain data (`equal`, `one_of`) and `difference`, the first difference
between two values, which the estimator check uses for parameters too."""

from __future__ import annotations

import math

import numpy as np

from .numeric import not_close
from .outcome import Outcome, Reject, clip
from .registry import register
from .toolkit import describe, plural, say, short

EXACT = (0.0, 0.0)              # (rtol, atol) for `equal`

_KIND_NAMES = {"none": "None", "bool": "a bool (True/False)", "number": "a number",
               "str": "a string", "sequence": "a list", "dict": "a dict", "array": "an array",
               "other": "a plain value"}


def _value_kind(value) -> str:
    # bool first: it is an int subclass, but True is not an acceptable answer for 1.
    if value is None:
        return "none"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(value, (str, np.str_)):
        return "str"
    if isinstance(value, (list, tuple)):
        return "sequence"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, np.ndarray):
        return "array"
    return "other"


def _numbers_equal(a, b, tolerance: tuple[float, float]) -> bool:
    """Python numbers: exact (5 == 5.0) when tolerance is zero, else math.isclose; NaN equals
    NaN."""
    a_nan = isinstance(a, (float, np.floating)) and math.isnan(a)
    b_nan = isinstance(b, (float, np.floating)) and math.isnan(b)
    if a_nan or b_nan:
        return a_nan and b_nan
    if tolerance == EXACT:
        return bool(a == b)
    rtol, atol = tolerance
    return math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=atol)


def difference(got, expected, tolerance=EXACT, path: str = "") -> tuple[str, str] | None:
    """First difference as (message, detail), or None when equal. Lists and tuples are the same
    thing (JSON has no tuples); bool and int are different types. Messages name only types,
    lengths, key counts and the location (`path`), never expected values."""
    if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray):
        return _array_difference(got, expected, tolerance, path)
    where = f"at {path}: " if path else ""
    kind_g, kind_e = _value_kind(got), _value_kind(expected)
    if kind_g != kind_e:
        return (f"{where}expected {_KIND_NAMES[kind_e]}, got {describe(got)}.",
                f"{where}got {short(got)}, expected {short(expected)}")
    if kind_e == "sequence":
        return _sequence_difference(got, expected, tolerance, path)
    if kind_e == "dict":
        return _dict_difference(got, expected, tolerance, path)
    same = (_numbers_equal(got, expected, tolerance) if kind_e == "number"
            else _plain_equal(got, expected))
    if same:
        return None
    noun = "string" if kind_e == "str" else "value"
    subject = f"the {noun} at {path} " if path else f"your {noun} "
    return (f"{subject}differs from the expected {noun}.",
            f"{where}got {short(got)}, expected {short(expected)}")


def _plain_equal(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


def _sequence_difference(got, expected, tolerance, path) -> tuple[str, str] | None:
    if len(got) != len(expected):
        where = f"at {path}: " if path else ""
        return (f"{where}expected a list of length {len(expected)}, got length {len(got)}.",
                f"{where}got {short(got)}, expected {short(expected)}")
    for index, (g, e) in enumerate(zip(got, expected)):
        if found := difference(g, e, tolerance, f"{path}[{index}]"):
            return found
    return None


def _dict_difference(got, expected, tolerance, path) -> tuple[str, str] | None:
    # Extra keys are the student's own and can be named; missing ones are only counted.
    extra = [key for key in got if key not in expected]
    missing = [key for key in expected if key not in got]
    if extra or missing:
        where = f"at {path}: " if path else ""
        parts = [f"your dict is missing {plural(len(missing), 'expected key')}"] if missing else []
        parts += [f"it has unexpected keys {short(extra)}"] if extra else []
        return (where + "; ".join(parts) + ".", f"{where}missing keys {short(missing)}")
    for key in expected:
        if found := difference(got[key], expected[key], tolerance, f"{path}[{key!r}]"):
            return found
    return None


def _array_group(kind: str) -> str:
    return {"b": "booleans", "i": "numbers", "u": "numbers", "f": "numbers",
            "U": "strings", "S": "strings"}.get(kind, "other values")


def _array_difference(got, expected, tolerance, path) -> tuple[str, str] | None:
    """Arrays (or an array against a list/number): same kind of values, same shape, equal values."""
    where = f"at {path}: " if path else ""
    try:
        g, e = np.asarray(got), np.asarray(expected)
    except (ValueError, TypeError, OverflowError):
        return f"{where}expected an array, got {describe(got)} (a ragged list?).", ""
    if "O" in (g.dtype.kind, e.dtype.kind):
        # Object arrays hold nested plain data; compare them as lists.
        plain = [v.tolist() if isinstance(v, np.ndarray) else v for v in (got, expected)]
        return difference(plain[0], plain[1], tolerance, path)
    if _array_group(g.dtype.kind) != _array_group(e.dtype.kind):
        return (f"{where}expected an array of {_array_group(e.dtype.kind)}, got {describe(got)}.",
                f"{where}got dtype {g.dtype}, expected dtype {e.dtype}")
    if g.shape != e.shape:
        return (f"{where}expected shape {e.shape}, got shape {g.shape}.",
                f"{where}expected shape {e.shape}, got shape {g.shape}")
    if _array_group(e.dtype.kind) == "numbers":
        bad = not_close(g, e, *tolerance, equal_nan=True)
    else:
        bad = np.asarray(g != e)
    if not bad.any():
        return None
    if g.ndim == 0:
        subject = f"the value at {path} " if path else "your value "
        return (f"{subject}differs from the expected value.",
                f"{where}got {short(g)}, expected {short(e)}")
    first = [tuple(int(i) for i in index) for index in np.argwhere(bad)[:3]]
    at = tuple(np.array(first).T)
    return (f"{where}{int(bad.sum())} of {g.size} elements differ from the expected values.",
            f"{where}first differing elements at {first}: got {short(g[at])}, "
            f"expected {short(e[at])}")


@register("equal")
def equal(got, expected) -> Outcome:
    """Exact equality of plain data: lists and tuples compare elementwise (and equal each other),
    dicts by keys and values, arrays by shape and values (np.array_equal; NaN equals NaN),
    5 == 5.0, but a bool is never equal to a number (True is not an answer for 1)."""
    found = difference(got, expected, EXACT)
    if found is None:
        return Outcome(True, "Your answer equals the expected value.")
    message, detail = found
    return Outcome(False, say(None, message), clip(detail))


@register("one_of", reference=None)
def one_of(got, expected, *, accepted) -> Outcome:
    """Passes if got equals (as in `equal`) any item of `accepted`; `expected` is ignored."""
    if not isinstance(accepted, (list, tuple)) or not accepted:
        raise Reject("This check is misconfigured: `accepted` must be a non-empty list. "
                     "Please tell your instructor.")
    if any(difference(got, candidate, EXACT) is None for candidate in accepted):
        return Outcome(True, "Your answer is one of the accepted answers.")
    return Outcome(False, f"Your answer ({describe(got)}) is not one of the "
                          f"{len(accepted)} accepted answers.",
                   clip(f"got {short(got)}; accepted {short(list(accepted), 300)}"))

