"""Row validation: map a source row onto canonical fields, parse types, name every problem.

Pure functions. A row either yields a canonical record (typed values plus the extra fields kept as
attributes) or a list of ``FieldError`` naming the field and the reason; never an exception.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import phonenumbers

from cxloop.profiles.ingest.fields import CURRENCY_EXPONENTS, SPECS, FieldSpec

MAX_KEYS = 300
IGNORED_COLUMNS = frozenset({"_line", "_errors"})  # added by our own rejected-rows download
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_KEY_CLEAN = re.compile(r"[\s\-./]+")
_TRUE = {"true", "t", "yes", "y", "1", "on", "是", "ใช่"}
_FALSE = {"false", "f", "no", "n", "0", "off", "否", "ไม่"}
_LIST_SPLIT = re.compile(r"\s*[;|,]\s*")
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


@dataclass
class FieldError:
    """Why one field of a row was refused."""

    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"field": self.field, "reason": self.reason}


@dataclass
class Canonical:
    """A validated row: typed canonical values and the source's extra fields."""

    external_id: str
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def content(self) -> dict[str, Any]:
        """The JSON-ready content whose hash identifies this version."""
        return {"values": _jsonable(self.values), "extra": self.extra}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        out[k] = v.isoformat() if isinstance(v, date | datetime) else v
    return out


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a record's content."""
    import hashlib

    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def clean_key(key: str) -> str:
    """Normalise a column header: NFKC, trimmed, lower case, separators to underscores."""
    return _KEY_CLEAN.sub("_", unicodedata.normalize("NFKC", key).strip().casefold()).strip("_")


def _string_problem(value: str, limit: int) -> str | None:
    """Why a raw string cannot be stored as is, or None."""
    if limit and len(value) > limit:
        return f"is too long ({len(value):,} characters; the limit is {limit:,})"
    if "\x00" in value:
        return "contains a NUL character"
    for ch in value:
        if "\ud800" <= ch <= "\udfff":
            if "\udc80" <= ch <= "\udcff":
                return (
                    f"has a byte (0x{ord(ch) - 0xDC00:02X}) that is not valid in the file's "
                    "encoding; re-save the file as UTF-8"
                )
            return "contains invalid Unicode (a lone surrogate)"
    return None


