"""Accuracy and macro-F1, in numpy, for binary (negative/positive) and three-class sets."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxloop.text.types import Scores

NEG, NEU, POS = 0, 1, 2


def predictions(proba: npt.NDArray[np.float32], *, binary: bool) -> npt.NDArray[np.int64]:
    """Argmax labels; ``binary`` compares only negative and positive (sets without neutral)."""
    if binary:
        return np.where(proba[:, POS] >= proba[:, NEG], POS, NEG).astype(np.int64)
    return np.asarray(proba.argmax(axis=1), dtype=np.int64)


def score(y_true: npt.NDArray[np.int64], y_pred: npt.NDArray[np.int64]) -> Scores:
    """Accuracy and macro-F1 over the classes present in ``y_true``."""
    n = len(y_true)
    if n == 0:
        return Scores(0, 0.0, 0.0)
    acc = float((y_true == y_pred).mean())
    f1s = []
    for c in np.unique(y_true):
        tp = float(((y_pred == c) & (y_true == c)).sum())
        fp = float(((y_pred == c) & (y_true != c)).sum())
        fn = float(((y_pred != c) & (y_true == c)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return Scores(n, round(acc, 4), round(float(np.mean(f1s)), 4))


def score_proba(
    proba: npt.NDArray[np.float32], y_true: npt.NDArray[np.int64], *, binary: bool
) -> Scores:
    """Scores of probability rows against labels."""
    return score(y_true, predictions(proba, binary=binary))
