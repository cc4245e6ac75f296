from __future__ import annotations

import pytest

from cxloop.text import detect_language
from cxloop.text.corpora import Dataset


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我想改一下預約的時間", "zh-Hant"),
        ("請問這個月的帳單為什麼多了兩百塊？", "zh-Hant"),
        ("请问你们几点开门？", "zh-Hans"),
        ("网络又断线了，真的很生气", "zh-Hans"),
        ("อยากเปลี่ยนเวลานัด", "th"),
        ("พนักงานบริการดีมาก แต่เน็ตหลุดบ่อยมาก", "th"),
        ("The technician was great but billing is a mess", "en"),
        ("C'est très bien, merci beaucoup", "fr"),
        ("これはとても便利なアプリです", "ja"),
        ("서비스가 정말 좋아요", "ko"),
        # mixed: the dominant language wins
        ("我的 wifi 從昨天開始就一直斷線", "zh-Hant"),
        ("เน็ตหลุด wifi router ไม่ทำงาน", "th"),
        ("I think 这个 app is really great overall", "en"),
        # too little or no language at all
        ("👍👍", "und"),
        ("12345", "und"),
        ("ok", "und"),
        ("asdkjh qwe", "und"),
    ],
)
def test_language_ids(text: str, code: str) -> None:
    assert detect_language(text).code == code


def test_han_text_without_script_marks_is_plain_zh_or_the_fallback() -> None:
    assert detect_language("很好").code == "zh"
    assert detect_language("很好", zh_fallback="zh-Hant").code == "zh-Hant"


def test_held_out_reviews(dataset: Dataset) -> None:
    for name in ("zh-Hans", "zh-Hant", "en"):
        texts = [e.text for e in dataset.test[name][:400]]
        got = [detect_language(t).code for t in texts]
        share = sum(g == name for g in got) / len(got)
        assert share >= 0.93, (name, share)
    native = [detect_language(e.text).code for e in dataset.test["zh-Hant-native"]]
    assert sum(g == "zh-Hant" for g in native) / len(native) >= 0.95
