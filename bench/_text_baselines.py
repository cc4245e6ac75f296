"""Baselines for bench/text.py: SnowNLP's Bayes model retrained on our split, and VADER."""

from __future__ import annotations

import time
from typing import Any

from cxloop.text.corpora import NEG, NEU, POS, build_dataset
from cxloop.text.metrics import score


def snownlp_bayes() -> dict[str, Any]:
    """Retrain SnowNLP's Bayes sentiment model on our Chinese training split; score the zh sets."""
    import numpy as np
    from snownlp.sentiment import Sentiment

    data = build_dataset()
    started = time.perf_counter()
    zh_train = [e for e in data.train if e.lang.startswith("zh") and e.label in (NEG, POS)]
    model = Sentiment()
    model.train(
        [e.text for e in zh_train if e.label == NEG], [e.text for e in zh_train if e.label == POS]
    )
    trained = time.perf_counter() - started
    out: dict[str, Any] = {"train_examples": len(zh_train), "train_seconds": round(trained, 1)}
    for name in ("zh-Hans", "zh-Hant", "zh-Hant-native"):
        examples = data.test[name]
        y = np.array([e.label for e in examples])
        pred = np.array([POS if model.classify(e.text) >= 0.5 else NEG for e in examples])
        s = score(y, pred)
        out[name] = {"n": s.n, "accuracy": s.accuracy, "macro_f1": s.macro_f1}
    return out


def vader() -> dict[str, Any]:
    """VADER (lexicon in the vaderSentiment wheel) on the English held-out set, ±0.05 cut-offs."""
    import numpy as np
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    data = build_dataset()
    analyzer = SentimentIntensityAnalyzer()
    out: dict[str, Any] = {}
    for name in ("en", "neutral"):
        examples = [e for e in data.test[name] if name == "en" or e.lang == "en"]
        y = np.array([e.label for e in examples])
        pred = []
        for e in examples:
            c = analyzer.polarity_scores(e.text)["compound"]
            pred.append(POS if c >= 0.05 else NEG if c <= -0.05 else NEU)
        s = score(y, np.array(pred))
        out[name if name == "en" else "neutral-en"] = {
            "n": s.n,
            "accuracy": s.accuracy,
            "macro_f1": s.macro_f1,
        }
    return out
