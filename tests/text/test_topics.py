from __future__ import annotations

import pytest

from cxloop.text import Analyzer, Taxonomy, default_taxonomy, discover_themes, extend_taxonomy
from cxloop.text.corpora import Dataset

CASES = [
    ("我這個月的帳單多了兩百塊", "billing"),
    ("my bill is wrong again", "billing"),
    ("บิลเดือนนี้แพงผิดปกติ", "billing"),
    ("網路從昨天就連不上", "network_outage"),
    ("the wifi keeps dropping every evening", "network_outage"),
    ("เน็ตบ้านใช้ไม่ได้สองวันแล้ว", "network_outage"),
    ("I need to reschedule the visit", "appointment"),
    ("ขอเปลี่ยนวันนัดช่าง", "appointment"),
    ("店員很不耐煩", "staff_attitude"),
    ("App更新後就打不開", "app_bug"),
    ("my parcel still has not arrived", "delivery_time"),
    ("订单一个礼拜了还没到货", "delivery_time"),
    ("客服电话打了一个小时都打不通", "wait_time"),
    ("我要解約，違約金多少？", "contract_cancellation"),
]


@pytest.mark.parametrize(("text", "theme"), CASES)
def test_taxonomy_assignment(analyzer: Analyzer, text: str, theme: str) -> None:
    ins = analyzer.analyze_one(text)
    assert ins.themes and ins.themes[0].theme_id == theme, [h.theme_id for h in ins.themes]


def test_no_theme_for_chitchat(analyzer: Analyzer) -> None:
    for text in ["thank you", "今天天氣很好", "I love my dog", "哈哈哈"]:
        assert analyzer.analyze_one(text).themes == ()


def test_assignment_is_stable_and_batch_independent(analyzer: Analyzer) -> None:
    texts = [t for t, _ in CASES]
    one = [analyzer.analyze_one(t).themes for t in texts]
    batch = [i.themes for i in analyzer.analyze(texts)]
    again = [i.themes for i in Analyzer(encoder=analyzer.encoder).analyze(texts)]
    ids = lambda rows: [[h.theme_id for h in r] for r in rows]  # noqa: E731
    assert ids(one) == ids(batch) == ids(again)


def test_evidence_points_at_the_words(analyzer: Analyzer) -> None:
    ins = analyzer.analyze_one("The technician was great but billing is a mess")
    by_id = {h.theme_id: h for h in ins.themes}
    assert by_id["technician"].sentiment is not None and by_id["technician"].sentiment > 0
    assert by_id["billing"].sentiment is not None and by_id["billing"].sentiment < 0
    for hit in ins.themes:
        for ev in hit.evidence:
            assert ins.redacted[ev.start : ev.end].lower() == ev.term.lower()


def test_taxonomy_round_trip_and_labels() -> None:
    tax = default_taxonomy()
    again = Taxonomy.from_dict(tax.to_dict())
    assert again.fingerprint == tax.fingerprint
    billing = next(t for t in tax.themes if t.id == "billing")
    assert billing.label("zh-Hans") == "账单" and billing.label("zh-Hant") == "帳單"
    assert billing.seeds["zh-Hans"][0] == "帐单金额有问题"


def test_discover_themes(analyzer: Analyzer, dataset: Dataset) -> None:
    # hotel and computer reviews from the held-out split: two obvious themes, two scripts
    hotel = [e.text for e in dataset.test["zh-Hans"] if "酒店" in e.text][:60]
    laptop = [e.text for e in dataset.test["zh-Hant"] if "電腦" in e.text or "筆記本" in e.text][
        :60
    ]
    texts = hotel + laptop
    insights = analyzer.analyze(texts)
    x = analyzer.encoder.encode([i.redacted for i in insights])
    langs = [i.language.code for i in insights]
    found = discover_themes(texts, x, langs, assigner=analyzer.assigner, k=4)
    again = discover_themes(texts, x, langs, assigner=analyzer.assigner, k=4)
    assert [(t.id, t.members) for t in found] == [(t.id, t.members) for t in again]
    assert sum(t.size for t in found) >= 0.8 * len(texts)
    words = {w for t in found for kws in t.keywords.values() for w in kws}
    assert any("酒店" in w for w in words)
    assert all(" " not in w for w in words)
    bigger = extend_taxonomy(analyzer.taxonomy, found)
    assert len(bigger.themes) >= len(analyzer.taxonomy.themes)
