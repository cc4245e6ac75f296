"""The column validator: the fast path of validation, batch by batch and field by field.

Rows of a batch are grouped by their key tuple, so the header -> field mapping is resolved once per
shape, not once per row; then each field is parsed as a column with a parser specialised for the
common case (ASCII text, an exact enum value, an ISO date-time). Anything out of the common case is
parsed by the reference parser of that value (``Validator.parse``), and a row with any problem is
handed whole to the reference ``Validator.validate`` so that its errors are exactly the reference's.
A row accepted here is therefore accepted there with the same values (``tests/ingest`` checks this
with generated rows).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from cxloop.profiles.ingest import values as v
from cxloop.profiles.ingest.fields import CURRENCY_EXPONENTS, FieldSpec
from cxloop.profiles.ingest.validation import (
    IGNORED_COLUMNS,
    MAX_KEYS,
    Canonical,
    FieldError,
    Validator,
    blank,
    clean_key,
)

Row = tuple[Any, ...]  # the values in field order, then the dict of extra fields
Column = Callable[[Sequence[Any], list[Any] | None], list[Any]]


class _Bad:
    """Marks a value (and so its row) that the reference validator must look at."""


BAD = _Bad()
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_BOOLS = {**dict.fromkeys(v.TRUE, True), **dict.fromkeys(v.FALSE, False)}
_DEPENDS = {
    "money": "currency",
    "phones": "country",
    "birthdate": "country",
}  # a parse that reads another field


class _Plan:
    """How the columns of one row shape map onto the entity's fields."""

    __slots__ = ("checked", "extras", "get", "keys", "mapped")

    def __init__(self, keys: list[str | None], extras: list[str], checked: list[str]) -> None:
        self.keys = keys  # per field (in spec order): the source column, or None
        self.extras = extras  # columns kept as extra attributes
        self.checked = checked  # ignored columns whose values must still be storable
        self.mapped = [k for k in keys if k is not None]
        # all mapped values of a row in one call (always a tuple: the key list is never empty)
        self.get = itemgetter(*self.mapped, self.mapped[0])


