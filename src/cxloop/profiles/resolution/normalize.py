"""Normalisation of the identifying fields of a source record (pure functions)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import phonenumbers

from cxloop.profiles.resolution.names import EMPTY_NAME, NameKeys, name_from_parts, normalize_name
from cxloop.profiles.resolution.sinitic import to_simplified

__all__ = [
    "EMPTY_NAME",
    "NameKeys",
    "known_e164",
    "name_from_parts",
    "normalize_address",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_postcode",
    "parse_birth_date",
    "phone_is_mobile",
    "phone_key",
]

_SPACE_RE = re.compile(r"\s+")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Providers whose documented rules make dots in the local part and "+tags" irrelevant.
_GMAIL = frozenset({"gmail.com", "googlemail.com"})
# Providers that document "+tag" sub-addressing (the tag is dropped, dots are kept).
_PLUS_TAG = frozenset(
    {"outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com", "fastmail.com", "proton.me"}
)


def normalize_email(value: str | None) -> str | None:
    """Lowercase an email; drop gmail dots/+tags and documented +tags; None if invalid."""
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", value).strip().strip("<>").strip()
    if s.lower().startswith("mailto:"):
        s = s[7:]
    s = s.lower()
    if not _EMAIL_RE.match(s):
        return None
    local, domain = s.rsplit("@", 1)
    domain = domain.rstrip(".")
    if domain in _GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    elif domain in _PLUS_TAG:
        local = local.split("+", 1)[0]
    if not local:
        return None
    return f"{local}@{domain}"


@lru_cache(maxsize=200_000)
def _parse_phone(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """Parse a phone number, trying the record's region for national formats."""
    s = unicodedata.normalize("NFKC", value).strip()
    if not s:
        return None
    if s.startswith("00") and not s.startswith("000"):
        s = "+" + s[2:]
    try:
        num = phonenumbers.parse(s, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return num


# Separators phonenumbers ignores inside a number (after NFKC): a number written only with
# digits, these and an optional leading "+" parses exactly as its bare digits do, so the
# formats of one number ("0912-345-678", "(0912) 345 678", "０９１２３４５６７８") share one
# cache entry. Anything else (letters, extensions, "tel:", a slash) takes the full parse.
_PLAIN_PHONE_RE = re.compile(r"^\+?[\d\s().\-]+$")
_PHONE_SEPARATORS_RE = re.compile(r"[\s().\-]")


def phone_key(value: str, region: str | None) -> tuple[str, str | None]:
    """Cache key of a raw phone number: (bare digits or the raw text, region if it matters)."""
    s = unicodedata.normalize("NFKC", value).strip()
    if _PLAIN_PHONE_RE.match(s):
        s = _PHONE_SEPARATORS_RE.sub("", s)
        if s.startswith("00") and not s.startswith("000"):
            s = "+" + s[2:]
    # An international number ("+...") is parsed without the region (phonenumbers ignores it).
    return s, (None if s.startswith("+") else (region.upper() if region else None))


# Valid E.164 results seen so far. E.164 is the format libphonenumber parses back to the same
# number, so a raw "+<digits>" equal to one of them normalises to itself without parsing
# (the same number usually arrives in national and international forms from two sources).
_KNOWN_E164: set[str] = set()
_KNOWN_MAX = 1_000_000


def known_e164(numbers: set[str] | None = None) -> set[str]:
    """The valid E.164 numbers remembered so far (adding ``numbers`` first)."""
    if numbers:
        if len(_KNOWN_E164) + len(numbers) > _KNOWN_MAX:
            _KNOWN_E164.clear()
        _KNOWN_E164.update(numbers)
    return _KNOWN_E164


@lru_cache(maxsize=400_000)
def _e164(key: str, region: str | None) -> str | None:
    if key in _KNOWN_E164:
        return key
    num = _parse_phone(key, region)
    if num is None:
        return None
    out = str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))
    if len(_KNOWN_E164) >= _KNOWN_MAX:
        _KNOWN_E164.clear()
    _KNOWN_E164.add(out)
    return out


