"""Parsing integers out of untrusted text (form fields, headers, path parts)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cxloop.core.params import parse_int


def test_plain_and_signed_decimals() -> None:
    assert parse_int("42") == 42
    assert parse_int(" -7 ") == -7
    assert parse_int("+3") == 3
    assert parse_int("9" * 18) == int("9" * 18)


def test_refused_without_raising() -> None:
    for raw in ("", "-", "²", "١٢", "12a", "1.0", "9" * 19, "9" * 5000, "0x10", None, 12):
        assert parse_int(raw) is None
    assert parse_int("9" * 30, digits=40) == int("9" * 30)


@given(st.text())
def test_any_text_is_an_int_or_none(raw: str) -> None:
    out = parse_int(raw)
    assert out is None or (isinstance(out, int) and abs(out) < 10**18)
