"""Checks: compare a student's extracted answer (`got`) with the reference answer (`expected`).

The contract of a check:

* It is a pure function ``fn(got, expected, *, <options>) -> Outcome``, registered by name in
  CHECKS with `register`. Both sides are plain data: None, bool, int, float, str, lists/dicts
  of those, numpy arrays, or an estimator or figure description made by the kernel. `got` comes
  from untrusted code, so it is only ever converted with numpy, never called.
* It never raises on odd input (wrong type, ragged lists, NaN, empty arrays, wrong shapes): it
  returns a failed Outcome saying what was expected and what was got. Deep inside a check,
  raising `Reject` does that; the registry's wrapper also turns any unexpected error into a
  failed Outcome.
* It never leaks hidden reference values: ``Outcome.message`` is shown for hidden checks too, so
  it names only structure (shapes, counts, types), never values taken from `expected`. Numbers
  go in the detail, which only public checks show (grading drops it from hidden checks): as
  fields, ``Outcome.comparison`` (a `Comparison`: got, expected, difference, atol, rtol, the
  worst index, how many values differ...), which the HTML report lays out, and as one line of
  text, ``Outcome.detail == str(Outcome.comparison)``, for terminals and the JSON.
* Options are keyword-only. A misspelt or missing option is a spec error, so it raises TypeError
  (spec validation normally catches it earlier through `check_options`).

Numbers are close when ``|got - expected| <= atol + rtol * |expected|`` elementwise; unset
tolerances default by dtype: both integer/bool -> exact; either side float32/float16 ->
rtol=1e-4, atol=1e-6; other floats -> rtol=1e-6, atol=1e-9.

The package: `outcome` (Outcome, Comparison, Reject), `registry` (CHECKS, RULES, register,
rule), `toolkit` (what a check author uses: converting and describing values), then the checks:
`numeric`, `equality`, `matching`, `estimators`, `rules` (the generic ones), and the topic
modules `clusterfit`, `faces`, `media`, `mixture`, `segmentation`, `semi`. Importing this
package registers every check of every module listed below, so a new module is one more import
(no file-name scan).
"""

from __future__ import annotations

from . import (
    clusterfit,
    equality,
    estimators,
    faces,
    matching,
    media,
    mixture,
    numeric,
    rules,
    segmentation,
    semi,
)
from .equality import equal, one_of
from .estimators import estimator
from .matching import matched_rows, same_partition, sign_free
from .numeric import at_least, at_most, close, dtype_kind, in_range, monotonic, shape
from .outcome import DETAIL_LIMIT, Comparison, Outcome, Reject
from .registry import (
    CHECKS,
    GATES,
    REFERENCE_USE,
    RULES,
    check_options,
    get_check,
    register,
    required_options,
    rule,
)
from .rules import consistent

__all__ = [  # the registry, the generic checks, and the modules that register checks
    "CHECKS", "DETAIL_LIMIT", "GATES", "REFERENCE_USE", "RULES", "Comparison", "Outcome", "Reject",
    "at_least", "at_most",
    "check_options", "close", "clusterfit", "consistent", "dtype_kind", "equal", "equality",
    "estimator", "estimators", "faces", "get_check", "in_range", "matched_rows", "matching",
    "media", "mixture", "monotonic", "numeric", "one_of", "register", "required_options", "rule",
    "rules", "same_partition", "segmentation", "semi", "shape", "sign_free",
]
