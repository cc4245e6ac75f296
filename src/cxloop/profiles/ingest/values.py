"""Parsers of single values (the reference semantics shared by the row and the column validators).

Each parser takes the raw value (and its NFKC-normalised, trimmed text) and returns
``(parsed, None)`` or ``(None, reason)``; none of them raises.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import phonenumbers

MAX_INT = 2**53
MAX_INT64 = 2**63 - 1
TOO_BIG = "whole number beyond the 64-bit range; send it as text"
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")
REF = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}:\S.{0,199}$")
LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
QUIET = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
TRUE = frozenset({"true", "t", "yes", "y", "1", "on", "是", "ใช่"})
FALSE = frozenset({"false", "f", "no", "n", "0", "off", "否", "ไม่"})
LIST_SPLIT = re.compile(r"\s*[;|,]\s*")
PHONE_SPLIT = re.compile(r"\s*[;|/]\s*|,\s+")
REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
SURROGATE = re.compile("[\ud800-\udfff]")
ESCAPED_BYTES = re.compile("[\udc00-\udcff]{1,4}")  # bytes a decoder could not decode (parsing)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")


def string_problem(value: str, limit: int) -> str | None:
    """Why a raw string cannot be stored as is, or None."""
    if limit and len(value) > limit:
        return f"is too long ({len(value):,} characters; the limit is {limit:,})"
    if "\x00" in value:
        return "contains a NUL character"
    if value.isascii():
        return None
    found = SURROGATE.search(value)
    if found is None:
        return None
    escaped = ESCAPED_BYTES.match(value, found.start())
    if escaped is None:
        return "contains invalid Unicode (a lone surrogate)"
    named = " ".join(f"0x{ord(ch) - 0xDC00:02X}" for ch in escaped.group())
    what = "a byte (%s) that is" if len(escaped.group()) == 1 else "bytes (%s) that are"
    return f"has {what % named} not valid in the file's encoding; re-save the file as UTF-8"


def big_int(value: Any) -> bool:
    """Whether a value is a whole number that a 64-bit integer cannot hold (nor JSON storage).

    The JSON Lines parser (orjson) reads such a number as a float, so a whole float beyond that
    range counts too: taken as written it would be stored rounded (``1.8446744073709552e19``).
    """
    if isinstance(value, int):
        return not -MAX_INT64 <= value <= MAX_INT64
    return isinstance(value, float) and abs(value) > MAX_INT64 and value.is_integer()


def _holds_big_int(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_big_int(x) for x in value.values())
    if isinstance(value, list):
        return any(_holds_big_int(x) for x in value)
    return big_int(value)


def dump(value: Any) -> tuple[bytes, None] | tuple[None, str]:
    """Compact JSON of a value, or why it cannot be stored as JSON."""
    try:
        dumped = orjson.dumps(value)
    except orjson.JSONEncodeError as exc:
        reason = str(exc)
        if "64-bit" in reason:
            return None, f"holds a {TOO_BIG}"
        if "Recursion" in reason:
            return None, "is nested too deeply"
        return None, "contains text that is not valid Unicode"
    if b"\\u0000" in dumped:
        return None, "contains a NUL character"
    if b"e" in dumped and _holds_big_int(value):  # such a float is written with an exponent
        return None, f"holds a {TOO_BIG}"
    return dumped, None


def parse_json(raw: Any, limit: int) -> tuple[Any, str | None]:
    """A JSON object given as an object or as JSON text."""
    value = raw
    if isinstance(raw, str):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return None, f"is not valid JSON ({exc})"
    if not isinstance(value, dict):
        return None, "must be a JSON object"
    dumped, problem = dump(value)
    if dumped is None:
        return None, problem
    if len(dumped) > limit:
        return None, f"is too large ({len(dumped):,} bytes; the limit is {limit:,})"
    return value, None


def time_zone(name: str) -> ZoneInfo | None:
    """The IANA time zone of this name, or None (no name longer than 64 characters is one)."""
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory, e.g. "America"
        return None


def phone_problem(value: str, region: str) -> str | None:
    """Why a text is not a possible phone number in a region, or None."""
    try:
        number = phonenumbers.parse(value, region if region in REGIONS else "US")
    except phonenumbers.NumberParseException:
        return f"{value[:40]!r} is not a phone number"
    if not phonenumbers.is_possible_number(number):
        return f"{value[:40]!r} is not a possible phone number for region {region}"
    return None


def parse_int(raw: Any, text: str) -> tuple[Any, str | None]:
    """A whole number (thousands separators allowed) within ±2^53."""
    if isinstance(raw, int):
        value = raw
    else:
        try:
            value = int(text.replace(",", "").replace("_", ""))
        except ValueError:
            return None, f"must be a whole number (got {text[:40]!r})"
    if abs(value) > MAX_INT:
        return None, "is out of range"
    return value, None


def parse_bool(raw: Any, text: str) -> tuple[Any, str | None]:
    """true/false in the usual spellings (and in Chinese and Thai)."""
    if isinstance(raw, bool):
        return raw, None
    low = text.casefold()
    if low in TRUE:
        return True, None
    if low in FALSE:
        return False, None
    return None, f"must be true or false (got {text[:20]!r})"


def parse_date(text: str) -> tuple[Any, str | None]:
    """A calendar date as YYYY-MM-DD (or with / . or no separators)."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if "T" in text else text, fmt).date(), None
        except ValueError:
            continue
    return None, f"must be a date as YYYY-MM-DD (got {text[:40]!r})"


