"""Checksum validators for payment cards and Taiwanese, mainland Chinese and Thai national ids.

Digits may be ASCII, full-width or Thai: every validator reads them with ``unicodedata.digit``.
"""

from __future__ import annotations

import unicodedata
from datetime import date

_TW_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"


def digits_of(text: str) -> list[int]:
    """The decimal digits of ``text`` in order, in any script, ignoring everything else."""
    out = []
    for ch in text:
        value = unicodedata.digit(ch, -1)
        if value >= 0:
            out.append(value)
    return out


def luhn_valid(number: str) -> bool:
    """True when the digits of ``number`` pass the Luhn (mod 10) check."""
    digits = digits_of(number)
    if len(digits) < 2:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_valid(number: str) -> bool:
    """A plausible payment card number: 13-19 digits, a card-network prefix, Luhn-valid."""
    digits = digits_of(number)
    if not 13 <= len(digits) <= 19 or digits[0] not in (2, 3, 4, 5, 6):
        return False
    if len(set(digits)) == 1:
        return False
    return luhn_valid(number)


def tw_id_valid(value: str) -> bool:
    """Taiwan national id (A123456789) or resident certificate (A800000014 style) checksum."""
    value = unicodedata.normalize("NFKC", value).upper()
    if len(value) != 10 or value[0] not in _TW_LETTERS:
        return False
    second = value[1]
    rest = value[2:]
    if not rest.isdecimal():  # isdigit() also takes digits int() refuses
        return False
    if second.isdigit():
        if second not in "1289":
            return False
        mid = int(second)
    elif second in "ABCD":  # old resident certificate: second letter's code, last digit
        mid = _TW_LETTERS[second] % 10
    else:
        return False
    code = _TW_LETTERS[value[0]]
    total = code // 10 + (code % 10) * 9 + mid * 8
    for weight, ch in zip((7, 6, 5, 4, 3, 2, 1), rest[:7], strict=True):
        total += int(ch) * weight
    total += int(rest[7])
    return total % 10 == 0


def cn_id_valid(value: str) -> bool:
    """Mainland China resident id (18 characters): ISO 7064 MOD 11-2 check and a real birth date."""
    value = unicodedata.normalize("NFKC", value).upper()
    if len(value) != 18 or not value[:17].isdigit() or value[0] == "0":
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not date(1880, 1, 1) <= born <= date.today():
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _CN_WEIGHTS, strict=True))
    return _CN_CHECK[total % 11] == value[17]


def th_id_valid(value: str) -> bool:
    """Thai national id (13 digits, in any digit script, separators ignored) mod-11 check."""
    digits = digits_of(value)
    if len(digits) != 13 or digits[0] == 0 or digits[0] == 9:
        return False
    total = sum(d * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == digits[12]