class ColumnValidator:
    """Validates a batch of rows of one entity with the semantics of a reference ``Validator``."""

    def __init__(self, ref: Validator) -> None:
        self.ref = ref
        self.specs = ref.specs
        self.index = {s.name: i for i, s in enumerate(self.specs)}
        self.plans: dict[tuple[Any, ...], _Plan | None] = {}
        self.parsers = [self._column(s) for s in self.specs]
        self.required = [
            i for i, s in enumerate(self.specs) if s.required and not ref.defaultable(s.name)
        ]
        self.depends = {
            i: self.index[_DEPENDS.get(s.type) or _DEPENDS[s.name]]
            for i, s in enumerate(self.specs)
            if s.type in _DEPENDS or s.name in _DEPENDS
        }

    def validate(self, rows: list[dict[str, Any]]) -> list[Row | list[FieldError]]:
        """Per row, in order: its content tuple, or the reference's errors."""
        out: list[Row | list[FieldError] | None] = [None] * len(rows)
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, row in enumerate(rows):
            groups.setdefault(tuple(row), []).append(i)
        for keys, idx in groups.items():
            plan = self._plan(keys)
            group = [rows[i] for i in idx]
            done = self._group(plan, group) if plan is not None else [None] * len(group)
            for i, row_out in zip(idx, done, strict=True):
                out[i] = row_out if row_out is not None else self._reference(rows[i])
        return out  # type: ignore[return-value]  # every slot is filled above

    def _reference(self, row: dict[str, Any]) -> Row | list[FieldError]:
        canon, errors = self.ref.validate(row)
        if canon is None:
            return errors
        return self.ref.content(canon)

    def canonical(self, row: Row) -> Canonical:
        """The canonical record of a content tuple."""
        values = {s.name: x for s, x in zip(self.specs, row, strict=False) if x is not None}
        return Canonical(values["external_id"], values, row[-1])

    def _plan(self, keys: tuple[Any, ...]) -> _Plan | None:
        if keys in self.plans:
            return self.plans[keys]
        self.plans[keys] = plan = self._make_plan(keys)
        return plan

    def _make_plan(self, keys: tuple[Any, ...]) -> _Plan | None:
        if len(keys) > MAX_KEYS:
            return None
        fields: list[str | None] = [None] * len(self.specs)
        extras: list[str] = []
        checked: list[str] = []
        seen: set[str] = set()
        for key in keys:
            if not isinstance(key, str) or v.string_problem(key, 200):
                return None
            if key in IGNORED_COLUMNS:
                checked.append(key)
                continue
            ck = clean_key(key)
            name = self.ref.lookup.get(ck)
            if name is None and ck.endswith("_minor") and ck[:-6] in self.ref.money_fields:
                return None
            if name is None:
                extras.append(key)
                continue
            if name in seen:
                return None  # two columns for one field: the reference names the clash
            seen.add(name)
            if name in self.index:
                fields[self.index[name]] = key
        if any(fields[i] is None for i in self.required):
            return None
        return _Plan(fields, extras, checked)

    def _group(self, plan: _Plan, group: list[dict[str, Any]]) -> list[Row | None]:
        n = len(group)
        given = dict(zip(plan.mapped, zip(*map(plan.get, group), strict=False), strict=False))
        cols: list[list[Any]] = []
        for i, key in enumerate(plan.keys):
            if key is None:
                cols.append([None] * n)
                continue
            dep = self.depends.get(i)
            dep_key = plan.keys[dep] if dep is not None else None
            context = list(given[dep_key]) if dep_key is not None else None
            cols.append(self.parsers[i](given[key], context))
        ok = [True] * n
        for col in cols:
            if BAD in col:
                for j, x in enumerate(col):
                    if x is BAD:
                        ok[j] = False
        for i in self.required:
            col = cols[i]
            if None in col:
                for j, x in enumerate(col):
                    if x is None:
                        ok[j] = False
        extras = self._extras(plan, group, ok)
        self._cross_checks(cols, ok)
        self._default_ids(cols, ok)
        return [
            row if good else None
            for row, good in zip(zip(*cols, extras, strict=True), ok, strict=True)
        ]

    def _extras(self, plan: _Plan, group: list[dict[str, Any]], ok: list[bool]) -> list[Any]:
        if not plan.extras and not plan.checked:
            return [{}] * len(group)  # shared and never mutated
        out: list[Any] = []
        problem = self.ref.extra_problem
        for j, r in enumerate(group):
            extra = {}
            for key in plan.extras:
                x = r[key]
                if blank(x):
                    continue
                if problem(x):
                    ok[j] = False
                extra[key] = x
            for key in plan.checked:
                x = r[key]
                if not blank(x) and problem(x):
                    ok[j] = False
            out.append(extra)
        return out

    def _cross_checks(self, cols: list[list[Any]], ok: list[bool]) -> None:
        ix = self.index
        if self.ref.entity == "customer":
            parts = [cols[ix[f]] for f in ("full_name", "given_name", "family_name", "emails")]
            for j, given in enumerate(zip(*parts, cols[ix["phones"]], strict=True)):
                if ok[j] and not any(given):
                    ok[j] = False
        for first, last in (("started_at", "ended_at"), ("start_date", "end_date")):
            if first in ix and last in ix:
                for j, (a, b) in enumerate(zip(cols[ix[first]], cols[ix[last]], strict=True)):
                    if ok[j] and a and b and b < a:
                        ok[j] = False
        if "monthly_amount" in ix:
            amounts, currencies = cols[ix["monthly_amount"]], cols[ix["currency"]]
            for j, (amount, cur) in enumerate(zip(amounts, currencies, strict=True)):
                if amount is not None and cur is None:
                    ok[j] = False

    def _default_ids(self, cols: list[list[Any]], ok: list[bool]) -> None:
        if not self.ref.defaultable("external_id"):
            return
        ids = cols[self.index["external_id"]]
        parts = [f for f in ("customer_id", "channel", "purpose") if f in self.index]
        for j, ext in enumerate(ids):
            if ext is None and ok[j]:
                ids[j] = self.ref.default_external_id({f: cols[self.index[f]][j] for f in parts})

    # --- column parsers -------------------------------------------------------------------------

    def _slow(self, spec: FieldSpec) -> Callable[..., Any]:
        parse = self.ref.parse
        dep = _DEPENDS.get(spec.type) or _DEPENDS.get(spec.name)

        def slow(x: Any, dep_value: Any = None) -> Any:
            if blank(x):
                return None
            given = {} if dep is None or blank(dep_value) else {dep: dep_value}
            parsed, problem = parse(spec, x, given)
            return BAD if problem else parsed

        return slow

    def _column(self, spec: FieldSpec) -> Column:
        slow = self._slow(spec)
        fast = self._fast(spec)
        if fast is None:

            def generic(raw: Sequence[Any], context: list[Any] | None) -> list[Any]:
                if context is None:
                    return [slow(x) for x in raw]
                return [slow(x, c) for x, c in zip(raw, context, strict=True)]

            return generic

        def column(raw: Sequence[Any], _context: list[Any] | None) -> list[Any]:
            out = fast(raw)
            if None in out:
                for j, x in enumerate(out):
                    if x is None and raw[j] is not None:
                        out[j] = slow(raw[j])
            return out

        return column

    def _fast(self, spec: FieldSpec) -> Callable[[Sequence[Any]], list[Any]] | None:
        """A parser of the common case (None where it is not sure), or None for none."""
        kind, name = spec.type, spec.name
        if kind == "str" and name == "country":
            regions = v.REGIONS
            return lambda raw: [x if x.__class__ is str and x in regions else None for x in raw]
        if kind == "str" and name not in ("language", "quiet_hours", "timezone"):
            return _ascii_str(spec.max_len)
        if kind == "text":
            limit = min(spec.max_len or self.ref.max_field_chars, self.ref.max_field_chars)
            return _text(limit)
        if kind == "enum":
            choices = {c: c for c in spec.choices}
            return lambda raw: [choices.get(x) if x.__class__ is str else None for x in raw]
        if kind == "bool":
            return lambda raw: [
                x if x.__class__ is bool else _BOOLS.get(x) if x.__class__ is str else None
                for x in raw
            ]
        if kind == "int":
            top = v.MAX_INT
            return lambda raw: [x if x.__class__ is int and -top <= x <= top else None for x in raw]
        if kind == "currency":
            codes = CURRENCY_EXPONENTS
            return lambda raw: [x if x.__class__ is str and x in codes else None for x in raw]
        if kind == "date":
            return lambda raw: [_iso_date(x) for x in raw]
        if kind == "datetime":
            tz = self.ref.tz
            return lambda raw: [_iso_datetime(x, tz) for x in raw]
        return None