def parse_birthdate(text: str, day_first: bool = True) -> tuple[Any, str | None]:
    """A birth date in any format the identity library recognises, from 1900 to today.

    ``day_first`` reads 05/12/1974 as 5 December (everywhere but the US, where it is May 12).
    """
    try:
        from cxloop.profiles.resolution.normalize import parse_birth_date
    except ImportError:  # the resolution library is optional at this layer
        return parse_date(text)
    parsed = parse_birth_date(text, day_first=day_first)
    if parsed is None:
        return None, f"is not a recognised date (got {text[:40]!r})"
    if parsed.year < 1900 or parsed > date.today():
        return None, f"is out of range ({parsed.isoformat()})"
    return parsed, None


def parse_datetime(raw: Any, text: str, tz: tzinfo) -> tuple[Any, str | None]:
    """An ISO 8601 date-time (naive ones are in the source's time zone) or Unix seconds, as UTC."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 0 <= raw < 4102444800:
            return None, "is not a plausible Unix time"
        return datetime.fromtimestamp(raw, UTC), None
    candidate = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            value = datetime.strptime(text, "%Y/%m/%d %H:%M:%S")
        except ValueError:
            return (
                None,
                "must be an ISO 8601 date-time such as 2026-03-01T14:30:00+08:00 "
                f"(got {text[:40]!r})",
            )
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    if not 1970 <= value.year <= 2100:
        return None, "is out of range"
    return value.astimezone(UTC), None


def parse_money(
    raw: Any, text: str, currency: str, exponents: dict[str, int]
) -> tuple[Any, str | None]:
    """An amount in minor units of ``currency`` (a number, or text with symbols and separators)."""
    exponent = exponents.get(currency)
    if exponent is None:
        return None, "needs a valid currency to interpret the amount"
    if isinstance(raw, int) and not isinstance(raw, bool):
        if abs(raw) * 10**exponent > MAX_INT:
            return None, "is out of range"
        return raw * 10**exponent, None
    cleaned = text.replace(",", "").replace(" ", "")
    for symbol in ("$", "NT", "HK", "US", "฿", "¥", "￥", "€", "£", currency):
        cleaned = cleaned.replace(symbol, "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None, f"must be an amount such as 1299.00 (got {text[:40]!r})"
    if not amount.is_finite():
        return None, "must be a finite amount"
    # in integers: Decimal arithmetic rounds to 28 digits (1.000...0001 became 1.00) and
    # overflows past an exponent of 999,999 (1e999999 raised decimal.Overflow)
    if not amount:
        return 0, None
    if amount.adjusted() > 20:
        return None, "is out of range"
    sign, digits, exp = amount.as_tuple()
    assert isinstance(exp, int)  # a finite amount
    minor = int("".join(map(str, digits)))
    shift = exp + exponent
    if shift < 0:
        unit = 10 ** min(-shift, len(digits))  # past its own digits only zero is whole
        if minor % unit:
            return None, f"has more decimals than {currency} allows ({exponent})"
        minor //= unit
    else:
        minor *= 10**shift
    if minor > MAX_INT:
        return None, "is out of range"
    return -minor if sign else minor, None
