"""Row validation (the reference): map a source row onto fields, parse it, name every problem.

Pure functions. A row either yields a canonical record (typed values plus the extra fields kept as
attributes) or a list of ``FieldError`` naming the field and the reason; never an exception. The
column validator (``columns.py``) must agree with this one on every row; a property test holds
them together.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

import orjson

from cxloop.profiles.ingest import values as v
from cxloop.profiles.ingest.fields import CURRENCY_EXPONENTS, SPECS, FieldSpec

MAX_KEYS = 300
IGNORED_COLUMNS = frozenset({"_line", "_errors"})  # added by our own rejected-rows download
_KEY_CLEAN = re.compile(r"[\s\-./]+")


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


def content_hash(content: Sequence[Any]) -> str:
    """SHA-256 of a record's content: its values in field order, then its extra fields."""
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def clean_key(key: str) -> str:
    """Normalise a column header: NFKC, trimmed, lower case, separators to underscores."""
    return _KEY_CLEAN.sub("_", unicodedata.normalize("NFKC", key).strip().casefold()).strip("_")


def field_lookup(entity: str) -> dict[str, str]:
    """Column name (cleaned) -> canonical field, from the fields' names and aliases."""
    lookup: dict[str, str] = {}
    for spec in SPECS[entity]:
        lookup[spec.name] = spec.name
        for alias in spec.aliases:
            lookup.setdefault(alias, spec.name)
    return lookup


def mapping_target(entity: str, target: str) -> str | None:
    """The field of ``entity`` a field mapping's target names (a field or an alias), or None."""
    return field_lookup(entity).get(clean_key(target))


