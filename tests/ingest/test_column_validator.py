"""The column validator (the fast path) agrees with the reference row validator on every row.

Rows are generated from the field specs: canonical names, aliases and odd spellings of them,
extra and ignored columns, and values good, bad and strange for each type. Both validators must
reach the same decision; an accepted row must have the same content (so the same content hash),
a rejected row the same errors, in the same order.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxloop.profiles.ingest.columns import ColumnValidator
from cxloop.profiles.ingest.fields import ENTITIES, SPECS, FieldSpec
from cxloop.profiles.ingest.validation import Validator, content_hash

ODD_TEXT = [
    "",
    "   ",
    " padded ",
    "two  spaces",
    "tab\there",
    "nul\x00inside",
    "bad byte \udce9",
    "bad UTF-16 unit \udc00\udcd8 inside",
    "lone \ud800 surrogate",
    "ＦＵＬＬ　ＷＩＤＴＨ",
    "陳大文",
    "สมชาย ใจดี",
    "x" * 250,
    "=SUM(A1)",
    "\x1f",
]
DATETIMES = [
    "2026-03-01T14:30:00+08:00",
    "2026-03-01T14:30:00Z",
    "2026-03-01T14:30:00.123456Z",
    "2026-03-01T14:30:00",
    "2026-03-01 14:30:00",
    "2026/03/01 14:30:00",
    "2026-03-01",
    "2026-W09-1",
    "20260301T143000",
    " 2026-03-01T14:30:00Z ",
    "2026-03-01T14:30:00Z\n",
    "１９８０-０３-０４T10:00:00",
    "1969-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
    "yesterday",
    1767225600,
    -5,
    1.5e9,
    True,
]
DATES = ["2026-03-01", "2026/03/01", "20260301", "2026.03.01", "2026-02-30", "2026-3-1",
         "2026-03-01T10:00:00Z", "2026-W09-1", "01/03/2026", "soon", 20260301]  # fmt: skip
BIRTHDATES = ["1980-03-04", "04/03/1980", "1980年3月4日", "2999-01-01", "1899-12-31", "nope"]
BOOLS = [True, False, "yes", "NO", " true ", "1", "0", 1, 0, "是", "ไม่", "maybe", 2]
INTS = [0, 3, -7, 2**60, "12", "1,000", "1_000", " 5 ", "５", "x", 1.5, True]
CURRENCIES = ["TWD", "usd", " THB ", "XXX", "NT$", "JPY"]
MONEY = [12, -3, 2**60, "1,299.00", "NT$1,299", "1.234", "12.5", 1.5, "abc", "Infinity", True]
EMAILS = ["a@example.com", "A@Example.COM; b@example.tw", ["x@example.com", "x@example.com"],
          "not-an-email", ["ok@example.com", 5], "a@b.c", ["a@example.com"] * 21]  # fmt: skip
PHONES = ["0912-345-678", "+886 933 111 222", "02 123 4567, 081 234 5678", "123", ["0912345678"]]
CHANNELS_LISTS = ["email; SMS", ["App", "app"], "fax|", 7]
REFS = ["crm:C-1", "crm:C-1; web:W 9", ["billing:B1"], "C-1", "CRM:x", ["crm:"], "a:" + "x" * 300]
JSON_VALUES = [{"a": 1}, '{"b": [1, 2]}', "{broken", "[1, 2]", {"n": "\x00"}, {"deep": {"x": 1}}]
JUNK: list[Any] = [None, "", [], {}, ["a"], {"k": "v"}, 3.25, 10**30, "\x00"]


def _values_for(spec: FieldSpec) -> st.SearchStrategy[Any]:
    kind, name = spec.type, spec.name
    choices: list[Any]
    if kind == "enum":
        choices = [*spec.choices, spec.choices[0].upper(), f" {spec.choices[-1]} ", "other"]
    elif kind == "datetime":
        choices = DATETIMES
    elif kind == "date":
        choices = DATES
    elif kind == "birthdate":
        choices = BIRTHDATES
    elif kind == "bool":
        choices = BOOLS
    elif kind == "int":
        choices = INTS
    elif kind == "currency":
        choices = CURRENCIES
    elif kind == "money":
        choices = MONEY
    elif kind == "json":
        choices = JSON_VALUES
    elif name == "emails":
        choices = EMAILS
    elif name == "phones":
        choices = PHONES
    elif name == "refs":
        choices = REFS
    elif kind == "list":
        choices = CHANNELS_LISTS
    elif name == "country":
        choices = ["TW", "th", " US ", "ZZ", "Taiwan"]
    elif name == "language":
        choices = ["en", "zh-Hant", "th_TH", "english!", "e"]
    elif name == "quiet_hours":
        choices = ["21:00-08:00", "9pm-8am"]
    elif name == "timezone":
        choices = ["Asia/Taipei", "Mars/Base"]
    else:
        choices = ["C-1", "ev-0000001", "agent 7", 12345, *ODD_TEXT]
    plain = st.text(max_size=12) if kind in ("str", "text") else st.nothing()
    return st.one_of(st.sampled_from(choices), st.sampled_from(JUNK), plain)


def _spellings(spec: FieldSpec) -> list[str]:
    name = spec.name
    return [name, *spec.aliases, name.upper(), name.replace("_", " ").title(), f" {name}-x"[:-2]]


GOOD: dict[str, list[Any]] = {
    "str": ["C-1", "ev-0000001", "agent 7", "陳大文", " spaced  out ", 12345],
    "text": ["hello", "網路很慢 😡", " keep  spaces ", "=SUM(A1)"],
    "datetime": DATETIMES[:6],
    "date": DATES[:4],
    "birthdate": BIRTHDATES[:3],
    "bool": BOOLS[:8],
    "int": INTS[:7],
    "currency": CURRENCIES[:3],
    "money": MONEY[:7],
    "json": JSON_VALUES[:2],
}
GOOD_BY_NAME: dict[str, list[Any]] = {
    "emails": EMAILS[:3],
    "phones": PHONES[:3],
    "refs": REFS[:3],
    "preferred_channels": CHANNELS_LISTS[:2],
    "country": ["TW", "th", " US "],
    "language": ["en", "zh-Hant", "th_TH"],
    "quiet_hours": ["21:00-08:00"],
    "timezone": ["Asia/Taipei"],
}


def _good_for(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.type == "enum":
        return st.sampled_from([*spec.choices, spec.choices[0].upper()])
    return st.sampled_from(GOOD_BY_NAME.get(spec.name) or GOOD[spec.type])


@st.composite
def rows(draw: st.DrawFn, entity: str) -> dict[str, Any]:
    """A row of an entity as a source might send it: mostly valid, with a few odd things."""
    specs = SPECS[entity]
    optional = [s for s in specs if not s.required]
    chosen = [s for s in specs if s.required or s.name == "full_name"]  # valid unless spoilt
    chosen += draw(st.lists(st.sampled_from(optional), unique_by=lambda s: s.name))
    chosen = list({s.name: s for s in chosen}.values())
    row: dict[str, Any] = {}
    for spec in chosen:
        key = spec.name if draw(st.integers(0, 3)) else draw(st.sampled_from(_spellings(spec)))
        # mostly a good value; now and then anything at all (good, bad, odd)
        row[key] = draw(_good_for(spec) if draw(st.integers(0, 5)) else _values_for(spec))
    if chosen and not draw(st.integers(0, 5)):
        spec = draw(st.sampled_from(chosen))
        row = {k: x for k, x in row.items() if k not in _spellings(spec)}
    extra_keys = st.sampled_from(
        ["priority", "Segment Code", "_line", "_errors", "note\x00", "n\udcffote", "x"]
    )
    for key in draw(st.lists(extra_keys, max_size=2)):
        row[key] = draw(st.sampled_from([1, "high", "", None, {"a": [1]}, "\x00", 10**20]))
    if entity in ("holding", "order") and draw(st.integers(0, 4)) == 0:
        row["amount_minor" if entity == "order" else "monthly_amount_minor"] = draw(
            st.sampled_from([1299, "1299", "x"])
        )
    return row


def _agree(validator: Validator, batch: list[dict[str, Any]]) -> int:
    """Assert agreement on every row; return how many rows were accepted."""
    batch = [*batch, _valid_row(validator.entity)]
    fast = ColumnValidator(validator).validate(batch)
    assert len(fast) == len(batch)
    accepted = 0
    for row, got in zip(batch, fast, strict=True):
        canon, errors = validator.validate(row)
        if canon is None:
            assert got == errors, row
        else:
            want = validator.content(canon)
            assert got == want, row
            assert isinstance(got, tuple)
            assert content_hash(got) == content_hash(want)
            accepted += 1
    assert isinstance(fast[-1], tuple), "the known-valid row must be accepted"
    return accepted


def _valid_row(entity: str) -> dict[str, Any]:
    """A row every validator accepts (checked in each example, next to the generated ones)."""
    row: dict[str, Any] = {}
    for spec in SPECS[entity]:
        if spec.required or spec.name == "full_name":
            row[spec.name] = (
                spec.choices[0]
                if spec.type == "enum"
                else GOOD_BY_NAME.get(spec.name, GOOD[spec.type])[0]
            )
    return row


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("entity", ENTITIES)
@SETTINGS
@given(data=st.data())
def test_column_validator_agrees_with_the_reference(entity: str, data: st.DataObject) -> None:
    batch = data.draw(st.lists(rows(entity), max_size=6))
    # rows repeated in several shapes: the per-shape plans must not leak between rows
    batch += [dict(reversed(list(r.items()))) for r in batch[:2]]
    _agree(Validator(entity, None, "UTC", "TW", 120), batch)


@pytest.mark.parametrize("entity", ["interaction", "customer", "consent"])
@SETTINGS
@given(data=st.data())
def test_agreement_holds_with_a_mapping_a_time_zone_and_a_region(
    entity: str, data: st.DataObject
) -> None:
    mapping = {"Kanal": "channel", "Kunde": "customer_id", "Wann": "started_at", "Name": "nope"}
    batch = data.draw(st.lists(rows(entity), max_size=6))
    batch += [{"Kanal": "chat", "Kunde": "K1", "Wann": "2026-03-01 10:00", "id": "m1"}]
    _agree(Validator(entity, mapping, "Asia/Taipei", "TH", 65_536), batch)


def test_a_typical_batch_is_all_on_the_fast_path() -> None:
    """Guard the point of the fast path: ordinary rows never need the reference validator."""
    validator = Validator("interaction", None, "UTC", "TW")
    calls: list[Any] = []
    original = validator.validate
    validator.validate = lambda row: calls.append(row) or original(row)  # type: ignore[method-assign]
    batch = [
        {
            "id": f"ev-{i}",
            "customer_id": f"C{i}",
            "channel": "chat",
            "type": "billing question",
            "started_at": "2026-03-01T14:30:00+08:00",
            "ended_at": "2026-03-01T14:40:00+08:00",
            "text": "網路很慢 #1",
            "priority": "high",
        }
        for i in range(50)
    ]
    out = ColumnValidator(validator).validate(batch)
    assert all(isinstance(r, tuple) for r in out)
    assert calls == []


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_catalogued_value_in_every_field(entity: str) -> None:
    """Deterministic companion of the property test: each odd value in each field of a valid row."""
    catalogue = [*ODD_TEXT, *DATETIMES, *DATES, *BOOLS, *INTS, *MONEY, *JUNK, *JSON_VALUES]
    validator = Validator(entity, None, "Asia/Bangkok", "TW", 120)
    base = _valid_row(entity)
    batch = []
    for spec in SPECS[entity]:
        for value in [*catalogue, *_spellings(spec)]:
            batch.append({**base, spec.name: value})
    assert _agree(validator, batch) > len(SPECS[entity])
