"""What a check returns, and how it gives up: `Outcome` with its `Comparison` (the numbers behind
the verdict), `Reject`, and the two formatters every detail uses (`num`, `clip`). Imports nothing
from the rest of grader: grader.core.results carries a Comparison into the reports."""

from __future__ import annotations

import math
from dataclasses import dataclass

DETAIL_LIMIT = 400   # characters of a detail; longer ones are clipped with "..."
RULE_TEXT = "|got - expected| <= atol + rtol * |expected|"


def clip(text: str, limit: int = DETAIL_LIMIT) -> str:
    """`text` cut to `limit` characters, ending in "..." when it was longer."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def num(value) -> str:
    """A number as details print it: 7 significant digits."""
    return f"{float(value):.7g}"


def _float(value) -> float | None:
    return None if value is None else float(value)   # float("nan") and float("inf") parse


def _reported(value) -> float | None:
    """A value as details print it, 7 significant digits: what the student reads, and no
    floating-point noise in reports (the same inertia computed two ways differs in its 16th)."""
    return None if value is None else float(num(value))


def _int(value) -> int | None:
    return None if value is None else int(value)


def _json_float(value: float | None) -> float | str | None:
    """JSON has no NaN or infinity: those travel as the strings "nan", "inf", "-inf"."""
    return value if value is None or math.isfinite(value) else repr(value)


@dataclass(frozen=True)
class Comparison:
    """The numbers behind a check's verdict, as fields: the tolerance it allowed, the student's
    value and the expected one with their difference (for an array: at the worst index), how
    many values differ and where the first ones are; `text` holds whatever else the detail says.

    `str()` is the detail as one line of text (the terminal, the JSON's "detail", the notebook's
    check()); the HTML report lays the fields out itself, so rewording the text cannot break it.
    Every field but `text` is optional: a detail that is only words is ``Comparison(text=...)``.
    """

    got: float | None = None             # the student's value (the worst one, for an array)
    expected: float | None = None        # the reference value at the same place
    difference: float | None = None      # |got - expected|; these three to 7 significant digits
    atol: float | None = None            # allowed: |got - expected| <= atol + rtol * |expected|
    rtol: float | None = None
    index: tuple[int, ...] | None = None  # where the largest difference is, for an array
    mismatches: int | None = None        # how many values differ (arrays) ...
    size: int | None = None              # ... of how many
    first_mismatches: tuple[tuple[int, ...], ...] = ()  # indices of the first values that differ
    text: str = ""                       # the rest of the detail, free words

    def __post_init__(self):
        # Normalise, so that numpy scalars, JSON lists and "nan" strings make equal Comparisons.
        for name in ("got", "expected", "difference"):
            object.__setattr__(self, name, _reported(getattr(self, name)))
        for name in ("atol", "rtol"):   # the spec's own numbers: kept as they are
            object.__setattr__(self, name, _float(getattr(self, name)))
        for name in ("mismatches", "size"):
            object.__setattr__(self, name, _int(getattr(self, name)))
        if self.index is not None:
            object.__setattr__(self, "index", tuple(int(i) for i in self.index))
        object.__setattr__(self, "first_mismatches",
                           tuple(tuple(int(i) for i in at) for at in self.first_mismatches))
        object.__setattr__(self, "text", str(self.text))

    @property
    def numbers(self) -> bool:
        """Whether any field besides `text` is set."""
        return any(getattr(self, name) is not None for name in
                   ("got", "expected", "difference", "atol", "rtol", "index", "mismatches",
                    "size")) or bool(self.first_mismatches)

    @property
    def tolerance(self) -> bool:
        """Whether the comparison was |got - expected| <= atol + rtol * |expected|."""
        return self.atol is not None and self.rtol is not None

    def __str__(self) -> str:
        if not self.numbers:
            return self.text
        parts = []
        if self.tolerance:
            parts.append(f"{RULE_TEXT} with atol={self.atol:g}, rtol={self.rtol:g}")
        if self.size is not None:
            parts.append(f"{self.mismatches} of {self.size} values differ")
            if self.index is not None:
                parts.append(f"largest difference {num(self.difference)} at index {self.index}: "
                             f"got {num(self.got)}, expected {num(self.expected)}")
            parts.append(f"first mismatches at {list(self.first_mismatches)}")
        elif self.got is not None and self.expected is not None:
            parts.append(f"got {num(self.got)}, expected {num(self.expected)}"
                         + ("" if self.difference is None
                            else f", difference {num(self.difference)}"))
        if self.text:
            parts.append(self.text)
        return clip("; ".join(parts))

    def to_dict(self) -> dict:
        """Plain JSON data: lists for tuples, "nan"/"inf"/"-inf" strings for such floats."""
        return {"got": _json_float(self.got), "expected": _json_float(self.expected),
                "difference": _json_float(self.difference), "atol": _json_float(self.atol),
                "rtol": _json_float(self.rtol),
                "index": None if self.index is None else list(self.index),
                "mismatches": self.mismatches, "size": self.size,
                "first_mismatches": [list(at) for at in self.first_mismatches],
                "text": self.text}

    @classmethod
    def from_dict(cls, data: dict) -> Comparison:
        """The inverse of to_dict."""
        return cls(**data)


NO_DETAIL = Comparison()


@dataclass(frozen=True)
class Outcome:
    """The result of one check: whether it passed, a message, and the numbers behind it.

    Give the numbers either as `detail`, free text, or as `comparison`, fields; the other one is
    derived, so both always say the same: ``detail == str(comparison)``.
    """

    passed: bool
    message: str          # safe for students even on hidden checks: no reference values
    detail: str = ""      # expected vs got, with numbers: shown only for public checks
    comparison: Comparison = NO_DETAIL  # the same, as fields

    def __post_init__(self):
        if self.comparison == NO_DETAIL:
            object.__setattr__(self, "comparison", Comparison(text=self.detail))
        elif self.detail and self.detail != str(self.comparison):
            raise ValueError("give an Outcome's detail as text or as a Comparison, not both")
        object.__setattr__(self, "detail", str(self.comparison))


class Reject(Exception):
    """Raise it anywhere inside a check to fail with `message` (and `detail`); the registry's
    wrapper turns it into a failed Outcome."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail
