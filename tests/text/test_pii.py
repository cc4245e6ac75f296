from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from cxloop.text import (
    card_valid,
    cn_id_valid,
    detect_pii,
    luhn_valid,
    redact,
    th_id_valid,
    tw_id_valid,
)
from cxloop.text.corpora import Dataset

_TW = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
_CN_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_tw(letter: str, body: list[int]) -> str:
    code = _TW.index(letter) + 10
    total = (
        code // 10
        + (code % 10) * 9
        + sum(d * w for d, w in zip(body, (8, 7, 6, 5, 4, 3, 2, 1), strict=True))
    )
    return letter + "".join(map(str, body)) + str((10 - total % 10) % 10)


def make_th(digits: list[int]) -> str:
    check = (11 - sum(d * (13 - i) for i, d in enumerate(digits)) % 11) % 10
    return "".join(map(str, [*digits, check]))


def make_luhn(digits: list[int]) -> str:
    for check in range(10):
        s = "".join(map(str, [*digits, check]))
        if luhn_valid(s):
            return s
    raise AssertionError


@given(
    st.sampled_from(_TW),
    st.sampled_from([1, 2]),
    st.lists(st.integers(0, 9), min_size=7, max_size=7),
)
def test_tw_id_checksum(letter: str, sex: int, rest: list[int]) -> None:
    value = make_tw(letter, [sex, *rest])
    assert tw_id_valid(value)
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)
    assert not tw_id_valid(wrong)


@given(st.integers(1, 8), st.lists(st.integers(0, 9), min_size=11, max_size=11), st.integers(1, 9))
def test_th_id_checksum(first: int, rest: list[int], delta: int) -> None:
    value = make_th([first, *rest])
    assert th_id_valid(value)
    assert not th_id_valid(value[:-1] + str((int(value[-1]) + delta) % 10))
    assert th_id_valid(f"{value[0]}-{value[1:5]}-{value[5:10]}-{value[10:12]}-{value[12]}")
    # Thai digits are read too
    assert th_id_valid("".join(chr(0x0E50 + int(c)) for c in value))


@given(st.lists(st.integers(0, 9), min_size=14, max_size=17))
def test_luhn(body: list[int]) -> None:
    value = make_luhn([4, *body])
    assert luhn_valid(value)
    assert card_valid(value) == (13 <= len(value) <= 19 and len(set(value)) > 1)
    bumped = value[:-1] + str((int(value[-1]) + 1) % 10)
    assert not luhn_valid(bumped)


def test_cn_id() -> None:
    assert cn_id_valid("11010519491231002X")
    assert not cn_id_valid("110105194912310021")
    assert not cn_id_valid("110105194913310020")  # month 13
    assert tw_id_valid("A123456789") and not tw_id_valid("A123456788")


def test_digits_that_are_not_decimal_are_no_id() -> None:
    ethiopic = "\u1369" * 8  # "digit" characters that int() refuses
    assert not tw_id_valid("A1" + ethiopic)
    assert not cn_id_valid("1" * 10 + ethiopic)


def test_pii_glued_to_chinese_text() -> None:
    text = "我的電話0912345678謝謝，email是wang.xm@example.com.tw喔，卡號4111111111111111請退款，身分證A123456789"
    spans = detect_pii(text)
    assert [(s.type, s.text) for s in spans] == [
        ("phone", "0912345678"),
        ("email", "wang.xm@example.com.tw"),
        ("card", "4111111111111111"),
        ("tw_id", "A123456789"),
    ]
    red = redact(text, spans).redacted
    assert red == "我的電話[PHONE]謝謝，email是[EMAIL]喔，卡號[CARD]請退款，身分證[ID]"


def test_pii_many_formats() -> None:
    cases = {
        "手机13812345678，身份证11010519491231002X": [
            ("phone", "13812345678"),
            ("cn_id", "11010519491231002X"),
        ],
        "โทร 081-234-5678 ครับ เลขบัตร 1-1017-00207-17-0": [
            ("phone", "081-234-5678"),
            ("th_id", "1-1017-00207-17-0"),
        ],
        "call me at +1 650-253-0000 please": [("phone", "+1 650-253-0000")],
        "電話：(02)2345-6789": [("phone", "(02)2345-6789")],
        "請點https://shop.example.com/reset?token=ab12cd34ef56gh78ij90謝謝": [
            ("url_token", "https://shop.example.com/reset?token=ab12cd34ef56gh78ij90")
        ],
        "王小明先生您好，請聯絡陳經理": [("person_name", "王小明"), ("person_name", "陳")],
        "我叫張偉，謝謝林小姐的協助": [("person_name", "張偉"), ("person_name", "林")],
        "คุณสมชายใจดีมาก": [("person_name", "สมชาย")],
    }
    for text, expected in cases.items():
        assert [(s.type, s.text) for s in detect_pii(text)] == expected, text
        for s in detect_pii(text):
            assert text[s.start : s.end] == s.text


def test_numbers_that_are_not_personal_stay() -> None:
    for text in [
        "訂單號碼 20231234567890 金額 1,299 元",
        "see https://example.com/help/faq.",
        "公司經理很差，這個經理也不好",
        "在大学的时候老师还放给我们看",
        "房間 1208，價格 NT$3,200",
    ]:
        assert detect_pii(text) == [], text


def test_real_held_out_comments_rarely_trigger(dataset: Dataset) -> None:
    texts = [e.text for e in dataset.test["zh-Hans"][:1000] + dataset.test["en"][:1000]]
    hits = sum(len(detect_pii(t)) for t in texts)
    assert hits <= 20


def test_full_width_digits() -> None:
    text = "電話０９１２３４５６７８"
    spans = detect_pii(unicodedata.normalize("NFC", text))
    assert [s.type for s in spans] == ["phone"]
