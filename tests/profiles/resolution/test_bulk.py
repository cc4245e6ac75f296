"""The bulk (fast) normalisation gives exactly the records build_record gives one by one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cxloop.profiles.resolution.bulk import normalize_records
from cxloop.profiles.resolution.normalize import (
    name_from_parts,
    normalize_name,
    normalize_phone,
    normalize_phone_reference,
)
from cxloop.profiles.resolution.records import build_record, records_to_frame

# name, phone, phone2, email, birth date, address, postcode, country
ROWS = [
    (
        "陳威廷先生",
        "0912-345-678",
        "+886 2 2345 6789",
        "Weiting.Chen@Gmail.com",
        "民國76年5月12日",
        "台北市 大安區 復興南路一段 100號 5樓",
        "106",
        "TW",
    ),
    (
        "陳先生",
        "０９１２３４５６７８",
        "",
        "",
        "1987-05-12",
        "台北市大安区复兴南路一段100号5楼",
        "106",
        "tw",
    ),
    ("王小姐", "(02) 2345-6789", "0912345678", "wang+news@outlook.com", "76/05/12", "", "", "TW"),
    ("Chen, Wei-Ting", "+886912345678", "00886912345678", "", "12/05/1987", "", "10617", "TW"),
    (
        "คุณสมชาย ใจดี",
        "081 234 5678",
        "+66 2 123 4567",
        "somchai@example.co.th",
        "15 ม.ค. 2530",
        "99 ถนนสุขุมวิท",
        "10110",
        "TH",
    ),
    ("นางสาวสมหญิง รักไทย", "02-123-4567", "", "", "พ.ศ. 2530-01-15", "", "10110", "TH"),
    (
        "Somchai Jaidee",
        "+66812345678",
        "",
        "",
        "1987-01-15",
        "Soi 5 Thanon Sukhumvit",
        "10110",
        "TH",
    ),
    (
        "Mr. Robert Smith",
        "(206) 810-3805",
        "1-206-810-3805",
        "Bob.Smith@Example.com",
        "05/12/1987",
        "12 North Street, Apartment 4",
        "98101-1234",
        "US",
    ),
    (
        "Bob Smith",
        "2068103805",
        "+1 206 810 3805 ext. 12",
        "",
        "1987-05-12",
        "12 n st apt 4",
        "98101",
        "US",
    ),
    (
        "Peter Chan Tai Man",
        "9123 4567",
        "+852 2345 6789",
        "",
        "1987-05-12",
        "Flat A, 5/F",
        "000000",
        "HK",
    ),
    (
        "歐陽娜娜",
        "138 0013 8000",
        "010-6552 9988",
        "",
        "1987年5月12日",
        "北京市朝阳区",
        "100020",
        "CN",
    ),
    (
        "Zhang Zhihao",
        "+86 138 0013 8000",
        "1-800-FLOWERS",
        "bad-email",
        "not a date",
        "",
        "12",
        "CN",
    ),
    ("", "", "", "", "", "", "", "US"),
    ("  ", "12", "tel:+886912345678", "", "31/02/1990", "", "", ""),
]


def _raw(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    cols = ["name", "phone", "phone2", "email", "birth_date", "address", "postcode", "country"]
    df = pd.DataFrame(rows, columns=cols)
    df.insert(0, "record_id", np.arange(1, len(df) + 1))
    df.insert(1, "source", "crm")
    df.insert(2, "external_id", [f"C{i}" for i in range(len(df))])
    df["email_verified"] = [i % 2 == 0 for i in range(len(df))]
    df["ref"] = ["billing:B1" if i == 3 else "" for i in range(len(df))]
    return df


def _reference(raw: pd.DataFrame) -> pd.DataFrame:
    recs = [
        build_record(
            int(r.record_id),
            str(r.source),
            str(r.external_id),
            name=r.name or None,
            given_name=getattr(r, "given_name", None) or None,
            family_name=getattr(r, "family_name", None) or None,
            emails=[r.email],
            email_verified=bool(r.email_verified),
            phones=[r.phone, r.phone2],
            birth_date=r.birth_date or None,
            address=r.address or None,
            postcode=r.postcode or None,
            country=r.country or None,
            refs=[r.ref] if r.ref else [],
        )
        for r in raw.itertuples()
    ]
    return records_to_frame(recs)


def _same(fast: pd.DataFrame, ref: pd.DataFrame) -> None:
    for col in ref.columns:
        for got, want in zip(fast[col].tolist(), ref[col].tolist(), strict=True):
            if isinstance(want, (list, tuple)):
                assert list(got) == list(want), col
            elif col == "birth_date":
                assert (None if got is None or pd.isna(got) else got) == want, col
            else:
                assert (got if got not in ("", None) else None) == (
                    want if want not in ("", None) else None
                ), col


@pytest.mark.parametrize("workers", [1, 2])
def test_bulk_equals_record_by_record(workers: int) -> None:
    raw = _raw(ROWS * 3)  # repeats exercise the distinct-value caches
    fast = normalize_records(raw, workers=workers, chunk=4).to_pandas()
    _same(fast, _reference(raw))
    first = fast.iloc[0]
    assert list(first["phones"]) == ["+886912345678", "+886223456789"]
    assert first["name_key"] == "陈威廷" and first["gender"] == "m"
    assert fast.iloc[1]["name_key"] == "陈"  # 陳先生: the family name only
    assert fast.iloc[4]["birth_date"] == dt.date(1987, 1, 15)


def test_bulk_equals_reference_on_a_generated_population() -> None:
    from cxloop.profiles.synth import generate_population

    _, raw = generate_population(3_000, seed=11)
    fast = normalize_records(raw, workers=2).to_pandas()
    _same(fast, _reference(raw))


def test_phone_cache_key_gives_the_reference_result() -> None:
    values = [r[i] for r in ROWS for i in (1, 2)] + [
        "+886-912-345-678",
        "(0912) 345 678",
        "0912.345.678",
        "+1 (206) 810-3805",
        "0087 12",
        "000912345678",
        "+886 0912 345 678",
    ]
    for v in values:
        for region in ("TW", "HK", "CN", "TH", "US", None):
            assert normalize_phone(v, region) == normalize_phone_reference(v, region), (v, region)


def test_e164_results_are_fixed_points() -> None:
    from cxloop.profiles.synth import generate_population

    _, raw = generate_population(2_000, seed=5)
    for v, c in zip(raw["phone"], raw["country"], strict=True):
        out = normalize_phone_reference(v, c)
        if out:
            assert normalize_phone_reference(out, None) == out


@pytest.mark.parametrize(
    ("given", "family", "region", "expect"),
    [
        ("samant ha", "pascoe", "AU", ("samant", "pascoe")),
        ("John", "van der Berg", "US", ("john", "vanderberg")),
        ("Wei-Ting", "Chen", "TW", ("weiting", "chen")),
        ("威廷", "陳", "TW", ("weiting", "chen")),
        (
            "สมชาย",
            "ใจดี",
            "TH",
            (normalize_name("สมชาย ใจดี").given, normalize_name("สมชาย ใจดี").family),
        ),
        ("Tai Man", "Chan", "HK", ("taiman", "chan")),
        ("", "Campbell", "AU", ("", "campbell")),
    ],
)
def test_name_from_parts_keeps_the_roles(given, family, region, expect) -> None:
    nk = normalize_name(name_from_parts(given, family), region)
    assert (nk.given, nk.family) == expect
    rec = build_record(1, "crm", "C1", given_name=given, family_name=family, country=region)
    assert (rec.given, rec.family) == expect


def test_results_holding_the_packing_separator_come_back_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers join string results into one string; a result with the separator is not."""
    from cxloop.profiles.resolution import bulk

    monkeypatch.setitem(bulk._FUNCS, "addr", lambda v, _c: v)
    values = ["a\x1fb", "c", ""]
    packed, part = bulk._apply(("addr", values, ["", "", ""]))
    assert not packed
    assert list(bulk._unpack("addr", packed, part)) == values
    packed, part = bulk._apply(("addr", ["c", "", "d"], ["", "", ""]))
    assert packed
    assert list(bulk._unpack("addr", packed, part)) == ["c", "", "d"]
    packed, part = bulk._apply(("name", ["Chen Weiting", "陳先生"], ["TW", "TW"]))
    rows = bulk._unpack("name", packed, part)
    assert packed and rows.shape == (2, len(bulk.NAME_FIELDS))
    assert rows[1][0] == normalize_name("陳先生", "TW").key
