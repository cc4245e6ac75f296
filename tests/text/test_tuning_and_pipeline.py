from __future__ import annotations

from cxloop.text import Analyzer, tune_head
from cxloop.text.corpora import Dataset
from cxloop.text.tuning import label_index


def test_tune_head_on_native_traditional_reviews(analyzer: Analyzer, dataset: Dataset) -> None:
    examples = [
        (e.text, ("negative", "neutral", "positive")[e.label])
        for e in dataset.test["zh-Hant-native"]
    ]
    head, report = tune_head(examples)
    assert report.n_examples == len(examples)
    assert report.workspace_after.accuracy >= report.workspace_before.accuracy - 0.03
    for name, before in report.base_before.items():
        assert report.base_after[name].accuracy >= before.accuracy - 0.05, name
    assert head.version != analyzer.head.version
    tuned = analyzer.with_head(head)
    assert head.version in tuned.model_version


def test_labels() -> None:
    assert [label_index(v) for v in ("negative", "pos", True, False, 0.9, -0.8, 0.0, 1)] == [
        0,
        2,
        2,
        0,
        2,
        0,
        1,
        1,
    ]


def test_insight_shape_and_redaction_first(analyzer: Analyzer) -> None:
    ins = analyzer.analyze_one("王小明先生您好，我的電話0912345678，帳單又多收了兩百元，非常失望")
    assert ins.language.code == "zh-Hant"
    assert "0912345678" not in ins.redacted and "王小明" not in ins.redacted
    assert [p.type for p in ins.pii] == ["person_name", "phone"]
    assert ins.sentiment.label == "negative"
    assert ins.themes[0].theme_id == "billing"
    assert ins.model_version == analyzer.model_version
    assert "text" not in ins.to_dict()["pii"][0]
    assert ins.to_dict(include_pii_values=True)["pii"][0]["text"] == "王小明"


def test_empty_and_odd_inputs(analyzer: Analyzer) -> None:
    out = analyzer.analyze(["", "   ", "👍", "a" * 5000, "\x00控制字元"])
    assert len(out) == 5
    assert out[0].language.code == "und" and out[0].sentences == ()
    assert out[4].redacted == "控制字元"
