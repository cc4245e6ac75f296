"""Personal data in free text: find it, return typed spans, and redact it.

Every pattern is bounded by explicit look-arounds on ASCII letters and digits instead of ``\\b``,
which fails next to CJK characters ("電話0912345678謝謝" has no word boundary around the number).
Numbers are only reported when a checksum (cards: Luhn; national ids) or libphonenumber's
validation says they are real, so order numbers and amounts stay in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from cxloop.text.checksums import card_valid, cn_id_valid, th_id_valid, tw_id_valid
from cxloop.text.names import find_chinese_names, find_thai_names
from cxloop.text.types import PiiSpan, PiiType, Redaction

DEFAULT_REGIONS: tuple[str, ...] = ("TW", "CN", "HK", "TH", "US")
PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "card": "[CARD]",
    "tw_id": "[ID]",
    "cn_id": "[ID]",
    "th_id": "[ID]",
    "url_token": "[URL]",
    "person_name": "[NAME]",
}
# Higher wins when two spans overlap.
_PRIORITY: dict[str, int] = {
    "email": 8,
    "url_token": 7,
    "cn_id": 6,
    "th_id": 6,
    "tw_id": 6,
    "card": 5,
    "phone": 4,
    "person_name": 1,
}

_A = r"A-Za-z0-9"
_EMAIL = re.compile(
    rf"(?<![{_A}._%+\-])[{_A}._%+\-]{{1,64}}@[{_A}\-]+(?:\.[{_A}\-]+)*\.[A-Za-z]{{2,24}}(?![{_A}\-])"
)
_URL = re.compile(r"(?:https?://|www\.)[!-~]+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}'\"*"
_CARD = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,}(?![\d\-])")
_TW_ID = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][12ABCD89]\d{8}(?![0-9])")
_CN_ID = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9A-Za-z])")
_TH_ID = re.compile(r"(?<![\d\-])\d[ \-]?\d{4}[ \-]?\d{5}[ \-]?\d{2}[ \-]?\d(?![\d\-])")
_DIGIT_RUN = re.compile(r"\d(?:[\s\-().]{0,2}\d){6,}")
_SENSITIVE_KEYS = {
    "token", "access_token", "refresh_token", "id_token", "auth", "authorization", "key",
    "api_key", "apikey", "secret", "session", "sessionid", "session_id", "sid", "sig",
    "signature", "password", "pass", "pwd", "code", "otp", "email", "mail", "phone", "mobile",
    "tel", "user", "userid", "user_id", "uid", "customer", "customer_id", "account", "acct",
    "member", "invite", "reset", "ticket", "jwt", "hash", "name",
}  # fmt: skip
_TOKENISH = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9a-fA-F]{16,}|[A-Za-z0-9_\-]{20,}|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-.]+)$"
)


def _looks_like_token(value: str) -> bool:
    if not _TOKENISH.match(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return has_digit and (has_alpha or len(value) >= 16)


def _personal_url(url: str) -> bool:
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
    except ValueError:
        return False
    if "@" in (parts.netloc or "") or _EMAIL.search(url):
        return True
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _SENSITIVE_KEYS and value:
            return True
        if _looks_like_token(value):
            return True
    segments = [s for s in (parts.path or "").split("/") if s]
    if parts.fragment:
        segments.append(parts.fragment)
    return any(_looks_like_token(s) for s in segments)


def _urls(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _URL.finditer(text):
        start, end = m.span()
        while end > start and text[end - 1] in _URL_TRAIL:
            end -= 1
        if _personal_url(text[start:end]):
            out.append((start, end))
    return out


def _cards(text: str) -> list[tuple[int, int]]:
    """Card numbers inside digit runs, which may run into a neighbouring number ("… 6038 2點")."""
    out = []
    for m in _CARD.finditer(text):
        run = m.group()
        if card_valid(run):
            out.append(m.span())
            continue
        digits = [i for i, c in enumerate(run) if c.isdigit()]
        best: tuple[int, int] | None = None
        for a in range(len(digits)):
            if a and run[digits[a] - 1] not in " -":
                continue  # a card starts at a group boundary
            for length in range(min(19, len(digits) - a), 12, -1):
                b = a + length - 1
                if b + 1 < len(digits) and run[digits[b] + 1] not in " -":
                    continue  # and ends at one
                if card_valid(run[digits[a] : digits[b] + 1]):
                    best = (m.start() + digits[a], m.start() + digits[b] + 1)
                    break
            if best:
                break
        if best:
            out.append(best)
    return out


def _phones(text: str, regions: Sequence[str]) -> list[tuple[int, int]]:
    import phonenumbers

    found: set[tuple[int, int]] = set()
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            found.add((match.start, match.end))
    return sorted(found)


def detect_pii(
    text: str,
    *,
    regions: Sequence[str] = DEFAULT_REGIONS,
    names: bool = True,
) -> list[PiiSpan]:
    """Personal values in ``text`` as non-overlapping spans sorted by position."""
    found: list[tuple[str, int, int]] = []
    if "@" in text:
        found += [("email", *m.span()) for m in _EMAIL.finditer(text)]
    if "://" in text or "www." in text.lower():
        found += [("url_token", s, e) for s, e in _urls(text)]
    if _DIGIT_RUN.search(text):
        found += [("card", s, e) for s, e in _cards(text)]
        for m in _CN_ID.finditer(text):
            if cn_id_valid(m.group()):
                found.append(("cn_id", *m.span()))
        for m in _TH_ID.finditer(text):
            if th_id_valid(m.group()):
                found.append(("th_id", *m.span()))
        found += [("phone", s, e) for s, e in _phones(text, regions)]
    if any("A" <= c <= "Z" or "a" <= c <= "z" for c in text[:-9]):
        for m in _TW_ID.finditer(text):
            if tw_id_valid(m.group()):
                found.append(("tw_id", *m.span()))
    if names:
        found += [("person_name", s, e) for s, e in find_chinese_names(text)]
        found += [("person_name", s, e) for s, e in find_thai_names(text)]
    return _resolve(text, found)


def _resolve(text: str, found: list[tuple[str, int, int]]) -> list[PiiSpan]:
    # strongest first, longest first; keep a span only if it overlaps nothing kept
    found.sort(key=lambda f: (-_PRIORITY[f[0]], f[1] - f[2], f[1]))
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((kind, start, end))
    kept.sort(key=lambda f: f[1])
    return [PiiSpan(_as_type(k), s, e, text[s:e]) for k, s, e in kept]


def _as_type(kind: str) -> PiiType:
    assert kind in PLACEHOLDERS
    return kind  # type: ignore[return-value]


def redact(
    text: str,
    spans: Sequence[PiiSpan] | None = None,
    *,
    regions: Sequence[str] = DEFAULT_REGIONS,
    placeholders: dict[str, str] | None = None,
) -> Redaction:
    """Replace every personal value in ``text`` with a typed placeholder such as ``[PHONE]``."""
    if spans is None:
        spans = detect_pii(text, regions=regions)
    marks = {**PLACEHOLDERS, **(placeholders or {})}
    parts: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: s.start):
        parts.append(text[pos : span.start])
        parts.append(marks[span.type])
        pos = span.end
    parts.append(text[pos:])
    return Redaction(tuple(spans), "".join(parts))


def normalize_text(text: str) -> str:
    """NFC-normalise and drop control characters (keeping newlines and tabs)."""
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        return text
    return "".join(c for c in text if c.isprintable() or c in "\n\t")
