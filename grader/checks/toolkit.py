"""The toolkit of a check author: turn untrusted plain data into numpy values or Reject with a
message a student understands, and describe values without showing them.

Messages describe `got`'s type and shape, never `expected`'s values: `describe` names a value's
type and size only; `short` and `num` print values, so they belong in details, never in messages.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .outcome import DETAIL_LIMIT, Outcome, Reject, clip, num

__all__ = ["CHECK_HINT", "DETAIL_LIMIT", "Outcome", "Reject", "any_array", "clip", "describe",
           "invalid_indices", "labels", "num", "numeric", "plural", "reference", "role",
           "role_scalar", "say", "scalar", "short"]

CHECK_HINT = "Check the computation and its inputs (preprocessing, random_state, dtype)."

_CONTENT_WORDS = {"U": "strings", "S": "bytes", "c": "complex numbers", "M": "dates",
                  "m": "time differences",
                  "O": "non-numeric items (such as None, dicts or nested lists)"}


def describe(value) -> str:
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


def say(name: str | None, text: str) -> str:
    """Prefix a message with the answer it is about, or capitalise it for the main answer."""
    return f"`{name}`: {text}" if name else text[:1].upper() + text[1:]


def plural(count: int, word: str) -> str:
    """`count` and `word`, with an "s" unless count is 1."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def short(value, limit: int = 60) -> str:
    """Compact repr for details (arrays summarised by numpy)."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=6, edgeitems=2)
    else:
        text = repr(value)
    return clip(text.replace("\n", " "), limit)


def numeric(value, name: str | None = None,
            what: str = "a number or an array of numbers") -> np.ndarray:
    """Real-valued numpy array (bool, int or float dtype) from plain data, or Reject saying why
    not (`what` says what was expected, `name` which answer it is)."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise Reject(say(name, f"expected {what}, got {describe(value)}."))
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise Reject(say(name, f"expected {what}, got {describe(value)} whose rows have "
                               "different lengths (a ragged list).")) from None
    if array.dtype.kind not in "biuf":
        contents = _CONTENT_WORDS.get(array.dtype.kind, "non-numeric items")
        raise Reject(say(name, f"expected {what}, got {describe(value)} containing {contents}."))
    return array


def reference(convert: Callable, expected, *args):
    """Convert the reference answer; if that fails the check itself is misconfigured."""
    try:
        return convert(expected, *args)
    except Reject as reject:
        raise Reject("This check is misconfigured: the reference answer does not have the form "
                     f"this check needs (it is {describe(expected)}). Please tell your instructor.",
                     reject.message) from None


def any_array(value, name: str | None = None) -> np.ndarray:
    """numpy array of numbers, bools or strings (a single number counts; None, dicts, a plain
    string and ragged lists do not)."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise Reject(say(name, f"expected an array, got {describe(value)}."))
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise Reject(say(name, f"expected an array, got {describe(value)} whose rows have "
                               "different lengths (a ragged list).")) from None
    if array.dtype.kind == "O":
        raise Reject(say(name, f"expected an array, got {describe(value)} containing "
                               f"{_CONTENT_WORDS['O']}."))
    return array


def scalar(value, name: str | None = None) -> float:
    """A single finite real number (bools are not numbers here), or Reject."""
    if isinstance(value, (bool, np.bool_)):
        raise Reject(say(name, "expected a number, got a bool."))
    array = numeric(value, name, what="a single number")
    if array.size != 1 or array.dtype.kind == "b":
        raise Reject(say(name, f"expected a single number, got {describe(value)}."))
    number = float(array.reshape(()))
    if not math.isfinite(number):
        raise Reject(say(name, f"expected a finite number, got {number}. NaN or inf usually "
                               "comes from dividing by zero or from missing values."))
    return number


def invalid_indices(labels: np.ndarray, count: int, what: str) -> Outcome | None:
    """A failed Outcome when some labels cannot index `count` things (centroids, columns)."""
    invalid = (labels < 0) | (labels >= count)
    if not invalid.any():
        return None
    return Outcome(False, f"{int(invalid.sum())} of {len(labels)} `labels` are not {what} "
                          f"(0..{count - 1}).")


def labels(value, name: str | None = None) -> np.ndarray:
    """1-D int64 label vector; whole-valued floats are accepted (labels stored as floats)."""
    array = numeric(value, name, what="a 1-D array of cluster labels")
    if array.ndim != 1:
        raise Reject(say(name, f"expected a 1-D array of cluster labels, got shape {array.shape}"
                               "; if it is a column, flatten it with .ravel()."))
    if array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array))):
        raise Reject(say(name, "expected whole-number cluster labels, got fractional, NaN or "
                               "infinite values."))
    return array.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Inputs of consistency rules: a dict {role: value} of the student's own answers
# ---------------------------------------------------------------------------------------------


def role(inputs: dict, role: str, ndim: int | None = None) -> np.ndarray:
    """`inputs[role]` as a numeric array (of `ndim` dimensions if given), or Reject."""
    if role not in inputs:
        raise Reject(f"`{role}` is missing, but this consistency check needs it; make sure you "
                     "defined it.")
    array = numeric(inputs[role], role)
    if ndim is not None and array.ndim != ndim:
        raise Reject(say(role, f"expected a {ndim}-D array, got shape {array.shape}."))
    return array


def role_scalar(inputs: dict, role: str) -> float:
    """`inputs[role]` as one finite number, or Reject."""
    if role not in inputs:
        raise Reject(f"`{role}` is missing, but this consistency check needs it; make sure you "
                     "defined it.")
    return scalar(inputs[role], role)
