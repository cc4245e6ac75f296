from __future__ import annotations

import json

import numpy as np
import pytest

from cxloop.text import Analyzer, SentimentHead, default_head
from cxloop.text.corpora import Dataset
from cxloop.text.metrics import score_proba


def _accuracy(analyzer: Analyzer, dataset: Dataset, name: str, n: int, *, binary: bool) -> float:
    examples = dataset.test[name][:n]
    insights = analyzer.analyze([e.text for e in examples])
    proba = np.array([i.sentiment.probabilities for i in insights], dtype=np.float32)
    return score_proba(proba, np.array([e.label for e in examples]), binary=binary).accuracy


@pytest.mark.parametrize(
    ("name", "floor", "binary"),
    [
        ("zh-Hans", 0.78, True),
        ("zh-Hant", 0.76, True),
        ("zh-Hant-native", 0.70, True),
        ("en", 0.72, False),
    ],
)
def test_held_out_accuracy_floor(
    analyzer: Analyzer, dataset: Dataset, name: str, floor: float, binary: bool
) -> None:
    assert _accuracy(analyzer, dataset, name, 400, binary=binary) >= floor


def test_scores_are_bounded_and_consistent(analyzer: Analyzer, dataset: Dataset) -> None:
    for ins in analyzer.analyze([e.text for e in dataset.test["en"][:100]]):
        neg, neu, pos = ins.sentiment.probabilities
        assert -1.0 <= ins.sentiment.score <= 1.0
        assert abs(neg + neu + pos - 1.0) < 1e-3
        assert (
            ins.sentiment.label
            == ("negative", "neutral", "positive")[int(np.argmax([neg, neu, pos]))]
        )


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("The technician was great but billing is a mess", ["positive", "negative"]),
        ("技術人員很專業，但是網路還是一直斷線，很失望", ["positive", "negative"]),
        ("服务很好，但是价格太贵了，很失望", ["positive", "negative"]),
        ("พนักงานบริการดีมาก แต่เน็ตหลุดบ่อยมาก แย่มาก", ["positive", "negative", "negative"]),
    ],
)
def test_per_sentence_sentiment(analyzer: Analyzer, text: str, labels: list[str]) -> None:
    ins = analyzer.analyze_one(text)
    assert [s.sentiment.label for s in ins.sentences] == labels


def test_neutral_requests(analyzer: Analyzer, dataset: Dataset) -> None:
    held_out = dataset.test["neutral"]
    got = [i.sentiment.label for i in analyzer.analyze([e.text for e in held_out])]
    assert sum(g == "neutral" for g in got) / len(got) >= 0.6


def test_head_round_trip(tmp_path: object) -> None:
    head = default_head()
    again = SentimentHead.from_json(json.loads(json.dumps(head.to_json())))
    assert again.version == head.version
    x = np.random.default_rng(0).normal(size=(5, 512)).astype(np.float32)
    assert np.allclose(head.predict_proba(x), again.predict_proba(x), atol=1e-3)
    assert head.card["scores"]["zh-Hans"]["accuracy"] > 0.8