def _ascii_str(limit: int) -> Callable[[Sequence[Any]], list[Any]]:
    limit = limit or 1 << 62

    def run(raw: Sequence[Any]) -> list[Any]:
        # white space only gives "" -> None: "not given" is then settled by the reference parser
        return [
            " ".join(x.split()) or None
            if x.__class__ is str and x.isascii() and len(x) <= limit and "\x00" not in x
            else None
            for x in raw
        ]

    return run


def _text(limit: int) -> Callable[[Sequence[Any]], list[Any]]:
    search = v.SURROGATE.search

    def run(raw: Sequence[Any]) -> list[Any]:
        return [
            x
            if x.__class__ is str
            and x
            and len(x) <= limit
            and not x.isspace()
            and "\x00" not in x
            and (x.isascii() or search(x) is None)
            else None
            for x in raw
        ]

    return run


def _iso_date(x: Any) -> date | None:
    if x.__class__ is str and _ISO_DATE.match(x):
        try:
            return date.fromisoformat(x)
        except ValueError:
            return None
    return None


def _iso_datetime(x: Any, tz: Any) -> datetime | None:
    if x.__class__ is not str or len(x) > 64 or not x.isascii():
        return None
    try:
        d = datetime.fromisoformat(x.replace("Z", "+00:00") if x.endswith("Z") else x)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=tz)
    if not 1970 <= d.year <= 2100:
        return None
    return d.astimezone(UTC)