class Validator:
    """Validates rows of one entity from one source."""

    def __init__(
        self,
        entity: str,
        mapping: dict[str, str] | None = None,
        timezone: str = "UTC",
        default_region: str | None = None,
        max_field_chars: int = 65_536,
    ) -> None:
        self.entity = entity
        self.specs = SPECS[entity]
        self.max_field_chars = max_field_chars
        self.default_region = default_region
        try:
            self.tz: tzinfo = ZoneInfo(timezone) if timezone else UTC
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = UTC
        self.money_fields = {s.name for s in self.specs if s.type == "money"}
        # source column (cleaned) -> canonical field name
        self.lookup: dict[str, str] = {}
        for spec in self.specs:
            self.lookup[spec.name] = spec.name
            for alias in spec.aliases:
                self.lookup.setdefault(alias, spec.name)
        for src, dst in (mapping or {}).items():
            self.lookup[clean_key(src)] = dst

    def validate(self, row: dict[str, Any]) -> tuple[Canonical | None, list[FieldError]]:
        """Validate one row; return the canonical record or the errors."""
        if not isinstance(row, dict):
            return None, [FieldError("(row)", "is not an object with named fields")]
        if len(row) > MAX_KEYS:
            return None, [FieldError("(row)", f"has {len(row)} fields; the limit is {MAX_KEYS}")]
        errors: list[FieldError] = []
        given: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in row.items():
            if not isinstance(key, str):
                errors.append(FieldError(str(key), "field names must be text"))
                continue
            kp = _string_problem(key, 200)
            if kp:
                errors.append(FieldError(key[:60], f"field name {kp}"))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if key in IGNORED_COLUMNS:
                continue
            ck = clean_key(key)
            name = self.lookup.get(ck)
            if name is None and ck.endswith("_minor") and ck[:-6] in self.money_fields:
                name = ck[:-6]
                value = _Minor(value)
            if name is None:
                problem = self._extra_problem(value)
                if problem:
                    errors.append(FieldError(key, problem))
                else:
                    extra[key] = value
                continue
            if name in given:
                errors.append(FieldError(key, f"repeats field '{name}' given by another column"))
                continue
            given[name] = value
        values: dict[str, Any] = {}
        for spec in self.specs:
            raw = given.get(spec.name)
            if raw is None:
                if spec.required and not self._defaultable(spec.name):
                    errors.append(FieldError(spec.name, "is required"))
                continue
            parsed, problem = self._parse(spec, raw, given)
            if problem:
                errors.append(FieldError(spec.name, problem))
            elif parsed is not None:
                values[spec.name] = parsed
        if not errors:
            errors.extend(self._cross_checks(values))
        if errors:
            return None, errors
        external_id = values.get("external_id") or self._default_external_id(values)
        values["external_id"] = external_id
        return Canonical(external_id, values, extra), []

    def _defaultable(self, name: str) -> bool:
        return name == "external_id" and self.entity in ("consent", "preference")

    def _default_external_id(self, values: dict[str, Any]) -> str:
        if self.entity == "consent":
            return f"{values['customer_id']}:{values['channel']}:{values['purpose']}"
        return str(values["customer_id"])

    def _extra_problem(self, value: Any) -> str | None:
        if isinstance(value, str):
            return _string_problem(value, self.max_field_chars)
        if isinstance(value, dict | list):
            dumped = _dump(value)
            if dumped is None:
                return "contains text that is not valid Unicode or a NUL character"
            if len(dumped) > self.max_field_chars:
                return (
                    f"is too large ({len(dumped):,} bytes; the limit is {self.max_field_chars:,})"
                )
        return None

    def _cross_checks(self, values: dict[str, Any]) -> list[FieldError]:
        errs: list[FieldError] = []
        if self.entity == "customer" and not (
            values.get("full_name")
            or values.get("given_name")
            or values.get("family_name")
            or values.get("emails")
            or values.get("phones")
        ):
            errs.append(FieldError("(row)", "a customer needs a name, an email or a phone"))
        start, end = values.get("started_at"), values.get("ended_at")
        if start and end and end < start:
            errs.append(FieldError("ended_at", "is before started_at"))
        start_d, end_d = values.get("start_date"), values.get("end_date")
        if start_d and end_d and end_d < start_d:
            errs.append(FieldError("end_date", "is before start_date"))
        if "monthly_amount" in values and "currency" not in values:
            errs.append(FieldError("currency", "is required with an amount"))
        return errs

    def _parse(self, spec: FieldSpec, raw: Any, given: dict[str, Any]) -> tuple[Any, str | None]:
        kind = spec.type
        if isinstance(raw, _Minor):
            if spec.type != "money":
                return None, "minor units are only for amounts"
            return _parse_int(raw.value, unicodedata.normalize("NFKC", str(raw.value)).strip())
        if kind == "json":
            return _parse_json(raw, self.max_field_chars)
        if kind == "list":
            return self._parse_list(spec, raw, given)
        if isinstance(raw, dict | list):
            return None, "must be a single value, not a list or object"
        if kind == "text":
            text = raw if isinstance(raw, str) else str(raw)
            limit = spec.max_len or self.max_field_chars
            return (text, _string_problem(text, min(limit, self.max_field_chars)))
        if isinstance(raw, bool) and kind not in ("bool",):
            return None, "must not be true/false"
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        problem = _string_problem(text, max(spec.max_len, 64) if kind != "str" else spec.max_len)
        if problem:
            return None, problem
        if kind == "str":
            return self._parse_str(spec, text)
        if kind == "int":
            return _parse_int(raw, text)
        if kind == "bool":
            return _parse_bool(raw, text)
        if kind == "date":
            return _parse_date(text)
        if kind == "birthdate":
            return _parse_birthdate(text)
        if kind == "datetime":
            return _parse_datetime(raw, text, self.tz)
        if kind == "enum":
            low = text.casefold()
            if low in spec.choices:
                return low, None
            return None, f"must be one of {', '.join(spec.choices)} (got {text[:40]!r})"
        if kind == "currency":
            code = text.upper()
            if code not in CURRENCY_EXPONENTS:
                return None, f"is not a supported ISO 4217 currency code (got {text[:10]!r})"
            return code, None
        if kind == "money":
            currency = str(given.get("currency", "")).strip().upper()
            return _parse_money(raw, text, currency)
        return None, f"has an unknown type {kind}"

    def _parse_str(self, spec: FieldSpec, text: str) -> tuple[Any, str | None]:
        name = spec.name
        if name == "country":
            code = text.upper()
            if code not in _REGIONS:
                return None, f"must be an ISO 3166 two-letter country code (got {text[:10]!r})"
            return code, None
        if name == "language" and not _LANG.match(text):
            return None, f"must be a language tag such as en, zh-Hant, th (got {text[:20]!r})"
        if name == "quiet_hours" and not _QUIET.match(text):
            return None, "must look like 21:00-08:00"
        if name == "timezone":
            try:
                ZoneInfo(text)
            except (ZoneInfoNotFoundError, ValueError):
                return None, f"is not an IANA time zone such as Asia/Taipei (got {text[:40]!r})"
        return " ".join(text.split()), None

    def _parse_list(
        self, spec: FieldSpec, raw: Any, given: dict[str, Any]
    ) -> tuple[Any, str | None]:
        items: list[Any]
        if isinstance(raw, list):
            items = raw
        elif isinstance(raw, str | int):
            text = str(raw)
            if spec.name == "phones":
                items = [p for p in re.split(r"\s*[;|/]\s*|,\s+", text) if p.strip()]
            else:
                items = [p for p in _LIST_SPLIT.split(text) if p.strip()]
        else:
            return None, "must be text or a list"
        if len(items) > 20:
            return None, f"has {len(items)} values; the limit is 20"
        out: list[str] = []
        for item in items:
            if not isinstance(item, str | int) or isinstance(item, bool):
                return None, "values must be text"
            value = unicodedata.normalize("NFKC", str(item)).strip()
            problem = _string_problem(value, spec.max_len)
            if problem:
                return None, problem
            if spec.name == "emails":
                if not _EMAIL.match(value):
                    return None, f"{value[:60]!r} is not an email address"
            elif spec.name == "phones":
                region = str(given.get("country") or self.default_region or "US").upper()
                problem = _phone_problem(value, region)
                if problem:
                    return None, problem
            elif spec.name == "preferred_channels":
                value = value.casefold()
            if value not in out:
                out.append(value)
        return out, None


