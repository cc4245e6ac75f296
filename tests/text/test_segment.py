from __future__ import annotations

import pytest

from cxloop.text import split_sentences, tokenize


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "the technician was great but billing is a mess",
            ["the technician was great", "but billing is a mess"],
        ),
        ("技術人員很專業，但是帳單一團亂。", ["技術人員很專業，", "但是帳單一團亂。"]),
        (
            "技术人员很好但账单很乱！客服也不回电话。",
            ["技术人员很好", "但账单很乱！", "客服也不回电话。"],
        ),
        ("พนักงานบริการดีมาก แต่เน็ตหลุดบ่อยมาก", ["พนักงานบริการดีมาก", "แต่เน็ตหลุดบ่อยมาก"]),
        (
            "Great service. Mr. Smith fixed it in 5.5 minutes! Thanks!!",
            ["Great service.", "Mr. Smith fixed it in 5.5 minutes!", "Thanks!!"],
        ),
        ("不但便宜而且好用", ["不但便宜而且好用"]),
        ("很好", ["很好"]),
        ("人很好但是", ["人很好但是"]),
    ],
)
def test_split(text: str, parts: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == parts


def test_long_text_is_wrapped() -> None:
    text = "網路很慢，" * 400
    spans = split_sentences(text)
    assert len(spans) > 5
    assert all(e - s <= 300 for s, e in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)


def test_chinese_and_thai_are_never_split_on_whitespace() -> None:
    zh = tokenize("客服態度太差了，等了一個小時，網路又斷線", "zh")
    assert {"客服", "态度", "网路", "断线"} <= set(zh)
    th = tokenize("พนักงานบริการดีมาก แต่เน็ตหลุดบ่อยมาก", "th")
    assert "เน็ต" in th and "หลุด" in th
    assert all(" " not in w for w in zh + th)


def test_long_runs_without_a_stop_split_in_linear_time() -> None:
    import time

    started = time.perf_counter()
    spans = split_sentences("0" * 60_000)
    assert time.perf_counter() - started < 0.5
    assert spans[0][0] == 0 and spans[-1][1] == 60_000
