"""Phones and email addresses of synthetic people (valid for phonenumbers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxloop.profiles.synth import pools
from cxloop.profiles.synth.textarr import S, cat, digits, pick, sl

if TYPE_CHECKING:
    from cxloop.profiles.synth.people import PeopleConfig

# Number ranges that phonenumbers accepts as valid mobiles (checked against its metadata).
_HK_MOBILE = np.array(["61", "63", "64", "65", "69", "92", "94", "96", "97"], dtype=S)
_CN_MOBILE = np.array(
    [f"13{d}" for d in range(10)]
    + [
        "150",
        "151",
        "152",
        "153",
        "155",
        "156",
        "157",
        "158",
        "159",
        "170",
        "171",
        "172",
        "173",
        "175",
        "176",
        "177",
        "178",
        "180",
        "181",
        "182",
        "183",
        "184",
        "185",
        "186",
        "187",
        "188",
        "189",
    ],
    dtype=S,
)
_TH_MOBILE = np.array(
    [
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "66",
        "68",
        "80",
        "81",
        "82",
        "83",
        "84",
        "85",
        "86",
        "87",
        "88",
        "89",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
        "98",
        "99",
    ],
    dtype=S,
)
COUNTRY_CODES = {"TW": "886", "HK": "852", "CN": "86", "TH": "66", "US": "1"}
_COMPANIES = np.array(
    [
        "acme",
        "globex",
        "initech",
        "umbrella",
        "hooli",
        "vandelay",
        "stark",
        "wayne",
        "tyrell",
        "cyberdyne",
    ],
    dtype=S,
)


def _mobile_nsn(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    """National significant numbers of mobile phones, by country."""
    n = len(country)
    tw = cat("9", digits(rng.integers(0, 9, n), 1), digits(rng.integers(0, 10**7, n), 7))
    hk = cat(pick(rng, _HK_MOBILE, n), digits(rng.integers(0, 10**6, n), 6))
    cn = cat(pick(rng, _CN_MOBILE, n), digits(rng.integers(0, 10**8, n), 8))
    th = cat(pick(rng, _TH_MOBILE, n), digits(rng.integers(0, 10**7, n), 7))
    us = _us_nsn(rng, n)
    return np.select(
        [country == "TW", country == "HK", country == "CN", country == "TH"], [tw, hk, cn, th], us
    ).astype(S)


def _us_nsn(rng: np.random.Generator, n: int) -> np.ndarray:
    """US ten-digit numbers with real area codes and ordinary exchanges."""
    codes = np.array([c for cs in pools.US_AREA_CODES.values() for c in cs])
    area = codes[rng.integers(0, len(codes), n)]
    exch = rng.integers(201, 999, n)
    exch = np.where((exch % 100 == 11) | (exch == 555), exch + 1, exch)
    return cat(digits(area, 3), digits(exch, 3), digits(rng.integers(0, 10**4, n), 4))


def _landline_nsn(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    """National significant numbers of household landlines, by country."""
    n = len(country)
    tw = cat(
        "2", pick(rng, np.array(["2", "3", "8"], dtype=S), n), digits(rng.integers(0, 10**7, n), 7)
    )
    hk = cat("2", digits(rng.integers(3, 10, n), 1), digits(rng.integers(0, 10**6, n), 6))
    cn = cat(
        pick(rng, np.array(["10", "21"], dtype=S), n),
        digits(rng.integers(2, 8, n), 1),
        digits(rng.integers(0, 10**7, n), 7),
    )
    th = cat("2", digits(rng.integers(1, 10, n), 1), digits(rng.integers(0, 10**6, n), 6))
    us = _us_nsn(rng, n)
    return np.select(
        [country == "TW", country == "HK", country == "CN", country == "TH"], [tw, hk, cn, th], us
    ).astype(S)


def _e164(country: np.ndarray, nsn: np.ndarray) -> np.ndarray:
    """E.164 strings from country and national significant number."""
    cc = np.select([country == c for c in COUNTRY_CODES], list(COUNTRY_CODES.values()), "").astype(
        S
    )
    return cat("+", cc, nsn)


def _email_locals(
    rng: np.random.Generator, p: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Local parts built the way people pick them (name-based, with numbers, QQ ids)."""
    n = len(p["country"])
    given = np.strings.lower(np.strings.replace(p["given_latin"], "-", ""))
    given = np.strings.replace(given, " ", "")
    family = np.strings.lower(np.strings.replace(p["family_latin"], " ", ""))
    eng = np.strings.lower(p["english_name"])
    first = np.where(np.strings.str_len(eng) > 0, eng, given)
    year = p["birth_date"].astype("datetime64[Y]").astype(np.int64) + 1970
    yy = digits(year % 100, 2)
    num = digits(rng.integers(1, 999, n), 1)
    style = rng.integers(0, 6, n)
    loc = np.select(
        [style == 0, style == 1, style == 2, style == 3, style == 4],
        [
            cat(first, ".", family),
            cat(family, first, yy),
            cat(sl(first, 0, 1), family, num),
            cat(first, "_", family, num),
            cat(first, yy, num),
        ],
        cat(family, ".", first, num),
    )
    qq = digits(rng.integers(10**5, 10**10, n), 5)
    use_qq = (p["country"] == "CN") & (rng.random(n) < 0.4)
    return np.where(use_qq, qq, loc).astype(S), use_qq


