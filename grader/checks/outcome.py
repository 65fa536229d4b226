"""What a check returns, and how it gives up: `Outcome`, `Reject`, and the two formatters every
detail uses (`num`, `clip`). Imports nothing from the rest of grader."""

from __future__ import annotations

from dataclasses import dataclass

DETAIL_LIMIT = 400   # characters of a detail; longer ones are clipped with "..."


@dataclass(frozen=True)
class Outcome:
    """The result of one check: whether it passed, a message, and the numbers behind it."""

    passed: bool
    message: str      # safe for students even on hidden checks: no reference values
    detail: str = ""  # expected vs got with numbers and tolerances; shown only for public checks


class Reject(Exception):
    """Raise it anywhere inside a check to fail with `message` (and `detail`); the registry's
    wrapper turns it into a failed Outcome."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


def clip(text: str, limit: int = DETAIL_LIMIT) -> str:
    """`text` cut to `limit` characters, ending in "..." when it was longer."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def num(value) -> str:
    """A number as details print it: 7 significant digits."""
    return f"{float(value):.7g}"
