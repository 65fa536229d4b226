"""Checks: compare a student's extracted answer (`got`) with the reference answer (`expected`).

Both sides are plain data: None, bool, int, float, str, lists/dicts of those, numpy arrays, or an
estimator description ``{"__type__": "estimator", "class": ..., "params": {...}, "fitted": bool}``.
`got` comes from untrusted code, so it is only ever converted with numpy, never called.

Every check is ``fn(got, expected, *, <options>) -> Outcome`` and is registered in CHECKS.
Two promises hold for every check:

* it never raises on odd input (wrong type, ragged lists, NaN, empty arrays, wrong shapes): it
  returns a failed Outcome saying what was expected and what was got;
* ``Outcome.message`` never contains values taken from `expected` (it is shown for hidden checks
  too); only structure (shapes, counts, types) appears there. Numbers go in ``Outcome.detail``.

Options are keyword-only. A misspelt or missing option is a spec error, so it raises TypeError
(spec validation normally catches it earlier through `check_options`).
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DETAIL_LIMIT = 400
EXACT = (0.0, 0.0)              # (rtol, atol) for `equal`
PARAM_TOLERANCE = (1e-9, 1e-12)  # (rtol, atol) for numeric estimator parameters
LOW_PRECISION_RTOL = 1e-4        # floor on consistency-rule rtol when an input is float32/float16

CHECK_HINT = "Check the computation and its inputs (preprocessing, random_state, dtype)."


@dataclass(frozen=True)
class Outcome:
    passed: bool
    message: str      # safe for students even on hidden checks: no reference values
    detail: str = ""  # expected vs got with numbers and tolerances; shown only for public checks


class _Reject(Exception):
    """Raised by input helpers deep inside a check; the registry wrapper turns it into a failed Outcome."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


# ---------------------------------------------------------------------------------------------
# Registries
# ---------------------------------------------------------------------------------------------

CHECKS: dict[str, Callable[..., Outcome]] = {}
RULES: dict[str, Callable[..., Outcome]] = {}


def _guarded(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """Run fn so that rejections and unexpected errors become failed Outcomes instead of crashes."""

    @functools.wraps(fn)
    def run(*args, **kwargs) -> Outcome:
        try:
            # NaN/inf arithmetic on student data is expected; warnings would only be noise.
            with np.errstate(all="ignore"):
                return fn(*args, **kwargs)
        except _Reject as reject:
            return Outcome(False, reject.message, _clip(reject.detail))
        except Exception as exc:
            return Outcome(False, "Your answer could not be checked because it has an unexpected "
                           "form; make sure it is a number, array, list or estimator of the kind "
                           "the question asks for.", _clip(f"{type(exc).__name__}: {exc}"))

    return run


def register(name: str):
    """Decorator adding a check to CHECKS under `name`; the registered function never raises on
    odd answers, but a bad option (unknown name, missing required option) raises TypeError."""

    def decorate(fn):
        if name in CHECKS:
            raise ValueError(f"check {name!r} is already registered")
        signature = inspect.signature(fn)
        guarded = _guarded(fn)

        @functools.wraps(fn)
        def check(got, expected, **options) -> Outcome:
            signature.bind(got, expected, **options)  # spec errors must be loud, not a failed check
            return guarded(got, expected, **options)

        CHECKS[name] = check
        return check

    return decorate


def get_check(name: str) -> Callable[..., Outcome]:
    try:
        return CHECKS[name]
    except KeyError:
        raise KeyError(f"unknown check {name!r}; known checks: {', '.join(sorted(CHECKS))}") from None


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
        RULES[name] = _guarded(fn)
        return RULES[name]

    return decorate


# ---------------------------------------------------------------------------------------------
# Describing and converting values (messages describe got's type/shape, never expected's values)
# ---------------------------------------------------------------------------------------------

_CONTENT_WORDS = {"U": "strings", "S": "bytes", "c": "complex numbers", "M": "dates",
                  "m": "time differences",
                  "O": "non-numeric items (such as None, dicts or nested lists)"}
_KIND_WORDS = {"b": "boolean", "i": "signed integer", "u": "unsigned integer",
               "f": "floating-point", "c": "complex", "U": "string", "S": "bytes", "O": "object"}


def _describe(value) -> str:
    """Type and size of a value for messages (not its contents)."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return "a bool"
    if isinstance(value, (int, np.integer)):
        return "an int"
    if isinstance(value, (float, np.floating)):
        return "a float"
    if isinstance(value, (str, np.str_)):
        return "a string"
    if isinstance(value, np.ndarray):
        return f"an array with dtype {value.dtype} and shape {value.shape}"
    if isinstance(value, dict):
        if value.get("__type__") == "estimator":
            return f"a scikit-learn estimator ({value.get('class')})"
        return f"a dict with {len(value)} keys"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def _say(name: str | None, text: str) -> str:
    """Prefix a message with the answer it is about, or capitalise it for the main answer."""
    return f"`{name}`: {text}" if name else text[:1].upper() + text[1:]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _clip(text: str, limit: int = DETAIL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _num(value) -> str:
    return f"{float(value):.7g}"


def _short(value, limit: int = 60) -> str:
    """Compact repr for details (arrays summarised by numpy)."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=6, edgeitems=2)
    else:
        text = repr(value)
    return _clip(text.replace("\n", " "), limit)


def _numeric(value, name: str | None = None, what: str = "a number or an array of numbers") -> np.ndarray:
    """Real-valued numpy array (bool, int or float dtype) from plain data, or _Reject saying why not."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise _Reject(_say(name, f"expected {what}, got {_describe(value)}."))
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise _Reject(_say(name, f"expected {what}, got {_describe(value)} whose rows have "
                                 "different lengths (a ragged list).")) from None
    if array.dtype.kind not in "biuf":
        contents = _CONTENT_WORDS.get(array.dtype.kind, "non-numeric items")
        raise _Reject(_say(name, f"expected {what}, got {_describe(value)} containing {contents}."))
    return array


def _reference(convert: Callable, expected, *args):
    """Convert the reference answer; if that fails the check itself is misconfigured."""
    try:
        return convert(expected, *args)
    except _Reject as reject:
        raise _Reject("This check is misconfigured: the reference answer does not have the form "
                      f"this check needs (it is {_describe(expected)}). Please tell your instructor.",
                      reject.message) from None


def _any_array(value, name: str | None = None) -> np.ndarray:
    """numpy array of numbers, bools or strings (a single number counts; None, dicts, a plain
    string and ragged lists do not)."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise _Reject(_say(name, f"expected an array, got {_describe(value)}."))
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise _Reject(_say(name, f"expected an array, got {_describe(value)} whose rows have "
                                 "different lengths (a ragged list).")) from None
    if array.dtype.kind == "O":
        raise _Reject(_say(name, f"expected an array, got {_describe(value)} containing "
                                 f"{_CONTENT_WORDS['O']}."))
    return array


def _scalar(value, name: str | None = None) -> float:
    """A single finite real number (bools are not numbers here), or _Reject."""
    if isinstance(value, (bool, np.bool_)):
        raise _Reject(_say(name, "expected a number, got a bool."))
    array = _numeric(value, name, what="a single number")
    if array.size != 1 or array.dtype.kind == "b":
        raise _Reject(_say(name, f"expected a single number, got {_describe(value)}."))
    number = float(array.reshape(()))
    if not math.isfinite(number):
        raise _Reject(_say(name, f"expected a finite number, got {number}. NaN or inf usually "
                                 "comes from dividing by zero or from missing values."))
    return number


def _invalid_indices(labels: np.ndarray, count: int, what: str) -> Outcome | None:
    """A failed Outcome when some labels cannot index `count` things (centroids, columns)."""
    invalid = (labels < 0) | (labels >= count)
    if not invalid.any():
        return None
    return Outcome(False, f"{int(invalid.sum())} of {len(labels)} `labels` are not {what} "
                          f"(0..{count - 1}).")


def _labels(value, name: str | None = None) -> np.ndarray:
    """1-D int64 label vector; whole-valued floats are accepted (labels stored as floats)."""
    array = _numeric(value, name, what="a 1-D array of cluster labels")
    if array.ndim != 1:
        raise _Reject(_say(name, f"expected a 1-D array of cluster labels, got shape {array.shape}"
                                 "; if it is a column, flatten it with .ravel()."))
    if array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array))):
        raise _Reject(_say(name, "expected whole-number cluster labels, got fractional, NaN or "
                                 "infinite values."))
    return array.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Numeric closeness (shared by close, matched_rows, sign_free, companions and rules)
