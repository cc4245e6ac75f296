"""Postal addresses of synthetic households, in native script and in English."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cxloop.profiles.synth import pools
from cxloop.profiles.synth.textarr import S, cat, digits

if TYPE_CHECKING:
    from cxloop.profiles.synth.people import PeopleConfig

_ZH_NUM = np.array(list("一二三四五"), dtype=S)


def _col(rows: list[tuple[str, ...]], i: int) -> np.ndarray:
    """Column i of a pool of tuples as a string array."""
    return np.array([r[i] for r in rows], dtype=S)


def _tw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Taiwan: 台北市大安區復興南路一段100號5樓 / 5F., No. 100, Sec. 1, Fuxing S. Rd., ..."""
    a = rng.integers(0, len(pools.TW_AREAS), n)
    r = rng.integers(0, len(pools.TW_ROADS), n)
    sec = rng.integers(0, 5, n)
    num = digits(rng.integers(1, 300, n), 1)
    fl = digits(rng.integers(1, 20, n), 1)
    road_zh, road_en = _col(pools.TW_ROADS, 0)[r], _col(pools.TW_ROADS, 1)[r]
    city_zh, dist_zh = _col(pools.TW_AREAS, 0)[a], _col(pools.TW_AREAS, 1)[a]
    city_en, dist_en = _col(pools.TW_AREAS, 2)[a], _col(pools.TW_AREAS, 3)[a]
    native = cat(city_zh, dist_zh, road_zh, _ZH_NUM[sec], "段", num, "號", fl, "樓")
    eng = cat(
        fl,
        "F., No. ",
        num,
        ", Sec. ",
        digits(sec + 1, 1),
        ", ",
        road_en,
        ", ",
        dist_en,
        " Dist., ",
        city_en,
    )
    return native, eng, _col(pools.TW_AREAS, 4)[a]


