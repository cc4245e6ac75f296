import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxloop.profiles.resolution import thai
from cxloop.profiles.resolution.normalize import (
    normalize_address,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    parse_birth_date,
)


def test_traditional_and_simplified_compare_equal():
    trad, simp = normalize_name("陳威廷"), normalize_name("陈威廷")
    assert trad.key == simp.key == "陈威廷"
    assert trad.latin == simp.latin == "chen weiting"
    assert trad.script == "han"
    assert (trad.family, trad.given) == ("chen", "weiting")


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("Chen Wei-Ting", "TW"),
        ("CHEN, WEI-TING", "TW"),
        ("Wei-Ting Chen", "TW"),
        ("Chen Wei Ting", "TW"),
        ("Chen Weiting", "CN"),
    ],
)
def test_romanisations_meet_the_characters(raw, region):
    assert normalize_name(raw, region).latin == normalize_name("陳威廷").latin


def test_wade_giles_and_hanyu_pinyin_share_a_key():
    wg = normalize_name("Chang Chih-Hao", "TW")
    py = normalize_name("Zhang Zhihao", "CN")
    han = normalize_name("張志豪")
    assert wg.latin == py.latin == han.latin == "chang chihhao"


def test_surname_readings_and_compound_surnames():
    assert normalize_name("曾志偉").family == "tseng"  # not the everyday reading "ceng"
    oy = normalize_name("歐陽娜娜")
    assert (oy.family, oy.given) == ("ouyang", "nana")


@pytest.mark.parametrize(
    ("raw", "gender", "key"),
    [
        ("陳威廷先生", "m", "陈威廷"),
        ("陳威廷小姐", "f", "陈威廷"),
        ("王女士", "f", "王"),
        ("Mr. Robert Smith", "m", "robert smith"),
        ("Ms Jane Doe", "f", "jane doe"),
        ("Dr Jane Doe", "", "jane doe"),
        ("นายสมชาย ใจดี", "m", "สมชาย ใจดี"),
        ("นางสาวสมศรี รักไทย", "f", "สมศรี รักไทย"),
        ("คุณสมศรี", "", "สมศรี"),
    ],
)
def test_honorifics_are_stripped_and_hint_gender(raw, gender, key):
    nk = normalize_name(raw)
    assert nk.key == key
    assert nk.gender == gender


def test_surname_with_honorific_keeps_only_the_family():
    nk = normalize_name("陳先生")
    assert (nk.family, nk.given, nk.gender) == ("chen", "", "m")


def test_full_width_characters_are_folded():
    nk = normalize_name("ＣＨＥＮ　Ｗｅｉ－Ｔｉｎｇ", "TW")
    assert nk.display == "CHEN Wei-Ting"
    assert nk.latin == "chen weiting"


def test_cantonese_romanisation_and_english_names():
    hk = normalize_name("Peter Chan Tai Man", "HK")
    assert (hk.family, hk.given, hk.given_alt, hk.system) == ("chan", "taiman", "peter", "yue")
    assert hk.family_alt == "chen"  # 陳 in Mandarin
    assert normalize_name("陳大文").family_alt == "chan"
    assert normalize_name("Vivian Wong", "HK").system == "eng"


def test_nicknames_resolve_to_formal_names():
    assert normalize_name("Bob Smith", "US").given_alt == "robert"
    assert normalize_name("SMITH, ROBERT", "US").given == "robert"


@pytest.mark.skipif(not thai.romanizer_available(), reason="pythainlp not installed")
def test_thai_script_gets_a_romanised_key_close_to_common_spellings():
    script = normalize_name("สมชาย ใจดี")
    latin = normalize_name("Somchai Jaidee", "TH")
    assert script.script == "thai"
    assert script.latin == latin.latin  # RTGS "chaidi" and "Jaidee" fold together


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0912-345-678", "TW", "+886912345678"),
        ("+886 912 345 678", None, "+886912345678"),
        ("(02) 2345-6789", "TW", "+886223456789"),
        ("9123 4567", "HK", "+85291234567"),
        ("(852) 2345-6789", "HK", "+85223456789"),
        ("138 1234 5678", "CN", "+8613812345678"),
        ("010-6512 3456", "CN", "+861065123456"),
        ("081-234-5678", "TH", "+66812345678"),
        ("02-123-4567", "TH", "+6621234567"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("00886912345678", None, "+886912345678"),
        ("０９１２３４５６７８", "TW", "+886912345678"),
    ],
)
def test_phones_to_e164(raw, region, e164):
    assert normalize_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["12345", "", "call me", "0912"])
def test_invalid_phones_are_none(raw):
    assert normalize_phone(raw, "TW") is None


@settings(max_examples=150, deadline=None)
@given(
    region=st.sampled_from(["TW", "HK", "CN", "TH", "US"]),
    digits=st.text(alphabet="0123456789", min_size=7, max_size=12),
    prefix=st.sampled_from(["", "0", "+", "00"]),
)
def test_normalize_phone_is_idempotent(region, digits, prefix):
    once = normalize_phone(prefix + digits, region)
    if once is not None:
        assert once.startswith("+")
        assert normalize_phone(once, region) == once
        assert normalize_phone(once, None) == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1987-05-12", dt.date(1987, 5, 12)),
        ("12/05/1987", dt.date(1987, 5, 12)),
        ("民國76年5月12日", dt.date(1987, 5, 12)),
        ("76/05/12", dt.date(1987, 5, 12)),
        ("1987年5月12日", dt.date(1987, 5, 12)),
        ("15 มกราคม 2530", dt.date(1987, 1, 15)),
        ("15 ม.ค. 2530", dt.date(1987, 1, 15)),
        ("15/01/2530", dt.date(1987, 1, 15)),
        ("พ.ศ. 2530-01-15", dt.date(1987, 1, 15)),
        ("May 12, 1987", dt.date(1987, 5, 12)),
        ("19870512", dt.date(1987, 5, 12)),
        ("31/02/1990", None),
        ("not a date", None),
    ],
)
def test_birth_dates(raw, expected):
    assert parse_birth_date(raw) == expected


def test_us_dates_are_month_first_when_asked():
    assert parse_birth_date("05/12/1987", day_first=False) == dt.date(1987, 5, 12)


def test_emails():
    assert normalize_email("Chen.Wei+shop@GMail.com") == "chenwei@gmail.com"
    assert normalize_email("Foo+tag@Hotmail.com") == "foo@hotmail.com"
    assert normalize_email(" A.B@Yahoo.com.tw ") == "a.b@yahoo.com.tw"  # dots kept off gmail
    assert normalize_email("bad@") is None


def test_addresses_and_postcodes():
    a = normalize_address("臺北市 大安區 復興南路一段 100 號 5 樓")
    b = normalize_address("台北市大安區復興南路一段100號5樓")
    assert a == b
    assert normalize_address("123 Main Street, Apt 4") == "123 main st apt 4"
    assert normalize_postcode("94105-1234", "US") == "94105"
    assert normalize_postcode("000000", "HK") is None
    assert normalize_postcode("10110", "TH") == "10110"


def test_birth_dates_of_digits_int_refuses_are_not_dates() -> None:
    assert parse_birth_date("\u1369" * 8) is None  # Ethiopic digits: isdigit() but not decimal
    assert parse_birth_date("\u0663" * 8) is None  # Arabic-Indic 33333333: decimal, no such date