# ---------------------------------------------------------------------------------------------


def _default_tolerances(g: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """(rtol, atol) by dtype: both integer/bool -> exact; any float32/float16 -> (1e-4, 1e-6),
    because single precision only carries ~7 digits; otherwise (1e-6, 1e-9)."""
    kinds = {g.dtype.kind, e.dtype.kind}
    if kinds <= set("biu"):
        return 0.0, 0.0
    if any(a.dtype.kind == "f" and a.dtype.itemsize <= 4 for a in (g, e)):
        return 1e-4, 1e-6
    return 1e-6, 1e-9


def _tolerances(g, e, rtol, atol) -> tuple[float, float]:
    """Given tolerances win; an unset one takes the dtype default (so rtol alone still keeps a
    small atol, which is what makes an expected 0.0 comparable)."""
    default_rtol, default_atol = _default_tolerances(g, e)
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


def _not_close(g, e, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
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
        parts.append(f"your answer contains {_plural(count, 'NaN value')} where a number was expected")
    if count := int((nan_e & ~nan_g).sum()):
        parts.append(f"your answer has {_plural(count, 'number')} where NaN was expected")
    if not equal_nan and (count := int((nan_g & nan_e).sum())):
        parts.append(f"{_plural(count, 'value')} are NaN, which this check does not accept")
    if count := int((bad & ~nan_g & ~nan_e).sum()):
        parts.append("your value differs from the expected value by more than the tolerance"
                     if g.ndim == 0 else
                     f"{count} of {g.size} values differ from the expected values by more than the tolerance")
    hint = ("NaN usually comes from dividing by zero or from missing values. "
            if (nan_g ^ nan_e).any() else "")
    return "; ".join(parts) + ". " + hint + CHECK_HINT


def _mismatch_detail(g, e, bad) -> str:
    """Numbers for public details: largest difference and where, first mismatching indices."""
    gf, ef = g.astype(np.float64), e.astype(np.float64)
    if g.ndim == 0:
        return f"got {_num(gf)}, expected {_num(ef)}, difference {_num(abs(gf - ef))}"
    text = f"{int(bad.sum())} of {g.size} values differ"
    diff = np.where(bad & np.isfinite(gf) & np.isfinite(ef), np.abs(gf - ef), -1.0)
    if diff.max() >= 0:
        at = np.unravel_index(int(diff.argmax()), g.shape)
        text += (f"; largest difference {_num(diff[at])} at index {tuple(int(i) for i in at)}: "
                 f"got {_num(gf[at])}, expected {_num(ef[at])}")
    first = [tuple(int(i) for i in index) for index in np.argwhere(bad)[:3]]
    return text + f"; first mismatches at {first}"


def _compare_numeric(got, expected, *, rtol=None, atol=None, equal_nan=True,
                     name: str | None = None, context: str = "") -> Outcome:
    """Elementwise |got - expected| <= atol + rtol * |expected| after shape checks; `context` is a
    lower-case phrase put in front of the result (e.g. "after matching rows, ")."""
    g = _numeric(got, name)
    e = _reference(_numeric, expected)
    g, e = _squeeze_scalars(g, e)
    if g.shape != e.shape:
        raise _Reject(_say(name, f"expected shape {e.shape}, got shape {g.shape}."),
                      f"expected shape {e.shape}, got shape {g.shape}")
    rtol, atol = _tolerances(g, e, rtol, atol)
    rule_text = f"|got - expected| <= atol + rtol * |expected| with atol={atol:g}, rtol={rtol:g}"
    bad = _not_close(g, e, rtol, atol, equal_nan)
    if not bad.any():
        return Outcome(True, _say(name, f"{context}values match within tolerance."), rule_text)
    return Outcome(False, _say(name, context + _mismatch_text(g, e, bad, equal_nan)),
                   _clip(f"{rule_text}; {_mismatch_detail(g, e, bad)}"))


@register("close")
def close(got, expected, *, rtol=None, atol=None, equal_nan=True) -> Outcome:
    """Numbers or arrays equal within |got - expected| <= atol + rtol * |expected| elementwise.

    Unset tolerances come from the dtypes: both integer/bool -> exact; either side float32/float16
    -> rtol=1e-4, atol=1e-6; other floats -> rtol=1e-6, atol=1e-9. inf equals inf of the same sign;
    with equal_nan, NaN in the same positions is fine. A scalar on one side accepts a one-element
    array on the other (shape (1,) vs () is not an error).
    """
    return _compare_numeric(got, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)


# ---------------------------------------------------------------------------------------------
# Exact equality of plain data
# ---------------------------------------------------------------------------------------------

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
    """Python numbers: exact (5 == 5.0) when tolerance is zero, else math.isclose; NaN equals NaN."""
    a_nan = isinstance(a, (float, np.floating)) and math.isnan(a)
    b_nan = isinstance(b, (float, np.floating)) and math.isnan(b)
    if a_nan or b_nan:
        return a_nan and b_nan
    if tolerance == EXACT:
        return bool(a == b)
    rtol, atol = tolerance
    return math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=atol)


def _difference(got, expected, tolerance=EXACT, path: str = "") -> tuple[str, str] | None:
    """First difference as (message, detail), or None when equal. Lists and tuples are the same
    thing (JSON has no tuples); bool and int are different types. Messages name only types,
    lengths, key counts and the location (`path`), never expected values."""
    if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray):
        return _array_difference(got, expected, tolerance, path)
    where = f"at {path}: " if path else ""
    kind_g, kind_e = _value_kind(got), _value_kind(expected)
    if kind_g != kind_e:
        return (f"{where}expected {_KIND_NAMES[kind_e]}, got {_describe(got)}.",
                f"{where}got {_short(got)}, expected {_short(expected)}")
    if kind_e == "sequence":
        return _sequence_difference(got, expected, tolerance, path)
    if kind_e == "dict":
        return _dict_difference(got, expected, tolerance, path)
    same = _numbers_equal(got, expected, tolerance) if kind_e == "number" else _plain_equal(got, expected)
    if same:
        return None
    noun = "string" if kind_e == "str" else "value"
    subject = f"the {noun} at {path} " if path else f"your {noun} "
    return (f"{subject}differs from the expected {noun}.",
            f"{where}got {_short(got)}, expected {_short(expected)}")


