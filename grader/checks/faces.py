"""Consistency rules for anomaly detection and model selection (Olivetti faces, digits, MNIST).

Registered into the same registry as grader.checks (imported by grader.checks at start-up).
They compare a student's answers with each other, never with the reference, so they hold for
any correct answer whatever the data: modified faces score lower / reconstruct worse than real
ones; a chosen hyper-parameter is the one with the best score in the student's own list.
"""

from __future__ import annotations

import numpy as np

from .outcome import Outcome, Reject, num
from .registry import rule
from .toolkit import role


def _finite(inputs: dict, name: str) -> np.ndarray:
    values = role(inputs, name).astype(np.float64).ravel()
    if values.size == 0:
        raise Reject(f"`{name}` is empty; this check needs at least one value.")
    if not np.isfinite(values).all():
        raise Reject(f"`{name}` contains NaN or infinite values.")
    return values


@rule("anomalies_score_lower")
def anomalies_score_lower(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Every value of `anomalies` (e.g. score_samples of modified faces) is below every value of
    `normal` (score_samples of real faces)."""
    normal, anomalies = _finite(inputs, "normal"), _finite(inputs, "anomalies")
    above = int((anomalies >= normal.min()).sum())
    detail = (f"highest anomaly score {num(anomalies.max())}, lowest normal score "
              f"{num(normal.min())}")
    if not above:
        return Outcome(True, "Every modified item scores below every real one.", detail)
    return Outcome(False, f"{above} of {anomalies.size} modified items score at least as high as "
                   "some real item, but a density model should find them far less likely. Score "
                   "both with the same fitted model, on the same features (e.g. the PCA projection "
                   "pca.transform(...) of the modified images).", detail)


@rule("anomalies_error_higher")
def anomalies_error_higher(inputs: dict, rtol: float, atol: float) -> Outcome:
    """Every value of `anomalies` (e.g. reconstruction errors of modified faces) is above every
    value of `normal` (errors of real faces, or their mean)."""
    normal, anomalies = _finite(inputs, "normal"), _finite(inputs, "anomalies")
    below = int((anomalies <= normal.max()).sum())
    detail = (f"lowest anomaly error {num(anomalies.min())}, highest normal error "
              f"{num(normal.max())}")
    if not below:
        return Outcome(True, "Every modified item reconstructs worse than the real ones.", detail)
    return Outcome(False, f"{below} of {anomalies.size} modified items have an error no larger "
                   "than the real ones'. Compute the error the same way for both: project with "
                   "pca.transform, come back with pca.inverse_transform, and average the squared "
                   "differences over the pixels of each item.", detail)


def _choice(inputs: dict, rtol: float, atol: float, lowest: bool) -> Outcome:
    options, scores = role(inputs, "options").ravel(), _finite(inputs, "scores")
    choice = role(inputs, "choice").ravel()
    if len(options) != len(scores):
        raise Reject(f"Expected one score per option: {len(options)} options but "
                     f"{len(scores)} scores.")
    if choice.size != 1:
        raise Reject(f"Expected a single chosen value, got {choice.size} values.")
    where = np.flatnonzero(options == choice[0])
    best = scores.min() if lowest else scores.max()
    word, function = ("lowest", "np.argmin") if lowest else ("highest", "np.argmax")
    detail = f"chosen {num(choice[0])}; {word} score {num(best)}"
    if not where.size:
        return Outcome(False, "Your chosen value is not one of the values you tried.", detail)
    slack = atol + rtol * abs(best)
    mine = scores[where]
    if (mine.min() <= best + slack) if lowest else (mine.max() >= best - slack):
        return Outcome(True, f"Your choice has the {word} score among the values you tried.",
                       detail)
    return Outcome(False, f"Your chosen value does not have the {word} score among the values you "
                   f"tried: pick the one at the position of the {word} score ({function}).", detail)


@rule("choice_has_best_score")
def choice_has_best_score(inputs: dict, rtol: float, atol: float) -> Outcome:
    """`choice` is one of `options` whose score (same position in `scores`) is the highest,
    within atol + rtol * |best| (ties accepted): e.g. the k with the best silhouette."""
    return _choice(inputs, rtol, atol, lowest=False)


@rule("choice_has_lowest_score")
def choice_has_lowest_score(inputs: dict, rtol: float, atol: float) -> Outcome:
    """`choice` is one of `options` whose score is the lowest (ties accepted): e.g. the number of
    mixture components with the lowest AIC or BIC."""
    return _choice(inputs, rtol, atol, lowest=True)
