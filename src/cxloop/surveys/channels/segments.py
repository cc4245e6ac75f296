"""SMS segment counting: GSM-7 (160 / 153 septets) or UCS-2 (70 / 67 UTF-16 units).

A text that has any character outside the GSM 03.38 alphabet (Chinese, Thai, most emoji) is sent
as UCS-2, so a 71-character Thai message already costs two segments. A multi-part message loses
room to its concatenation header, and no character is split across two parts: a GSM extension
character (two septets) or a surrogate pair (two UTF-16 units) moves whole to the next part.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"  # each costs two septets (escape + character)
_BASIC = frozenset(GSM_BASIC)
_EXTENSION = frozenset(GSM_EXTENSION)


class SmsEncoding(StrEnum):
    """The two SMS alphabets."""

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsSegments:
    """How a text travels: its alphabet, its length in units of that alphabet, its parts."""

    encoding: SmsEncoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM 03.38 alphabet."""
    return all(ch in _BASIC or ch in _EXTENSION for ch in text)


def count_segments(text: str) -> SmsSegments:
    """The encoding and number of segments an SMS with this text is billed as."""
    if is_gsm7(text):
        widths = [2 if ch in _EXTENSION else 1 for ch in text]
        return SmsSegments(SmsEncoding.GSM7, sum(widths), _parts(widths, 160, 153))
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsSegments(SmsEncoding.UCS2, sum(widths), _parts(widths, 70, 67))


def _parts(widths: list[int], single: int, multi: int) -> int:
    total = sum(widths)
    if total == 0:
        return 0
    if total <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > multi:
            parts, used = parts + 1, 0
        used += width
    return parts