def _hk(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hong Kong: estate, block, floor and flat; no postcode."""
    a = rng.integers(0, len(pools.HK_AREAS), n)
    st = rng.integers(0, len(pools.HK_STREETS), n)
    b = rng.integers(0, len(pools.HK_BUILDINGS), n)
    blk = digits(rng.integers(1, 12, n), 1)
    fl = digits(rng.integers(1, 40, n), 1)
    flat = np.array(list("ABCDEFGH"), dtype=S)[rng.integers(0, 8, n)]
    num = digits(rng.integers(1, 500, n), 1)
    native = cat(
        _col(pools.HK_AREAS, 0)[a],
        _col(pools.HK_STREETS, 0)[st],
        num,
        "號",
        _col(pools.HK_BUILDINGS, 0)[b],
        blk,
        "座",
        fl,
        "樓",
        flat,
        "室",
    )
    eng = cat(
        "Flat ",
        flat,
        ", ",
        fl,
        "/F, Block ",
        blk,
        ", ",
        _col(pools.HK_BUILDINGS, 1)[b],
        ", ",
        num,
        " ",
        _col(pools.HK_STREETS, 1)[st],
        ", ",
        _col(pools.HK_AREAS, 1)[a],
    )
    return native, eng, np.full(n, "", dtype=S)


def _cn(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mainland China: 北京市朝阳区中山路12号3栋2单元501室."""
    a = rng.integers(0, len(pools.CN_AREAS), n)
    road = np.array(pools.CN_ROADS, dtype=S)[rng.integers(0, len(pools.CN_ROADS), n)]
    num = digits(rng.integers(1, 400, n), 1)
    bld = digits(rng.integers(1, 30, n), 1)
    unit = digits(rng.integers(1, 6, n), 1)
    room = cat(digits(rng.integers(1, 30, n), 1), digits(rng.integers(1, 4, n), 2))
    head = cat(_col(pools.CN_AREAS, 0)[a], _col(pools.CN_AREAS, 1)[a], road, num, "号")
    native = cat(head, bld, "栋", unit, "单元", room, "室")
    alt = cat(head, bld, "号楼", unit, "-", room)
    return native, alt, _col(pools.CN_AREAS, 2)[a]


def _th(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bangkok: 12/3 ซอยสุขุมวิท 21 ถนนสุขุมวิท แขวง... เขต... กรุงเทพมหานคร."""
    a = rng.integers(0, len(pools.TH_AREAS), n)
    r = rng.integers(0, len(pools.TH_ROADS), n)
    num = cat(digits(rng.integers(1, 300, n), 1), "/", digits(rng.integers(1, 60, n), 1))
    soi = digits(rng.integers(1, 80, n), 1)
    road_th, road_en = _col(pools.TH_ROADS, 0)[r], _col(pools.TH_ROADS, 1)[r]
    native = cat(
        num,
        " ซอย",
        road_th,
        " ",
        soi,
        " ถนน",
        road_th,
        " แขวง",
        _col(pools.TH_AREAS, 1)[a],
        " เขต",
        _col(pools.TH_AREAS, 0)[a],
        " กรุงเทพมหานคร",
    )
    eng = cat(
        num,
        " Soi ",
        road_en,
        " ",
        soi,
        ", ",
        road_en,
        " Rd., ",
        _col(pools.TH_AREAS, 3)[a],
        ", ",
        _col(pools.TH_AREAS, 2)[a],
        ", Bangkok",
    )
    return native, eng, _col(pools.TH_AREAS, 4)[a]


def _us(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """US: 123 Main St, Apt 4, Boston, MA / 123 Main Street #4, Boston MA."""
    c = rng.integers(0, len(pools.US_CITIES), n)
    st = np.array(pools.US_STREETS, dtype=S)[rng.integers(0, len(pools.US_STREETS), n)]
    t = rng.integers(0, len(pools.US_STREET_TYPES), n)
    num = digits(rng.integers(1, 9999, n), 1)
    apt = digits(rng.integers(1, 40, n), 1)
    has_apt = rng.random(n) < 0.4
    city, state = _col(pools.US_CITIES, 0)[c], _col(pools.US_CITIES, 1)[c]
    short = np.array([x[0] for x in pools.US_STREET_TYPES], dtype=S)[t]
    long = np.array([x[1] for x in pools.US_STREET_TYPES], dtype=S)[t]
    native = cat(
        num, " ", st, " ", short, np.where(has_apt, cat(", Apt ", apt), ""), ", ", city, ", ", state
    )
    eng = cat(
        num, " ", st, " ", long, np.where(has_apt, cat(" #", apt), ""), ", ", city, " ", state
    )
    zipc = cat(_col(pools.US_CITIES, 2)[c], digits(rng.integers(0, 100, n), 2))
    return native, eng, zipc


_RENDER = {"TW": _tw, "HK": _hk, "CN": _cn, "TH": _th, "US": _us}


def render(
    rng: np.random.Generator, country: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Native address, alternative (English or reformatted) address and postcode per slot."""
    n = len(country)
    native = np.full(n, "", dtype=S)
    alt = np.full(n, "", dtype=S)
    post = np.full(n, "", dtype=S)
    for c, fn in _RENDER.items():
        m = country == c
        k = int(m.sum())
        if k:
            a, b, pc = fn(rng, k)
            native[m], alt[m], post[m] = a, b, pc
    return native, alt, post


def make_addresses(rng: np.random.Generator, p: dict[str, np.ndarray], cfg: PeopleConfig) -> None:
    """Add current and (for movers) previous addresses in place; grown children may live apart."""
    hh = p["household_id"]
    country = p["country"]
    hh_country = country[p["member"] == 0]
    cur = render(rng, hh_country)
    old = render(rng, hh_country)
    own = render(rng, country)
    moved_hh = rng.random(len(hh_country)) < cfg.mover_rate
    apart = (p["member"] >= 2) & (rng.random(len(hh)) < 0.3)
    for i, name in enumerate(("address", "address_alt", "postcode")):
        p[name] = np.where(apart, own[i], cur[i][hh]).astype(S)
        # People living apart moved out of the family home: that is their old address.
        p["old_" + name] = np.where(
            apart, cur[i][hh], np.where(moved_hh[hh], old[i][hh], "")
        ).astype(S)