def blank(value: Any) -> bool:
    """Whether a value counts as not given (null or only white space)."""
    return value is None or (isinstance(value, str) and not value.strip())


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
        self.mapping = mapping
        self.timezone = timezone
        self.specs = SPECS[entity]
        self.names = tuple(s.name for s in self.specs)
        self.max_field_chars = max_field_chars
        self.default_region = default_region
        self.tz: tzinfo = v.time_zone(timezone) or UTC
        self.money_fields = {s.name for s in self.specs if s.type == "money"}
        # source column (cleaned) -> canonical field name
        self.lookup: dict[str, str] = field_lookup(entity)
        fields = dict(self.lookup)
        for src, dst in (mapping or {}).items():
            # a target saved before targets were checked may be an alias ("email" for "emails")
            self.lookup[clean_key(src)] = fields.get(clean_key(dst), dst)

    def content(self, rec: Canonical) -> tuple[Any, ...]:
        """What the content hash is taken of: the values in field order, then the extras."""
        return (*(rec.values.get(n) for n in self.names), rec.extra)

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
            kp = v.string_problem(key, 200)
            if kp:
                errors.append(FieldError(key[:60], f"field name {kp}"))
                continue
            if blank(value):
                continue
            if key in IGNORED_COLUMNS:
                problem = self.extra_problem(value)
                if problem:
                    errors.append(FieldError(key, problem))
                continue
            ck = clean_key(key)
            name = self.lookup.get(ck)
            if name is None and ck.endswith("_minor") and ck[:-6] in self.money_fields:
                name = ck[:-6]
                value = _Minor(value)
            if name is None:
                problem = self.extra_problem(value)
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
                if spec.required and not self.defaultable(spec.name):
                    errors.append(FieldError(spec.name, "is required"))
                continue
            parsed, problem = self.parse(spec, raw, given)
            if problem:
                errors.append(FieldError(spec.name, problem))
            elif parsed is not None:
                values[spec.name] = parsed
        if not errors:
            errors.extend(self.cross_checks(values))
        if errors:
            return None, errors
        external_id = values.get("external_id") or self.default_external_id(values)
        values["external_id"] = external_id
        return Canonical(external_id, values, extra), []

    def defaultable(self, name: str) -> bool:
        """Whether a missing required field gets a default (the id of consents and preferences)."""
        return name == "external_id" and self.entity in ("consent", "preference")

    def default_external_id(self, values: dict[str, Any]) -> str:
        """The id of a consent or preference given without one."""
        if self.entity == "consent":
            return f"{values['customer_id']}:{values['channel']}:{values['purpose']}"
        return str(values["customer_id"])

    def extra_problem(self, value: Any) -> str | None:
        """Why a value of a column that is not a canonical field cannot be kept, or None."""
        if isinstance(value, str):
            return v.string_problem(value, self.max_field_chars)
        if isinstance(value, dict | list):
            dumped, problem = v.dump(value)
            if dumped is None:
                return problem
            if len(dumped) > self.max_field_chars:
                return (
                    f"is too large ({len(dumped):,} bytes; the limit is {self.max_field_chars:,})"
                )
        if v.big_int(value):
            return f"is a {v.TOO_BIG}"
        return None

    def cross_checks(self, values: dict[str, Any]) -> list[FieldError]:
        """Rules between fields (a row passes them only once every field is valid)."""
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

    def parse(self, spec: FieldSpec, raw: Any, given: dict[str, Any]) -> tuple[Any, str | None]:
        """Parse one given (non-blank) value of a field."""
        kind = spec.type
        if isinstance(raw, _Minor):
            if spec.type != "money":
                return None, "minor units are only for amounts"
            return v.parse_int(raw.value, unicodedata.normalize("NFKC", str(raw.value)).strip())
        if kind == "json":
            return v.parse_json(raw, self.max_field_chars)
        if kind == "list":
            return self._parse_list(spec, raw, given)
        if isinstance(raw, dict | list):
            return None, "must be a single value, not a list or object"
        if kind in ("str", "text") and v.big_int(raw):  # kept as text, but not as JSON payload
            return None, f"is a {v.TOO_BIG}"
        if kind == "text":
            text = raw if isinstance(raw, str) else str(raw)
            limit = spec.max_len or self.max_field_chars
            return (text, v.string_problem(text, min(limit, self.max_field_chars)))
        if isinstance(raw, bool) and kind not in ("bool",):
            return None, "must not be true/false"
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        problem = v.string_problem(text, max(spec.max_len, 64) if kind != "str" else spec.max_len)
        if problem:
            return None, problem
        if kind == "str":
            return self._parse_str(spec, text)
        if kind == "int":
            return v.parse_int(raw, text)
        if kind == "bool":
            return v.parse_bool(raw, text)
        if kind == "date":
            return v.parse_date(text)
        if kind == "birthdate":
            region = str(given.get("country") or self.default_region or "").strip().upper()
            return v.parse_birthdate(text, day_first=region != "US")
        if kind == "datetime":
            return v.parse_datetime(raw, text, self.tz)
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
            return v.parse_money(raw, text, currency, CURRENCY_EXPONENTS)
        return None, f"has an unknown type {kind}"

    def _parse_str(self, spec: FieldSpec, text: str) -> tuple[Any, str | None]:
        name = spec.name
        if name == "country":
            code = text.upper()
            if code not in v.REGIONS:
                return None, f"must be an ISO 3166 two-letter country code (got {text[:10]!r})"
            return code, None
        if name == "language" and not v.LANG.match(text):
            return None, f"must be a language tag such as en, zh-Hant, th (got {text[:20]!r})"
        if name == "quiet_hours" and not v.QUIET.match(text):
            return None, "must look like 21:00-08:00"
        if name == "timezone" and v.time_zone(text) is None:
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
            split = v.PHONE_SPLIT if spec.name == "phones" else v.LIST_SPLIT
            items = [p for p in split.split(text) if p.strip()]
        else:
            return None, "must be text or a list"
        if len(items) > 20:
            return None, f"has {len(items)} values; the limit is 20"
        out: list[str] = []
        for item in items:
            if not isinstance(item, str | int) or isinstance(item, bool):
                return None, "values must be text"
            if v.big_int(item):
                return None, f"holds a {v.TOO_BIG}"
            value = unicodedata.normalize("NFKC", str(item)).strip()
            problem = v.string_problem(value, spec.max_len)
            if problem:
                return None, problem
            if spec.name == "emails":
                if not v.EMAIL.match(value):
                    return None, f"{value[:60]!r} is not an email address"
            elif spec.name == "phones":
                region = str(given.get("country") or self.default_region or "US").upper()
                problem = v.phone_problem(value, region)
                if problem:
                    return None, problem
            elif spec.name == "preferred_channels":
                value = value.casefold()
            elif spec.name == "refs" and not v.REF.match(value):
                return None, f"{value[:60]!r} must name another source's id as source:id"
            if value not in out:
                out.append(value)
        return out, None


@dataclass(frozen=True)
class _Minor:
    """An amount already given in minor units (a column named ``<field>_minor``)."""

    value: Any