@dataclass(frozen=True)
class _Minor:
    """An amount already given in minor units (a column named ``<field>_minor``)."""

    value: Any


def _dump(value: Any) -> bytes | None:
    try:
        dumped = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return None
    if b"\\u0000" in dumped:
        return None
    return dumped


def _parse_json(raw: Any, limit: int) -> tuple[Any, str | None]:
    value = raw
    if isinstance(raw, str):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return None, f"is not valid JSON ({exc})"
    if not isinstance(value, dict):
        return None, "must be a JSON object"
    dumped = _dump(value)
    if dumped is None:
        return None, "contains text that is not valid Unicode or a NUL character"
    if len(dumped) > limit:
        return None, f"is too large ({len(dumped):,} bytes; the limit is {limit:,})"
    return value, None


def _phone_problem(value: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(value, region if region in _REGIONS else "US")
    except phonenumbers.NumberParseException:
        return f"{value[:40]!r} is not a phone number"
    if not phonenumbers.is_possible_number(number):
        return f"{value[:40]!r} is not a possible phone number for region {region}"
    return None


def _parse_int(raw: Any, text: str) -> tuple[Any, str | None]:
    if isinstance(raw, int):
        return raw, None
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        return None, f"must be a whole number (got {text[:40]!r})"
    if abs(value) > 2**53:
        return None, "is out of range"
    return value, None


def _parse_bool(raw: Any, text: str) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return raw, None
    low = text.casefold()
    if low in _TRUE:
        return True, None
    if low in _FALSE:
        return False, None
    return None, f"must be true or false (got {text[:20]!r})"


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")


def _parse_date(text: str) -> tuple[Any, str | None]:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if "T" in text else text, fmt).date(), None
        except ValueError:
            continue
    return None, f"must be a date as YYYY-MM-DD (got {text[:40]!r})"


def _parse_birthdate(text: str) -> tuple[Any, str | None]:
    try:
        from cxloop.profiles.resolution.normalize import parse_birth_date
    except ImportError:  # the resolution library is optional at this layer
        return _parse_date(text)
    parsed = parse_birth_date(text)
    if parsed is None:
        return None, f"is not a recognised date (got {text[:40]!r})"
    if parsed.year < 1900 or parsed > date.today():
        return None, f"is out of range ({parsed.isoformat()})"
    return parsed, None


def _parse_datetime(raw: Any, text: str, tz: tzinfo) -> tuple[Any, str | None]:
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


def _parse_money(raw: Any, text: str, currency: str) -> tuple[Any, str | None]:
    exponent = CURRENCY_EXPONENTS.get(currency)
    if exponent is None:
        return None, "needs a valid currency to interpret the amount"
    if isinstance(raw, int) and not isinstance(raw, bool):
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
    scaled = amount * (Decimal(10) ** exponent)
    if scaled != scaled.to_integral_value():
        return None, f"has more decimals than {currency} allows ({exponent})"
    if abs(scaled) > Decimal(2**53):
        return None, "is out of range"
    return int(scaled), None
