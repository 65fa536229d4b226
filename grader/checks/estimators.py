"""The `estimator` check: a scikit-learn estimator description of the right class, with the
required parameters, fitted state and training-set size. The kernel describes an estimator as
plain data: ``{"__type__": "estimator", "class": ..., "params": {...}, "fitted": bool,
"n_samples_fit": int | None, "n_features_in": int | None}`` (`n_samples_fit`: how many samples
it was fitted on, when its fitted attributes say so; None for a linear model or a mixture). The
host accepts that tag only from the kernel's own description of a live estimator
(grader.core.answers): a dict the student typed is never one."""

from __future__ import annotations

from .equality import difference
from .outcome import Outcome, Reject, clip
from .registry import register
from .toolkit import describe, say, short

PARAM_TOLERANCE = (1e-9, 1e-12)  # (rtol, atol) for numeric estimator parameters

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
    if found in allowed:
        return None
    return f"Expected a {' or '.join(allowed)} estimator, got a {found}."


def _fitted_problem(got: dict, fitted) -> str | None:
    if fitted is None or bool(got.get("fitted")) == bool(fitted):
        return None
    if fitted:
        return "your estimator is not fitted: call .fit(...) on it before this point"
    return "your estimator is already fitted, but the question asks for the unfitted estimator"


def _fitted_on_problem(got: dict, expected, fitted_on) -> tuple[str, str] | None:
    """(message, detail) when the estimator was fitted on another number of samples than the
    reference's; None when it was not, or when its class keeps no trace of it."""
    if fitted_on is None or not got.get("fitted"):
        return None
    if not isinstance(fitted_on, str) or not fitted_on.strip():
        raise Reject("This check is misconfigured: `fitted_on` must say in words what the "
                     "estimator is fitted on. Please tell your instructor.")
    want = expected.get("n_samples_fit") if _is_estimator(expected) else None
    if not isinstance(want, int) or isinstance(want, bool):
        raise Reject("This check is misconfigured: the reference estimator does not say how many "
                     "samples it was fitted on, so `fitted_on` cannot be checked. Please tell "
                     "your instructor.")
    have = got.get("n_samples_fit")
    if not isinstance(have, int) or isinstance(have, bool) or have == want:
        return None
    return (f"your {got.get('class')} was fitted on {have} samples, but it must be fitted on "
            f"{fitted_on}: was it fitted (or refitted) on other data, such as another split "
            "(the validation or test set), or more or fewer points?",
            f"samples fitted on: got {have}, expected {want}")


def _required_params(expected, params) -> tuple[list[tuple[str, object]], bool]:
    """(name, required value) pairs and whether they come from the spec (public) or the
    reference."""
    if isinstance(params, dict):
        return list(params.items()), True
    if isinstance(params, (list, tuple)) and _is_estimator(expected) \
            and isinstance(expected.get("params"), dict):
        return [(p, expected["params"].get(p, _MISSING)) for p in params], False
    raise Reject("This check is misconfigured: `params` must be a dict of values or a list of "
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
            raise Reject(f"This check is misconfigured: the reference estimator has no parameter "
                         f"{name!r}. Please tell your instructor.")
        value = have.get(name, _MISSING)
        if value is _MISSING:
            problems.append(f"your estimator has no parameter `{name}`")
        elif difference(value, want, PARAM_TOLERANCE) is not None:
            problems.append(f"parameter `{name}` must be {short(want, 40)} (as the task requires), "
                            f"you used {short(value, 40)}" if from_spec else
                            f"parameter `{name}` differs from the reference solution's (use the "
                            f"value the question gives); you used {short(value, 40)}")
        else:
            continue
        details.append(f"{name}: got {short(value, 40) if value is not _MISSING else 'missing'}, "
                       f"expected {short(want, 40)}")
    return problems, details


@register("estimator")
def estimator(got, expected, *, cls=None, params=None, reference_params=None, fitted=True,
              fitted_on=None) -> Outcome:
    """A scikit-learn estimator description of the right class (`cls`, default the reference's;
    a list of names accepts any), with required parameters (`params`: a dict of values, or a
    list of names whose values must equal the reference's; numbers within rtol 1e-9; and
    `reference_params`, a list of names equal to the reference's beside a dict of `params`:
    values the question sets from its parameters, such as random_state=model_seed), fitted
    state (`fitted`: True, False, or None for either) and, with `fitted_on` (words naming the
    data, e.g. "X_train_pca, the training faces"), fitted on as many samples as the
    reference's: an estimator fitted on the validation or test set fails, saying so. The
    reference's class must keep that number (neighbours, PCA, forests, clusterers, manifold
    learners, a Pipeline through its first step, a search through its best_estimator_)."""
    if not _is_estimator(got):
        word = "a fitted" if fitted else "an"
        raise Reject(f"Expected {word} scikit-learn estimator, got {describe(got)}.")
    if cls is None and not _is_estimator(expected):
        raise Reject("This check is misconfigured: give `cls` or a reference estimator.")
    if problem := _class_problem(got, expected, cls):
        return Outcome(False, problem, f"got class {got.get('class')}, expected "
                                       f"{cls if cls is not None else expected.get('class')}")
    problems, details = _param_problems(got, expected, params)
    if reference_params is not None:
        if not isinstance(reference_params, (list, tuple)):
            raise Reject("This check is misconfigured: `reference_params` must be a list of "
                         "parameter names. Please tell your instructor.")
        more, more_details = _param_problems(got, expected, list(reference_params))
        problems, details = problems + more, details + more_details
    if data_problem := _fitted_on_problem(got, expected, fitted_on):
        problems.insert(0, data_problem[0])
        details.insert(0, data_problem[1])
    if fit_problem := _fitted_problem(got, fitted):
        problems.insert(0, fit_problem)
    if not problems:
        return Outcome(True, f"Your {got.get('class')} estimator is set up as required.")
    text = say(None, "; ".join(problems))
    return Outcome(False, text if text.endswith("?") else text + ".", clip("; ".join(details)))


# ---------------------------------------------------------------------------------------------