def _plain_equal(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


def _sequence_difference(got, expected, tolerance, path) -> tuple[str, str] | None:
    if len(got) != len(expected):
        where = f"at {path}: " if path else ""
        return (f"{where}expected a list of length {len(expected)}, got length {len(got)}.",
                f"{where}got {_short(got)}, expected {_short(expected)}")
    for index, (g, e) in enumerate(zip(got, expected)):
        if found := _difference(g, e, tolerance, f"{path}[{index}]"):
            return found
    return None


def _dict_difference(got, expected, tolerance, path) -> tuple[str, str] | None:
    # Extra keys are the student's own and can be named; missing ones are only counted.
    extra = [key for key in got if key not in expected]
    missing = [key for key in expected if key not in got]
    if extra or missing:
        where = f"at {path}: " if path else ""
        parts = [f"your dict is missing {_plural(len(missing), 'expected key')}"] if missing else []
        parts += [f"it has unexpected keys {_short(extra)}"] if extra else []
        return (where + "; ".join(parts) + ".", f"{where}missing keys {_short(missing)}")
    for key in expected:
        if found := _difference(got[key], expected[key], tolerance, f"{path}[{key!r}]"):
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
        return f"{where}expected an array, got {_describe(got)} (a ragged list?).", ""
    if "O" in (g.dtype.kind, e.dtype.kind):
        # Object arrays hold nested plain data; compare them as lists.
        plain = [v.tolist() if isinstance(v, np.ndarray) else v for v in (got, expected)]
        return _difference(plain[0], plain[1], tolerance, path)
    if _array_group(g.dtype.kind) != _array_group(e.dtype.kind):
        return (f"{where}expected an array of {_array_group(e.dtype.kind)}, got {_describe(got)}.",
                f"{where}got dtype {g.dtype}, expected dtype {e.dtype}")
    if g.shape != e.shape:
        return (f"{where}expected shape {e.shape}, got shape {g.shape}.",
                f"{where}expected shape {e.shape}, got shape {g.shape}")
    if _array_group(e.dtype.kind) == "numbers":
        bad = _not_close(g, e, *tolerance, equal_nan=True)
    else:
        bad = np.asarray(g != e)
    if not bad.any():
        return None
    if g.ndim == 0:
        subject = f"the value at {path} " if path else "your value "
        return f"{subject}differs from the expected value.", f"{where}got {_short(g)}, expected {_short(e)}"
    first = [tuple(int(i) for i in index) for index in np.argwhere(bad)[:3]]
    return (f"{where}{int(bad.sum())} of {g.size} elements differ from the expected values.",
            f"{where}first differing elements at {first}: got {_short(g[tuple(np.array(first).T)])}, "
            f"expected {_short(e[tuple(np.array(first).T)])}")


@register("equal")
def equal(got, expected) -> Outcome:
    """Exact equality of plain data: lists and tuples compare elementwise (and equal each other),
    dicts by keys and values, arrays by shape and values (np.array_equal; NaN equals NaN),
    5 == 5.0, but a bool is never equal to a number (True is not an answer for 1)."""
    found = _difference(got, expected, EXACT)
    if found is None:
        return Outcome(True, "Your answer equals the expected value.")
    message, detail = found
    return Outcome(False, _say(None, message), _clip(detail))


@register("one_of")
def one_of(got, expected, *, accepted) -> Outcome:
    """Passes if got equals (as in `equal`) any item of `accepted`; `expected` is ignored."""
    if not isinstance(accepted, (list, tuple)) or not accepted:
        raise _Reject("This check is misconfigured: `accepted` must be a non-empty list. "
                      "Please tell your instructor.")
    if any(_difference(got, candidate, EXACT) is None for candidate in accepted):
        return Outcome(True, "Your answer is one of the accepted answers.")
    return Outcome(False, f"Your answer ({_describe(got)}) is not one of the "
                          f"{len(accepted)} accepted answers.",
                   _clip(f"got {_short(got)}; accepted {_short(list(accepted), 300)}"))


# ---------------------------------------------------------------------------------------------
# Matching up to relabelling: clusters and rows
# ---------------------------------------------------------------------------------------------


def _clusters(labels: np.ndarray) -> np.ndarray:
    return np.unique(labels[labels != -1])  # -1 is DBSCAN noise, not a cluster


# scipy.optimize and scipy.spatial are imported on first use: together they are a third of a
# second, on the path between `grader grade` starting and its sandboxes starting.
def _hungarian(cost: np.ndarray, maximize: bool = False) -> tuple[np.ndarray, np.ndarray]:
    from scipy.optimize import linear_sum_assignment
    return linear_sum_assignment(cost, maximize=maximize)


def _cdist(a: np.ndarray, b: np.ndarray, metric: str = "euclidean") -> np.ndarray:
    from scipy.spatial.distance import cdist
    return cdist(a, b, metric)


def _match_clusters(g: np.ndarray, e: np.ndarray) -> dict[int, int]:
    """Best one-to-one renaming got-id -> expected-id: Hungarian algorithm maximising agreement on
    the contingency table of points that are non-noise in both labellings."""
    ids_g, ids_e = _clusters(g), _clusters(e)
    both = (g != -1) & (e != -1)
    table = np.zeros((len(ids_g), len(ids_e)), dtype=np.int64)
    np.add.at(table, (np.searchsorted(ids_g, g[both]), np.searchsorted(ids_e, e[both])), 1)
    rows, cols = _hungarian(table, maximize=True)
    return {int(ids_g[r]): int(ids_e[c]) for r, c in zip(rows, cols)}


def _rename(labels: np.ndarray, mapping: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Apply mapping to label values (-1 stays -1); also return which labels the mapping knew."""
    renamed, known = labels.copy(), labels == -1
    for source, target in mapping.items():
        hit = labels == source
        renamed[hit] = target
        known |= hit
    return renamed, known


def _source_order(mapping: dict[int, int], size: int, name: str) -> np.ndarray:
    """Index array `order` with order[target] = source, to reorder an axis indexed by id. Ids not
    in the mapping (e.g. empty clusters) fill the remaining places in increasing order."""
    if any(not 0 <= i < size for i in (*mapping, *mapping.values())):
        raise _Reject(_say(name, f"has {size} entries along the cluster axis, but the cluster ids "
                                 f"used by the labels do not all lie in 0..{size - 1}."))
    order = np.full(size, -1)
    for source, target in mapping.items():
        order[target] = source
    free = order == -1
    order[free] = sorted(set(range(size)) - set(mapping))
    return order


def _companion_labels(name, got_c, expected_c, mapping) -> Outcome:
    """Another label vector in the same labelling (e.g. predict on new points): after renaming,
    it must match exactly; -1 stays -1."""
    g, e = _labels(got_c, name), _reference(_labels, expected_c, name)
    if g.shape != e.shape:
        raise _Reject(_say(name, f"expected {len(e)} labels, got {len(g)}."))
    renamed, known = _rename(g, mapping)
    wrong = ~known | (renamed != e)
    if not wrong.any():
        return Outcome(True, _say(name, "labels match after renaming clusters."))
    unknown = int((~known).sum())
    extra = f" ({unknown} use cluster ids that do not occur in the main labels)" if unknown else ""
    return Outcome(False, _say(name, f"does not match: {int(wrong.sum())} of {len(e)} labels differ "
                                     f"after applying the cluster renaming found for the main answer{extra}. "
                                     "It must use the same labelling as your fitted model."),
                   f"renaming {mapping}; first differing indices {np.flatnonzero(wrong)[:5].tolist()}")


def _companion_axis(name, got_c, expected_c, mapping, axis: int, rtol=None,
                    atol=None) -> Outcome:
    """An array indexed by cluster/row id along `axis`: reorder by the mapping, then `close`
    (with the companion's own rtol/atol when the spec gives them, else dtype defaults)."""
    g, e = _numeric(got_c, name), _reference(_numeric, expected_c)
    if g.ndim <= axis or g.shape != e.shape:
        raise _Reject(_say(name, f"expected shape {e.shape}, got shape {g.shape}."))
    aligned = np.take(g, _source_order(mapping, g.shape[axis], name), axis=axis)
    word = "rows" if axis == 0 else "columns"
    return _compare_numeric(aligned, e, name=name, rtol=rtol, atol=atol,
                            context=f"after reordering its {word} to follow the matching, ")


_COMPANION_KINDS = {"labels": _companion_labels,
                    "rows": functools.partial(_companion_axis, axis=0),
                    "columns": functools.partial(_companion_axis, axis=1)}


def _companion_outcome(companion, mapping) -> Outcome:
    """A companion is (name, got, expected, how) or (name, got, expected, how, tolerances)."""
    if not isinstance(companion, (list, tuple)) or len(companion) not in (4, 5) \
            or companion[3] not in _COMPANION_KINDS:
        raise _Reject("This check is misconfigured: companions must be (name, got, expected, how) "
                      "with how one of labels, rows, columns. Please tell your instructor.")
    name, got_c, expected_c, how = companion[:4]
    tolerances = companion[4] if len(companion) == 5 and how != "labels" else {}
    try:
        return _COMPANION_KINDS[how](name, got_c, expected_c, mapping, **tolerances)
    except _Reject as reject:
        return Outcome(False, reject.message, reject.detail)


def _check_companions(companions, mapping: dict[int, int]) -> Outcome | None:
    """Carry the matching found on the main answer over to each companion; None if all agree,
    else one failed Outcome listing every companion that disagrees."""
    failures = [o for o in (_companion_outcome(c, mapping) for c in companions or ()) if not o.passed]
    if not failures:
        return None
    return Outcome(False, " ".join(f.message for f in failures),
                   _clip("; ".join(f.detail for f in failures if f.detail)))


def _partition_detail(wrong, mapping, max_mismatch, min_ari, ari) -> str:
    n = len(wrong)
    text = f"{int(wrong.sum())} of {n} points differ (allowed fraction {max_mismatch:g})"
    if min_ari is not None:
        text += f"; adjusted Rand index {ari:.6g} (minimum {min_ari:g})"
    return _clip(f"{text}; renaming got->expected {mapping}; "
                 f"first differing indices {np.flatnonzero(wrong)[:5].tolist()}")


def _cluster_count_problem(g, e) -> str | None:
    found, wanted = len(_clusters(g)), len(_clusters(e))
    if found == wanted:
        return None
    noise = " (points labelled -1 are noise and are not counted as a cluster)" if (e == -1).any() or (g == -1).any() else ""
    return (f"Expected {wanted} clusters, found {found}{noise}. Check the number of clusters you "
            "asked for (n_clusters) or, for DBSCAN, eps and min_samples, and that you clustered "
            "the right (scaled) data.")


@register("same_partition")
def same_partition(got, expected, *, min_ari=None, max_mismatch=0.0, companions=()) -> Outcome:
    """Two label vectors equal up to renaming the clusters.

    The renaming is the one-to-one map maximising agreement (Hungarian algorithm); noise (-1) is
    never renamed, so a point that is noise on one side only is a mismatch. Passes if the
    fraction of mismatching points <= max_mismatch or, when min_ari is given, if the adjusted
    Rand index >= min_ari. Different numbers of clusters always fail. Companions are
    (name, got, expected, how) with how "labels", "rows" or "columns" (indexed by cluster id).
    """
    g, e = _labels(got), _reference(_labels, expected)
    if g.shape != e.shape:
        raise _Reject(f"Expected {len(e)} labels (one per point), got {len(g)}.")
    if problem := _cluster_count_problem(g, e):
        return Outcome(False, problem, f"cluster ids found: {_short(_clusters(g))}")
    mapping = _match_clusters(g, e)
    wrong = _rename(g, mapping)[0] != e
    fraction = wrong.mean() if len(e) else 0.0
    ari = None
    if min_ari is not None:
        from sklearn.metrics import adjusted_rand_score  # only needed for this option
        ari = float(adjusted_rand_score(e, g)) if len(e) else 1.0
    detail = _partition_detail(wrong, mapping, max_mismatch, min_ari, ari)
    if fraction > max_mismatch and (ari is None or ari < min_ari):
        return Outcome(False, _partition_failure(g, e, wrong, min_ari), detail)
    if failure := _check_companions(companions, mapping):
        return failure
    within = f" ({int(wrong.sum())} of {len(e)} points differ, which is allowed)" if wrong.any() else ""
    return Outcome(True, f"Your clustering matches the expected one up to renaming of clusters{within}.",
                   detail)


def _partition_failure(g, e, wrong, min_ari) -> str:
    noise = int(((g == -1) != (e == -1)).sum())
    text = (f"{int(wrong.sum())} of {len(e)} points are in a different cluster than expected "
            "even after renaming clusters")
    if noise:
        text += f" ({noise} of them are noise (-1) in one labelling but not in the other)"
    if min_ari is not None:
        text += ", and the agreement (adjusted Rand index) is below the required minimum"
    return (text + ". Check random_state, init and n_init (KMeans), eps and min_samples (DBSCAN), "
                   "and that you clustered the same (scaled) data.")


def _match_rows(g: np.ndarray, e: np.ndarray) -> dict[int, int]:
    """Row permutation got-row -> expected-row minimising total Euclidean distance (Hungarian);
    non-finite distances are made huge so rows with NaN still get some partner."""
    cost = np.nan_to_num(_cdist(g.astype(np.float64), e.astype(np.float64)),
                         nan=1e100, posinf=1e100, neginf=1e100)
    rows, cols = _hungarian(cost)
    return {int(r): int(c) for r, c in zip(rows, cols)}


@register("matched_rows")
def matched_rows(got, expected, *, rtol=None, atol=None, companions=()) -> Outcome:
    """2-D arrays (one row per cluster/component, e.g. centroids) equal up to row order.

    Rows are paired by minimum total Euclidean distance, then compared with `close` semantics
    (same dtype-based default tolerances). 1-D arrays are treated as one-column arrays. The
    pairing is carried to companions (name, got, expected, how): "rows" (e.g. GMM weights or
    covariances), "columns", or "labels" (label values renamed by the pairing; -1 kept).
    """
    g = _numeric(got, what="a 2-D array with one row per item")
    e = _reference(_numeric, expected)
    if g.shape != e.shape or g.ndim not in (1, 2):
        raise _Reject(f"Expected shape {e.shape} (one row per cluster or component), got shape {g.shape}.")
    if g.ndim == 1:
        g, e = g[:, None], e[:, None]
    mapping = _match_rows(g, e)
    outcome = _compare_numeric(g[_source_order(mapping, len(e), "rows")], e, rtol=rtol, atol=atol,
                               context="after matching your rows to the expected rows "
                                       "(row order does not matter), ")
    if not outcome.passed:
        return outcome
    return _check_companions(companions, mapping) or outcome


def _flip_rows(g: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Multiply each row of g by the sign (+1 or -1) that brings it closest to the row of e."""
    plus = np.nansum((g - e) ** 2, axis=1)
    minus = np.nansum((g + e) ** 2, axis=1)
    return g * np.where(minus < plus, -1.0, 1.0)[:, None]


@register("sign_free")
def sign_free(got, expected, *, rtol=None, atol=None) -> Outcome:
    """Vectors equal up to sign (e.g. PCA components): a 1-D array may be negated as a whole, each
    row of a 2-D array independently; then `close` semantics with dtype-based defaults."""
    g = _numeric(got, what="a vector or a 2-D array of row vectors")
    e = _reference(_numeric, expected)
    if g.shape != e.shape or g.ndim not in (1, 2):
        raise _Reject(f"Expected shape {e.shape} (a vector or one row per vector), got shape {g.shape}.")
    rtol, atol = _tolerances(g, e, rtol, atol)  # from the original dtypes, before flipping
    rows = _flip_rows(g.reshape(-1, g.shape[-1]).astype(np.float64),
                      e.reshape(-1, e.shape[-1]).astype(np.float64))
    context = "after allowing each row to flip sign, " if g.ndim == 2 else "after allowing a sign flip, "
    return _compare_numeric(rows.reshape(g.shape), e, rtol=rtol, atol=atol, context=context)


# ---------------------------------------------------------------------------------------------
# Bounds relative to the reference, and structural checks
# ---------------------------------------------------------------------------------------------


@register("at_least")
def at_least(got, expected, *, margin=0.0, rtol=0.0) -> Outcome:
    """Scalar quality at least the reference's: got >= expected - margin - rtol * |expected|."""
    value, reference = _scalar(got), _reference(_scalar, expected)
    bound = reference - margin - rtol * abs(reference)
    detail = (f"need got >= expected - margin - rtol*|expected| with margin={margin:g}, rtol={rtol:g}; "
              f"got {_num(value)}, expected {_num(reference)}, bound {_num(bound)}")
    if value >= bound:
        return Outcome(True, "Your value is at least what the reference solution requires.", detail)
    return Outcome(False, "Your value is lower than the reference solution allows. " + CHECK_HINT, detail)


@register("at_most")
def at_most(got, expected, *, margin=0.0, rtol=0.0) -> Outcome:
    """Scalar cost at most the reference's: got <= expected + margin + rtol * |expected|
    (e.g. inertia within 0.1% of the reference with rtol=0.001)."""
    value, reference = _scalar(got), _reference(_scalar, expected)
    bound = reference + margin + rtol * abs(reference)
    detail = (f"need got <= expected + margin + rtol*|expected| with margin={margin:g}, rtol={rtol:g}; "
              f"got {_num(value)}, expected {_num(reference)}, bound {_num(bound)}")
    if value <= bound:
        return Outcome(True, "Your value is at most what the reference solution allows.", detail)
    return Outcome(False, "Your value is higher than the reference solution allows. " + CHECK_HINT, detail)


def _shape_text(shape) -> str:
    dims = ["any" if d in (-1, None) else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _shape_matches(actual: tuple, wanted) -> bool:
    return len(actual) == len(wanted) and all(w in (-1, None) or a == w for a, w in zip(actual, wanted))


@register("shape")
def shape(got, expected, *, shape=None) -> Outcome:
    """got's array shape equals `shape` (a list; -1 means any size) or, if not given, expected's."""
    actual = _any_array(got).shape
    wanted = tuple(shape) if shape is not None else _reference(_any_array, expected).shape
    if _shape_matches(actual, wanted):
        return Outcome(True, f"Your answer has the expected shape {_shape_text(wanted)}.")
    return Outcome(False, f"Expected shape {_shape_text(wanted)}, got shape {_shape_text(actual)}.",
                   f"expected {wanted}, got {actual}")


@register("dtype_kind")
def dtype_kind(got, expected, *, kind) -> Outcome:
    """got's numpy dtype kind (np.asarray(got).dtype.kind) is one of the letters in `kind`, e.g.
    "iu" for integers or "f" for floats."""
    if not isinstance(kind, str) or not kind:
        raise _Reject("This check is misconfigured: `kind` must be a string of numpy dtype kinds.")
    dtype = _any_array(got).dtype
    wanted = " or ".join(_KIND_WORDS.get(k, repr(k)) for k in kind)
    if dtype.kind in kind:
        return Outcome(True, f"Your answer has {wanted} values.")
    return Outcome(False, f"Expected {wanted} values (numpy dtype kind {kind!r}), got dtype {dtype} "
                          f"(kind {dtype.kind!r}). Convert with .astype(...) if needed.")


@register("in_range")
def in_range(got, expected, *, low=None, high=None) -> Outcome:
    """All values within [low, high] (a bound of None is open); NaN is never in range."""
    values = _numeric(got).astype(np.float64)
    nan = np.isnan(values)
    outside = ~nan & (((values < low) if low is not None else False)
                      | ((values > high) if high is not None else False))
    interval = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
    detail = f"range {interval}; got min {_num(np.nanmin(values))}, max {_num(np.nanmax(values))}" \
        if values.size and not nan.all() else f"range {interval}"
    if not nan.any() and not np.any(outside):
        return Outcome(True, f"All values lie in {interval}.", detail)
    parts = [f"{int(np.sum(outside))} of {values.size} values are outside the allowed range {interval}"]
    if nan.any():
        parts.append(f"{_plural(int(nan.sum()), 'value')} are NaN")
    return Outcome(False, _say(None, "; ".join(parts)) + ".", detail)


@register("monotonic")
def monotonic(got, expected, *, direction="decreasing", strict=False) -> Outcome:
    """A 1-D sequence is increasing or decreasing (strictly if `strict`); NaN fails."""
    if direction not in ("increasing", "decreasing"):
        raise _Reject("This check is misconfigured: direction must be 'increasing' or 'decreasing'.")
    values = _numeric(got, what="a 1-D sequence of numbers")
    if values.ndim != 1:
        raise _Reject(f"Expected a 1-D sequence of numbers, got shape {values.shape}.")
    values = values.astype(np.float64)
    if np.isnan(values).any():
        raise _Reject(f"Expected a {direction} sequence, but it contains NaN.")
    before, after = (values[:-1], values[1:]) if direction == "increasing" else (values[1:], values[:-1])
    bad = (after <= before) if strict else (after < before)  # comparisons, not differences: inf-safe
    adjective = f"strictly {direction}" if strict else direction
    if not bad.any():
        return Outcome(True, f"The sequence is {adjective}.")
    first = int(np.flatnonzero(bad)[0])
    return Outcome(False, f"Expected a {adjective} sequence, but {int(bad.sum())} of {len(bad)} steps "
                          f"break it (first between positions {first} and {first + 1}).",
                   f"values at {first}, {first + 1}: {_num(values[first])}, {_num(values[first + 1])}")


# ---------------------------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------------------------

_MISSING = object()


def _is_estimator(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "estimator"


def _class_problem(got: dict, expected, cls) -> str | None:
    """A class named by the spec is public and can be named; the reference's class is not."""
    found = got.get("class")
    if cls is None:
        if found == expected.get("class"):
            return None
        return (f"Your estimator is a {found}, but the task uses a different kind of estimator; "
                "check which scikit-learn class the question asks for.")
    allowed = [cls] if isinstance(cls, str) else list(cls)
    return None if found in allowed else f"Expected a {' or '.join(allowed)} estimator, got a {found}."


def _fitted_problem(got: dict, fitted) -> str | None:
    if fitted is None or bool(got.get("fitted")) == bool(fitted):
        return None
    if fitted:
        return "your estimator is not fitted: call .fit(...) on it before this point"
    return "your estimator is already fitted, but the question asks for the unfitted estimator"


def _required_params(expected, params) -> tuple[list[tuple[str, object]], bool]:
    """(name, required value) pairs and whether they come from the spec (public) or the reference."""
    if isinstance(params, dict):
        return list(params.items()), True
    if isinstance(params, (list, tuple)) and _is_estimator(expected) \
            and isinstance(expected.get("params"), dict):
        return [(p, expected["params"].get(p, _MISSING)) for p in params], False
    raise _Reject("This check is misconfigured: `params` must be a dict of values or a list of "
                  "names (with a reference estimator). Please tell your instructor.")


def _param_problems(got: dict, expected, params) -> tuple[list[str], list[str]]:
    """(messages, details) for parameters that differ; values compared like `equal`, numbers
    within a relative 1e-9."""
    if params is None:
        return [], []
    required, from_spec = _required_params(expected, params)
    have = got.get("params") if isinstance(got.get("params"), dict) else {}
    problems, details = [], []
    for name, want in required:
        if want is _MISSING:
            raise _Reject(f"This check is misconfigured: the reference estimator has no parameter "
                          f"{name!r}. Please tell your instructor.")
        value = have.get(name, _MISSING)
        if value is _MISSING:
            problems.append(f"your estimator has no parameter `{name}`")
        elif _difference(value, want, PARAM_TOLERANCE) is not None:
            problems.append(f"parameter `{name}` must be {_short(want, 40)} (as the task requires), "
                            f"you used {_short(value, 40)}" if from_spec else
                            f"parameter `{name}` differs from the reference solution; you used {_short(value, 40)}")
        else:
            continue
        details.append(f"{name}: got {_short(value, 40) if value is not _MISSING else 'missing'}, "
                       f"expected {_short(want, 40)}")
    return problems, details


@register("estimator")
def estimator(got, expected, *, cls=None, params=None, fitted=True) -> Outcome:
    """A scikit-learn estimator description of the right class (`cls`, default the reference's;
    a list of names accepts any), with required parameters (`params`: a dict of values, or a
    list of names whose values must equal the reference's; numbers within rtol 1e-9) and fitted
    state (`fitted`: True, False, or None for either)."""
    if not _is_estimator(got):
        word = "a fitted" if fitted else "an"
        raise _Reject(f"Expected {word} scikit-learn estimator, got {_describe(got)}.")
    if cls is None and not _is_estimator(expected):
        raise _Reject("This check is misconfigured: give `cls` or a reference estimator.")
    if problem := _class_problem(got, expected, cls):
        return Outcome(False, problem, f"got class {got.get('class')}, expected "
                                       f"{cls if cls is not None else expected.get('class')}")
    problems, details = _param_problems(got, expected, params)
    if fit_problem := _fitted_problem(got, fitted):
        problems.insert(0, fit_problem)
    if not problems:
        return Outcome(True, f"Your {got.get('class')} estimator is set up as required.")
    return Outcome(False, _say(None, "; ".join(problems)) + ".", _clip("; ".join(details)))


# ---------------------------------------------------------------------------------------------
# Consistency between the student's own answers
# ---------------------------------------------------------------------------------------------


@register("consistent")
def consistent(got, expected, *, rule, rtol=1e-6, atol=1e-6) -> Outcome:
    """The student's own answers agree with each other according to RULES[rule]. `got` is a dict
    {role: value}; `expected` is ignored. Rules get (inputs, rtol, atol)."""
    if rule not in RULES:
        raise _Reject(f"This check is misconfigured: unknown rule {rule!r} "
                      f"(known: {', '.join(sorted(RULES))}).")
    if not isinstance(got, dict):
        raise _Reject(f"Expected your answers as a dict of named values, got {_describe(got)}.")
    return RULES[rule](got, rtol, atol)


def _role(inputs: dict, role: str, ndim: int | None = None) -> np.ndarray:
    if role not in inputs:
        raise _Reject(f"`{role}` is missing, but this consistency check needs it; make sure you "
                      "defined it.")
    array = _numeric(inputs[role], role)
    if ndim is not None and array.ndim != ndim:
        raise _Reject(_say(role, f"expected a {ndim}-D array, got shape {array.shape}."))
    return array


def _role_scalar(inputs: dict, role: str) -> float:
    if role not in inputs:
        raise _Reject(f"`{role}` is missing, but this consistency check needs it; make sure you "
                      "defined it.")
    return _scalar(inputs[role], role)


def _points_and_centroids(inputs: dict) -> tuple[np.ndarray, np.ndarray]:
    points, centroids = _role(inputs, "X", 2), _role(inputs, "centroids", 2)
    if points.shape[1] != centroids.shape[1] or len(centroids) == 0:
        raise _Reject(f"`centroids` (shape {centroids.shape}) must have one column per feature of "
                      f"`X` (shape {points.shape}) and at least one row.")
    return points, centroids


def _squared_distances(points, centroids) -> np.ndarray:
    # Direct differences (not the |x|^2 - 2xc + |c|^2 expansion) for an accurate reference.
    return _cdist(points.astype(np.float64), centroids.astype(np.float64), "sqeuclidean")


def _lenient_rtol(rtol: float, *arrays: np.ndarray) -> float:
    """float32 inputs cannot be consistent to 1e-6 relative; allow at least LOW_PRECISION_RTOL."""
    low = any(a.dtype.kind == "f" and a.dtype.itemsize <= 4 for a in arrays)
    return max(rtol, LOW_PRECISION_RTOL) if low else rtol


def _agreement(value: float, target: float, rtol: float, atol: float, failure: str) -> Outcome:
    """value ≈ target within atol + rtol * |target|."""
    ok = abs(value - target) <= atol + rtol * abs(target)
    detail = (f"yours {_num(value)}, recomputed {_num(target)}, difference {_num(abs(value - target))}; "
              f"allowed atol={atol:g} + rtol={rtol:g} * |recomputed|")
    return Outcome(True, "Your answers are consistent.", detail) if ok else Outcome(False, failure, detail)


@rule("inertia_matches_centroids")
def inertia_matches_centroids(inputs: dict, rtol: float, atol: float) -> Outcome:
    points, centroids = _points_and_centroids(inputs)
    inertia = _role_scalar(inputs, "inertia")
    total = float(_squared_distances(points, centroids).min(axis=1).sum())
    return _agreement(inertia, total, _lenient_rtol(rtol, points, centroids), atol,
                      "Your `inertia` does not equal the sum of squared distances from each point "
                      "of `X` to its nearest centroid in `centroids`. Check that both come from the "
                      "same fitted model and the same data.")


@rule("labels_are_nearest_centroid")
def labels_are_nearest_centroid(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Each label is the index of a nearest centroid; near-ties (within tolerance) are accepted."""
    points, centroids = _points_and_centroids(inputs)
    labels = _labels(_role(inputs, "labels"), "labels")
    if len(labels) != len(points):
        raise _Reject(f"`labels` has {len(labels)} entries but `X` has {len(points)} rows.")
    invalid = _invalid_indices(labels, len(centroids), "valid centroid indices")
    if invalid is not None:
        return invalid
    squared = _squared_distances(points, centroids)
    own, best = squared[np.arange(len(points)), labels], squared.min(axis=1)
    wrong = own > best + atol + _lenient_rtol(rtol, points, centroids) * best
    if not wrong.any():
        return Outcome(True, "Every label is the index of the nearest centroid.")
    return Outcome(False, f"{int(wrong.sum())} of {len(labels)} `labels` are not the index of the "
                          "nearest centroid. Check that labels and centroids come from the same "
                          "fitted model and the same data.",
                   f"first wrong points {np.flatnonzero(wrong)[:5].tolist()}")


@rule("distances_match_centroids")
def distances_match_centroids(inputs: dict, rtol: float, atol: float) -> Outcome:
    """distances[i, j] ≈ ||X[i] - centroids[j]|| within atol + rtol * distance. Also accepted:
    squared distances agreeing within atol^2 + 100 * eps * (|X[i]|^2 + |centroids[j]|^2), because
    scikit-learn computes |x|^2 - 2 x.c + |c|^2, which loses absolute precision (only rounding,
    hence eps of the inputs' dtype) for points close to a centroid."""
    points, centroids = _points_and_centroids(inputs)
    distances = _role(inputs, "distances", 2)
    if distances.shape != (len(points), len(centroids)):
        raise _Reject(f"`distances`: expected shape {(len(points), len(centroids))} (points x "
                      f"centroids), got shape {distances.shape}.")
    rtol = _lenient_rtol(rtol, points, centroids, distances)
    squared = _squared_distances(points, centroids)
    given = distances.astype(np.float64)
    direct = np.abs(given - np.sqrt(squared)) <= atol + rtol * np.sqrt(squared)
    scale = (points.astype(np.float64) ** 2).sum(1)[:, None] + (centroids.astype(np.float64) ** 2).sum(1)[None, :]
    eps = max(np.finfo(a.dtype).eps if a.dtype.kind == "f" else np.finfo(np.float64).eps
              for a in (points, centroids, distances))
    expanded = np.abs(given ** 2 - squared) <= atol ** 2 + 100 * eps * scale
    wrong = ~(direct | expanded)
    if not wrong.any():
        return Outcome(True, "`distances` are the distances from `X` to `centroids`.")
    at = tuple(int(i) for i in np.argwhere(wrong)[0])
    return Outcome(False, f"{int(wrong.sum())} of {wrong.size} entries of `distances` are not the "
                          "Euclidean distance from the point (row) to the centroid (column).",
                   f"first at {at}: yours {_num(given[at])}, recomputed {_num(np.sqrt(squared[at]))}")


@rule("rows_sum_to_one")
def rows_sum_to_one(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Every row of `proba` sums to 1 (within atol + rtol) and every entry is in [0, 1] (within atol)."""
    proba = _role(inputs, "proba", 2).astype(np.float64)
    if np.isnan(proba).any():
        return Outcome(False, f"`proba` contains {_plural(int(np.isnan(proba).sum()), 'NaN value')}.")
    sums = proba.sum(axis=1)
    bad_rows = np.abs(sums - 1.0) > atol + rtol
    outside = (proba < -atol) | (proba > 1.0 + atol)
    if not bad_rows.any() and not outside.any():
        return Outcome(True, "Every row of `proba` is a probability distribution.")
    parts = [f"{int(bad_rows.sum())} of {len(sums)} rows of `proba` do not sum to 1"] if bad_rows.any() else []
    parts += [f"{int(outside.sum())} entries lie outside [0, 1]"] if outside.any() else []
    detail = f"row sums range {_num(sums.min())}..{_num(sums.max())}" if len(sums) else ""
    return Outcome(False, _say(None, "; ".join(parts)) + ".", detail)


@rule("score_is_negative_inertia")
def score_is_negative_inertia(inputs: dict, rtol: float, atol: float) -> Outcome:
    """KMeans.score(X) is minus the inertia on X."""
    score, inertia = _role_scalar(inputs, "score"), _role_scalar(inputs, "inertia")
    return _agreement(score, -inertia, rtol, atol,
                      "Your `score` is not minus your `inertia`; KMeans.score(X) returns the "
                      "negative inertia on X, so compute both on the same data and model.")


# The topic modules register their checks and rules into CHECKS and RULES when imported: each is
# listed here, so a new one is one more line (no file-name scan).
from . import clusterfit, faces, media, mixture, segmentation, semi  # noqa: E402, F401