def normalize_phone(value: str | None, region: str | None) -> str | None:
    """Normalise a phone number to E.164 using the record's region; None if invalid."""
    if value is None:
        return None
    return _e164(*phone_key(value, region))


def normalize_phone_reference(value: str | None, region: str | None) -> str | None:
    """normalize_phone without the shared cache key (the reference the tests compare with)."""
    if value is None:
        return None
    num = _parse_phone(value, region)
    if num is None:
        return None
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))


def phone_is_mobile(e164: str | None) -> bool:
    """Tell whether an E.164 number is a mobile number (personal rather than a landline)."""
    if not e164:
        return False
    num = _parse_phone(e164, None)
    if num is None:
        return False
    kind = phonenumbers.number_type(num)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and not (num.country_code == 1 and kind == phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


_ADDR_ABBREV = (
    (r"\bstreet\b", "st"),
    (r"\broad\b", "rd"),
    (r"\bavenue\b", "ave"),
    (r"\bboulevard\b", "blvd"),
    (r"\bdrive\b", "dr"),
    (r"\blane\b", "ln"),
    (r"\bsection\b", "sec"),
    (r"\bapartment\b", "apt"),
    (r"\bsuite\b", "ste"),
    (r"\bfloor\b", "f"),
    (r"\bnorth\b", "n"),
    (r"\bsouth\b", "s"),
    (r"\beast\b", "e"),
    (r"\bwest\b", "w"),
    (r"\bnumber\b", "no"),
    (r"\bthanon\b", "th"),
    (r"\bsoi\b", "soi"),
)
# One pass for every abbreviation (no replacement is itself an abbreviated word, so this is
# the same as applying them one after another).
_ADDR_ABBREV_MAP = {a[2:-2]: b for a, b in _ADDR_ABBREV}
_ADDR_ABBREV_RE = re.compile(r"\b(" + "|".join(_ADDR_ABBREV_MAP) + r")\b")
_ADDR_PUNCT_RE = re.compile(r"[^\w\s]")
# Characters that often differ in the same Chinese address (台/臺 is handled by t2s).
_HAN_ADDR_NOISE = str.maketrans({"號": "号", "樓": "楼", "之": "-"})


_CJK_SPACE_RE = re.compile(
    r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f\d])|(?<=[^\x00-\x7f]) (?=\d)|(?<=\d) (?=[^\x00-\x7f])"
)


def normalize_address(value: str | None) -> str | None:
    """Normalise a postal address to a comparison key (NFKC, t2s, case, abbreviations)."""
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", value).translate(_HAN_ADDR_NOISE)
    s = to_simplified(s).lower()
    s = _ADDR_PUNCT_RE.sub(" ", s)
    s = _ADDR_ABBREV_RE.sub(lambda m: _ADDR_ABBREV_MAP[m[1]], s)
    s = _SPACE_RE.sub(" ", s).strip()
    # Drop spaces between CJK characters and digits: "台北市 大安区" == "台北市大安区".
    s = _CJK_SPACE_RE.sub("", s)
    return s or None


_POSTCODE_FORMATS = {
    "TW": re.compile(r"^\d{3}(\d{2,3})?$"),
    "CN": re.compile(r"^\d{6}$"),
    "TH": re.compile(r"^\d{5}$"),
    "US": re.compile(r"^\d{5}(\d{4})?$"),
}


def normalize_postcode(value: str | None, country: str | None) -> str | None:
    """Normalise a postcode (NFKC, no spaces/dashes, upper case); US ZIP+4 cut to 5 digits."""
    if value is None:
        return None
    s = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()
    if not s:
        return None
    c = (country or "").upper()
    if c == "HK":
        return None  # Hong Kong has no postcodes; "000000" and similar are placeholders.
    fmt = _POSTCODE_FORMATS.get(c)
    if fmt is not None and not fmt.match(s):
        return None
    if c == "US":
        s = s[:5]
    return s


