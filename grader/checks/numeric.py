"""Numeric checks: closeness within tolerances (`close`, and `compare_numeric`, which every check
comparing numbers uses), bounds relative to the reference (`at_least`, `at_most`), and checks of
form (`shape`, `dtype_kind`, `in_range`, `monotonic`).

Tolerance: elementwise ``|got - expected| <= atol + rtol * |expected|``; an unset rtol or atol
takes its default from the dtypes (`default_tolerances`).
"""

from __future__ import annotations

import math

import numpy as np

from .outcome import Comparison, Outcome, Reject, num
from .registry import register
from .toolkit import CHECK_HINT, any_array, numeric, plural, reference, say, scalar

_KIND_WORDS = {"b": "boolean", "i": "signed integer", "u": "unsigned integer",
               "f": "floating-point", "c": "complex", "U": "string", "S": "bytes", "O": "object"}


def default_tolerances(g: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """(rtol, atol) by dtype: both integer/bool -> exact; any float32/float16 -> (1e-4, 1e-6),
    because single precision only carries ~7 digits; otherwise (1e-6, 1e-9)."""
    kinds = {g.dtype.kind, e.dtype.kind}
    if kinds <= set("biu"):
        return 0.0, 0.0
    if any(a.dtype.kind == "f" and a.dtype.itemsize <= 4 for a in (g, e)):
        return 1e-4, 1e-6
    return 1e-6, 1e-9


def tolerances(g, e, rtol, atol) -> tuple[float, float]:
    """Given tolerances win; an unset one takes the dtype default (so rtol alone still keeps a
    small atol, which is what makes an expected 0.0 comparable)."""
    default_rtol, default_atol = default_tolerances(g, e)
    return (default_rtol if rtol is None else float(rtol),
            default_atol if atol is None else float(atol))


def _squeeze_scalars(g: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leniency: when one side is a scalar, a single-element array (shape (1,), (1, 1), ...) on the
    other side is treated as that scalar; students often return `arr[0:1]` or `[[x]]`."""
    if e.ndim == 0 and g.size == 1:
        return g.reshape(()), e
    if g.ndim == 0 and e.size == 1:
        return g, e.reshape(())
    return g, e


def _isnan(a: np.ndarray) -> np.ndarray:
    return np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, dtype=bool)


def not_close(g, e, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """Mask of elements failing |g - e| <= atol + rtol * |e|; inf equals inf of the same sign;
    NaN matches NaN only when equal_nan."""
    if g.dtype.kind in "biu" and e.dtype.kind in "biu" and rtol == 0 and atol == 0:
        return np.asarray(g != e)  # exact, without rounding large integers through float64
    gf, ef = g.astype(np.float64), e.astype(np.float64)
    finite = np.isfinite(gf) & np.isfinite(ef)
    close = np.where(finite, np.abs(gf - ef) <= atol + rtol * np.abs(ef), gf == ef)
    if equal_nan:
        close |= np.isnan(gf) & np.isnan(ef)
    return ~close


def _mismatch_text(g, e, bad, equal_nan: bool) -> str:
    """What differs, as counts and NaN placement only (no expected values)."""
    nan_g, nan_e = _isnan(g), _isnan(e)
    parts = []
    if count := int((nan_g & ~nan_e).sum()):
        parts.append(f"your answer contains {plural(count, 'NaN value')} where a number was "
                     "expected")
    if count := int((nan_e & ~nan_g).sum()):
        parts.append(f"your answer has {plural(count, 'number')} where NaN was expected")
    if not equal_nan and (count := int((nan_g & nan_e).sum())):
        parts.append(f"{plural(count, 'value')} are NaN, which this check does not accept")
    if count := int((bad & ~nan_g & ~nan_e).sum()):
        parts.append("your value differs from the expected value by more than the tolerance"
                     if g.ndim == 0 else
                     f"{count} of {g.size} values differ from the expected values by more than "
                     "the tolerance")
    hint = ("NaN usually comes from dividing by zero or from missing values. "
            if (nan_g ^ nan_e).any() else "")
    return "; ".join(parts) + ". " + hint + CHECK_HINT


def _mismatch(g, e, bad, rtol: float, atol: float) -> Comparison:
    """The numbers of a failed comparison: for a scalar, both values and their difference; for an
    array, how many values differ, the largest difference and where, the first mismatches."""
    gf, ef = g.astype(np.float64), e.astype(np.float64)
    if g.ndim == 0:
        return Comparison(got=gf, expected=ef, difference=abs(gf - ef), atol=atol, rtol=rtol)
    diff = np.where(bad & np.isfinite(gf) & np.isfinite(ef), np.abs(gf - ef), -1.0)
    worst = {}
    if diff.max() >= 0:
        at = np.unravel_index(int(diff.argmax()), g.shape)
        worst = {"got": gf[at], "expected": ef[at], "difference": diff[at], "index": at}
    return Comparison(atol=atol, rtol=rtol, mismatches=int(bad.sum()), size=g.size,
                      first_mismatches=np.argwhere(bad)[:3].tolist(), **worst)


def compare_numeric(got, expected, *, rtol=None, atol=None, equal_nan=True,
                    name: str | None = None, context: str = "") -> Outcome:
    """Elementwise |got - expected| <= atol + rtol * |expected| after shape checks; `context` is a
    lower-case phrase put in front of the result (e.g. "after matching rows, "). The Outcome's
    comparison has the tolerances and, when it fails, the numbers of the worst mismatch."""
    g = numeric(got, name)
    e = reference(numeric, expected)
    g, e = _squeeze_scalars(g, e)
    if g.shape != e.shape:
        raise Reject(say(name, f"expected shape {e.shape}, got shape {g.shape}."),
                     f"expected shape {e.shape}, got shape {g.shape}")
    rtol, atol = tolerances(g, e, rtol, atol)
    bad = not_close(g, e, rtol, atol, equal_nan)
    if not bad.any():
        return Outcome(True, say(name, f"{context}values match within tolerance."),
                       comparison=Comparison(atol=atol, rtol=rtol))
    return Outcome(False, say(name, context + _mismatch_text(g, e, bad, equal_nan)),
                   comparison=_mismatch(g, e, bad, rtol, atol))


@register("close")
def close(got, expected, *, rtol=None, atol=None, equal_nan=True) -> Outcome:
    """Numbers or arrays equal within |got - expected| <= atol + rtol * |expected| elementwise.

    Unset tolerances come from the dtypes: both integer/bool -> exact; either side float32/float16
    -> rtol=1e-4, atol=1e-6; other floats -> rtol=1e-6, atol=1e-9. inf equals inf of the same sign;
    with equal_nan, NaN in the same positions is fine. A scalar on one side accepts a one-element
    array on the other (shape (1,) vs () is not an error).
    """
    return compare_numeric(got, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)


# ---------------------------------------------------------------------------------------------
# Bounds relative to the reference, and structural checks
# ---------------------------------------------------------------------------------------------


# What a value too good to be true usually means, when the spec does not say (`likely_cause`).
TOO_HIGH_CAUSE = ("a model scored on the data it was trained on scores too well: was it scored "
                  "on the training data, or fitted on the test (or validation) data?")
TOO_LOW_CAUSE = ("a cost measured on less data than asked is too low: was it computed on a part "
                 "of the data (a batch, a subset) only?")


def _suspicion(value: float, wanted: float, gap, likely_cause, above: bool) -> Outcome | None:
    """A failed Outcome when `value` lies beyond `wanted` by more than `gap`, on the side no
    correct answer reaches (`above` the reference for a quality, below it for a cost)."""
    if gap is None:
        return None
    option = "suspicious_above" if above else "suspicious_below"
    if isinstance(gap, bool) or not isinstance(gap, (int, float)) or not 0 <= gap < math.inf:
        raise Reject(f"This check is misconfigured: `{option}` must be a number >= 0. Please tell "
                     "your instructor.")
    limit = wanted + gap if above else wanted - gap
    if (value <= limit) if above else (value >= limit):
        return None
    if likely_cause is not None and not isinstance(likely_cause, str):
        raise Reject("This check is misconfigured: `likely_cause` must be a sentence. Please "
                     "tell your instructor.")
    side = "higher" if above else "lower"
    cause = likely_cause or (TOO_HIGH_CAUSE if above else TOO_LOW_CAUSE)
    return Outcome(False, f"Your value {num(value)} is {side} than a correct answer can be: it "
                          f"should be at most {gap:g} {'above' if above else 'below'} the "
                          f"reference solution's value. {cause[:1].upper()}{cause[1:]}",
                   f"need got {'<=' if above else '>='} expected {'+' if above else '-'} {option} "
                   f"with {option}={gap:g}; got {num(value)}, expected {num(wanted)}, "
                   f"bound {num(limit)}")


@register("at_least")
def at_least(got, expected, *, margin=0.0, rtol=0.0, suspicious_above=None,
             likely_cause=None) -> Outcome:
    """Scalar quality at least the reference's: got >= expected - margin - rtol * |expected|.
    With `suspicious_above`, also at most expected + suspicious_above: a value that much better
    than the reference's is a mistake (an accuracy scored on the training data, a model fitted
    on the test set), said with `likely_cause` (default: TOO_HIGH_CAUSE)."""
    value, wanted = scalar(got), reference(scalar, expected)
    bound = wanted - margin - rtol * abs(wanted)
    detail = (f"need got >= expected - margin - rtol*|expected| with margin={margin:g}, "
              f"rtol={rtol:g}; got {num(value)}, expected {num(wanted)}, bound {num(bound)}")
    if value < bound:
        return Outcome(False, "Your value is lower than the reference solution allows. "
                       + CHECK_HINT, detail)
    if too_good := _suspicion(value, wanted, suspicious_above, likely_cause, above=True):
        return too_good
    return Outcome(True, "Your value is at least what the reference solution requires.", detail)


@register("at_most")
def at_most(got, expected, *, margin=0.0, rtol=0.0, suspicious_below=None,
            likely_cause=None) -> Outcome:
    """Scalar cost at most the reference's: got <= expected + margin + rtol * |expected|
    (e.g. inertia within 0.1% of the reference with rtol=0.001). With `suspicious_below`, also
    at least expected - suspicious_below: a cost that much lower than the reference's is a
    mistake, said with `likely_cause` (default: TOO_LOW_CAUSE)."""
    value, wanted = scalar(got), reference(scalar, expected)
    bound = wanted + margin + rtol * abs(wanted)
    detail = (f"need got <= expected + margin + rtol*|expected| with margin={margin:g}, "
              f"rtol={rtol:g}; got {num(value)}, expected {num(wanted)}, bound {num(bound)}")
    if value > bound:
        return Outcome(False, "Your value is higher than the reference solution allows. "
                       + CHECK_HINT, detail)
    if too_good := _suspicion(value, wanted, suspicious_below, likely_cause, above=False):
        return too_good
    return Outcome(True, "Your value is at most what the reference solution allows.", detail)


def _shape_text(shape) -> str:
    dims = ["any" if d in (-1, None) else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _shape_matches(actual: tuple, wanted) -> bool:
    return len(actual) == len(wanted) and all(w in (-1, None) or a == w
                                              for a, w in zip(actual, wanted))


@register("shape", reference="shape", gate=True)
def shape(got, expected, *, shape=None) -> Outcome:
    """got's array shape equals `shape` (a list; -1 means any size) or, if not given, expected's."""
    actual = any_array(got).shape
    wanted = tuple(shape) if shape is not None else reference(any_array, expected).shape
    if _shape_matches(actual, wanted):
        return Outcome(True, f"Your answer has the expected shape {_shape_text(wanted)}.")
    return Outcome(False, f"Expected shape {_shape_text(wanted)}, got shape {_shape_text(actual)}.",
                   f"expected {wanted}, got {actual}")


@register("dtype_kind", reference=None, gate=True)
def dtype_kind(got, expected, *, kind) -> Outcome:
    """got's numpy dtype kind (np.asarray(got).dtype.kind) is one of the letters in `kind`, e.g.
    "iu" for integers or "f" for floats."""
    if not isinstance(kind, str) or not kind:
        raise Reject("This check is misconfigured: `kind` must be a string of numpy dtype kinds.")
    dtype = any_array(got).dtype
    wanted = " or ".join(_KIND_WORDS.get(k, repr(k)) for k in kind)
    if dtype.kind in kind:
        return Outcome(True, f"Your answer has {wanted} values.")
    return Outcome(False, f"Expected {wanted} values (numpy dtype kind {kind!r}), got dtype "
                          f"{dtype} (kind {dtype.kind!r}). Convert with .astype(...) if needed.")


@register("in_range", reference=None, gate=True)
def in_range(got, expected, *, low=None, high=None) -> Outcome:
    """All values within [low, high] (a bound of None is open); NaN is never in range."""
    values = numeric(got).astype(np.float64)
    nan = np.isnan(values)
    outside = ~nan & (((values < low) if low is not None else False)
                      | ((values > high) if high is not None else False))
    interval = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
    detail = f"range {interval}; got min {num(np.nanmin(values))}, max {num(np.nanmax(values))}" \
        if values.size and not nan.all() else f"range {interval}"
    if not nan.any() and not np.any(outside):
        return Outcome(True, f"All values lie in {interval}.", detail)
    parts = [f"{int(np.sum(outside))} of {values.size} values are outside the allowed range "
             f"{interval}"]
    if nan.any():
        parts.append(f"{plural(int(nan.sum()), 'value')} are NaN")
    return Outcome(False, say(None, "; ".join(parts)) + ".", detail)


@register("monotonic", reference=None, gate=True)
def monotonic(got, expected, *, direction="decreasing", strict=False) -> Outcome:
    """A 1-D sequence is increasing or decreasing (strictly if `strict`); NaN fails."""
    if direction not in ("increasing", "decreasing"):
        raise Reject("This check is misconfigured: direction must be 'increasing' or "
                     "'decreasing'.")
    values = numeric(got, what="a 1-D sequence of numbers")
    if values.ndim != 1:
        raise Reject(f"Expected a 1-D sequence of numbers, got shape {values.shape}.")
    values = values.astype(np.float64)
    if np.isnan(values).any():
        raise Reject(f"Expected a {direction} sequence, but it contains NaN.")
    before, after = ((values[:-1], values[1:]) if direction == "increasing"
                     else (values[1:], values[:-1]))
    # Comparisons, not differences: inf-safe.
    bad = (after <= before) if strict else (after < before)
    adjective = f"strictly {direction}" if strict else direction
    if not bad.any():
        return Outcome(True, f"The sequence is {adjective}.")
    first = int(np.flatnonzero(bad)[0])
    return Outcome(False, f"Expected a {adjective} sequence, but {int(bad.sum())} of {len(bad)} "
                          f"steps break it (first between positions {first} and {first + 1}).",
                   f"values at {first}, {first + 1}: {num(values[first])}, "
                   f"{num(values[first + 1])}")