def _unique(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    """Make addresses unique by appending digits to later duplicates."""
    out = emails.copy()
    for _ in range(6):
        dup = pd.Series(out).duplicated().to_numpy() & (np.strings.str_len(out) > 0)
        if not dup.any():
            break
        loc = np.strings.partition(out[dup], np.array("@", dtype=S))
        extra = digits(rng.integers(1, 9999, int(dup.sum())), 2)
        out[dup] = cat(loc[0], extra, "@", loc[2])
    return out


def add_contacts(rng: np.random.Generator, p: dict[str, np.ndarray], cfg: PeopleConfig) -> None:
    """Add mobile (current and old), household landline and email columns (in place)."""
    country = p["country"]
    n = len(country)
    hh = p["household_id"]
    mobile = _e164(country, _mobile_nsn(rng, country))
    old_mobile = _e164(country, _mobile_nsn(rng, country))
    has_mobile = rng.random(n) >= cfg.no_mobile_rate
    changed = rng.random(n) < cfg.phone_change_rate
    hh_country = country[p["member"] == 0]
    landline_hh = _e164(hh_country, _landline_nsn(rng, hh_country))
    has_land = rng.random(len(hh_country)) < cfg.landline_rate
    landline = np.where(has_land[hh], landline_hh[hh], "").astype(S)

    doms = np.select(
        [country == c for c in pools.EMAIL_DOMAINS],
        [pick(rng, np.array(v, dtype=S), n) for v in pools.EMAIL_DOMAINS.values()],
        "gmail.com",
    ).astype(S)
    local, use_qq = _email_locals(rng, p)
    email = _unique(rng, cat(local, "@", np.where(use_qq, "qq.com", doms)))
    email = np.where(rng.random(n) < cfg.no_email_rate, "", email).astype(S)
    given = np.strings.replace(
        np.strings.lower(np.strings.replace(p["given_latin"], "-", "")), " ", ""
    )
    family = np.strings.lower(p["family_latin"])
    work = cat(
        given, ".", np.strings.replace(family, " ", ""), "@", pick(rng, _COMPANIES, n), ".com"
    )
    work = _unique(rng, np.where(rng.random(n) < cfg.work_email_rate, work, "").astype(S))
    fam_hh = rng.random(hh.max() + 1) < cfg.family_email_rate
    fam_email = cat(
        np.strings.replace(family, " ", ""), "family", digits(hh % 997, 3), "@gmail.com"
    )
    fam_email = np.where(fam_hh[hh], fam_email, "").astype(S)
    p["mobile"] = np.where(has_mobile, mobile, "").astype(S)
    p["old_mobile"] = np.where(has_mobile & changed, old_mobile, "").astype(S)
    p["landline"] = landline
    p["email"] = email
    p["work_email"] = work
    p["family_email"] = fam_email