_ROC_RE = re.compile(
    r"^(?:民國|民国|中華民國|中华民国)\s*(\d{1,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"
)
_ROC_NUM_RE = re.compile(r"^(\d{2,3})[./-](\d{1,2})[./-](\d{1,2})$")
_CJK_DATE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_BE_RE = re.compile(r"(?:พ\.?\s*ศ\.?|B\.?E\.?)\s*(\d{4})", re.IGNORECASE)
_THAI_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("มกราคม", "ม.ค."),
            ("กุมภาพันธ์", "ก.พ."),
            ("มีนาคม", "มี.ค."),
            ("เมษายน", "เม.ย."),
            ("พฤษภาคม", "พ.ค."),
            ("มิถุนายน", "มิ.ย."),
            ("กรกฎาคม", "ก.ค."),
            ("สิงหาคม", "ส.ค."),
            ("กันยายน", "ก.ย."),
            ("ตุลาคม", "ต.ค."),
            ("พฤศจิกายน", "พ.ย."),
            ("ธันวาคม", "ธ.ค."),
        ]
    )
    for m in names
}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_NUM_RE = re.compile(r"^(\d{1,4})[./\-\s](\d{1,2})[./\-\s](\d{1,4})$")
_TEXT_MONTH_RE = re.compile(r"^(\d{1,2})?\s*([a-z]{3})[a-z]*\.?\s*(\d{1,2})?,?\s*(\d{4})$")


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    """Build a plausible birth date, or None."""
    try:
        out = dt.date(y, m, d)
    except ValueError:
        return None
    if not 1900 <= out.year <= 2100:
        return None
    return out


def _thai_date(s: str) -> dt.date | None:
    """Parse "15 มกราคม 2530" / "15 ม.ค. 2530" (Thai months; years above 2400 are BE)."""
    for name, month in _THAI_MONTHS.items():
        if name in s:
            nums = [int(x) for x in re.findall(r"\d+", s.replace(name, " "))]
            if len(nums) == 2:
                day, year = nums
                return _safe_date(year - 543 if year > 2400 else year, month, day)
    return None


def parse_birth_date(value: str | None, *, day_first: bool = True) -> dt.date | None:
    """Parse a birth date in ISO, local numeric, ROC (民國) or Thai Buddhist-Era forms."""
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", value).strip()
    if not s:
        return None
    if m := _ROC_RE.match(s):
        return _safe_date(int(m[1]) + 1911, int(m[2]), int(m[3]))
    if m := _CJK_DATE_RE.match(s):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if any(ch in s for ch in "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอฮ") and (out := _thai_date(s)):
        return out
    be = False
    if m := _BE_RE.search(s):
        be = True
        s = (s[: m.start()] + m[1] + s[m.end() :]).strip()
    s = s.lower().replace("t00:00:00", "").split("t")[0].strip()
    if len(s) == 8 and s.isdecimal():  # compact YYYYMMDD (isdigit() also takes "፩", int() not)
        y = int(s[:4])
        return _safe_date(y - 543 if (be or y > 2400) else y, int(s[4:6]), int(s[6:]))
    if m := _NUM_RE.match(s):
        a, b, c = int(m[1]), int(m[2]), int(m[3])
        if len(m[1]) == 4:
            y, mo, d = a, b, c
        elif len(m[3]) == 4:
            y = c
            mo, d = (b, a) if day_first else (a, b)
            if mo > 12 >= d:
                mo, d = d, mo
        elif len(m[1]) in (2, 3) and _ROC_NUM_RE.match(s) and a <= 150 and "/" not in s[:1]:
            y, mo, d = a + 1911, b, c  # ROC numeric "76/05/12"
        else:
            return None
        if be or y > 2400:
            y -= 543
        return _safe_date(y, mo, d)
    if m := _TEXT_MONTH_RE.match(s):
        mon = _MONTHS.get(m[2])
        day = m[1] or m[3]
        if mon and day:
            y = int(m[4])
            return _safe_date(y - 543 if (be or y > 2400) else y, mon, int(day))
    return None


def name_keys(value: str | None, region: str | None = None) -> NameKeys:
    """Alias of normalize_name with a region hint (romanisation system, name order)."""
    return normalize_name(value, region)
