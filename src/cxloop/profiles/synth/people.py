"""Seeded generation of synthetic people living in households (the ground truth)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
from pypinyin import Style, lazy_pinyin

from cxloop.profiles.resolution.sinitic import han_to_wg, to_simplified
from cxloop.profiles.synth import pools
from cxloop.profiles.synth.contacts import add_contacts
from cxloop.profiles.synth.places import make_addresses
from cxloop.profiles.synth.textarr import S, cat, pick

COUNTRIES = ("TW", "HK", "CN", "TH", "US")


@dataclass(frozen=True)
class PeopleConfig:
    """Knobs of the people generator (defaults give the hard benchmark population)."""

    country_weights: dict[str, float] = field(
        default_factory=lambda: {"TW": 0.3, "HK": 0.15, "CN": 0.2, "TH": 0.15, "US": 0.2}
    )
    household_sizes: tuple[float, ...] = (0.36, 0.3, 0.15, 0.12, 0.07)
    landline_rate: float = 0.45
    mover_rate: float = 0.15
    phone_change_rate: float = 0.15
    no_mobile_rate: float = 0.07
    no_email_rate: float = 0.08
    work_email_rate: float = 0.15
    family_email_rate: float = 0.04
    english_name_rate: dict[str, float] = field(
        default_factory=lambda: {"TW": 0.2, "HK": 0.6, "CN": 0.05, "TH": 0.0, "US": 0.0}
    )


def _zipf(n: int, s: float = 0.9) -> np.ndarray:
    """Normalised Zipf weights for n ranked items."""
    w = 1.0 / np.arange(1, n + 1) ** s
    return np.asarray(w / w.sum())


def _title_hyphen(syllables: list[str]) -> str:
    """Taiwan-passport style given name: "Wei-Ting"."""
    return "-".join(s.capitalize() for s in syllables) if syllables else ""


def _chinese_tables() -> dict[str, np.ndarray]:
    """Per-pool arrays of traditional / simplified / romanised name parts."""
    sur = pools.CHINESE_SURNAMES
    sur_trad = [r[0] for r in sur]
    sur_simp = [to_simplified(t) for t in sur_trad]
    sur_py = [
        "".join(lazy_pinyin(s, style=Style.NORMAL)).capitalize() if s != "曾" else "Zeng"
        for s in sur_simp
    ]
    sur_py = ["Lyu" if p == "Lv" else p for p in sur_py]
    return {
        "sur_trad": np.array(sur_trad, dtype=S),
        "sur_simp": np.array(sur_simp, dtype=S),
        "sur_tw": np.array([r[1] for r in sur], dtype=S),
        "sur_hk": np.array([r[2] for r in sur], dtype=S),
        "sur_cn": np.array(sur_py, dtype=S),
        "sur_w": np.array([float(r[3]) for r in sur]) / sum(float(r[3]) for r in sur),
    }


def _given_romanisations(trad: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simplified form, Taiwan WG ("Wei-Ting") and pinyin ("Weiting") of given names."""
    uniq, inv = np.unique(trad, return_inverse=True)
    simp, tw, cn = [], [], []
    for t in uniq.tolist():
        s = to_simplified(t)
        simp.append(s)
        tw.append(_title_hyphen(han_to_wg(s)))
        cn.append("".join(lazy_pinyin(s, style=Style.NORMAL)).capitalize())
    return (
        np.array(simp, dtype=S)[inv],
        np.array(tw, dtype=S)[inv],
        np.array(cn, dtype=S)[inv],
    )


def _households(rng: np.random.Generator, n: int, cfg: PeopleConfig) -> pd.DataFrame:
    """Household id, member index and country for n people."""
    probs = np.array(cfg.household_sizes) / sum(cfg.household_sizes)
    sizes = rng.choice(np.arange(1, len(probs) + 1), size=n, p=probs)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    hh = np.repeat(np.arange(len(sizes)), sizes)[:n]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    member = (np.arange(len(hh)) - starts[hh]).astype(np.int8)
    cw = np.array([cfg.country_weights[c] for c in COUNTRIES])
    hh_country = rng.choice(len(COUNTRIES), size=len(sizes), p=cw / cw.sum())
    return pd.DataFrame({"household_id": hh, "member": member, "country_idx": hh_country[hh]})


def _sexes(rng: np.random.Generator, hh: np.ndarray, member: np.ndarray) -> np.ndarray:
    """'m'/'f' per person; a spouse has the opposite sex of the household head."""
    head_male = rng.random(hh.max() + 1) < 0.5
    male = rng.random(len(hh)) < 0.5
    male = np.where(member == 0, head_male[hh], male)
    male = np.where(member == 1, ~head_male[hh], male)
    return np.where(male, "m", "f").astype(S)


def _birth_dates(rng: np.random.Generator, hh: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Birth dates: heads 1945-2003, spouses near the head, children 22-40 years later."""
    base = np.datetime64("1945-01-01")
    head_days = rng.integers(0, 58 * 365, size=hh.max() + 1)
    spouse = head_days[hh] + (rng.normal(0, 4, len(hh)) * 365).astype(np.int64)
    child = head_days[hh] + rng.integers(22 * 365, 40 * 365, len(hh))
    cap = 63 * 365
    child = np.where(child > cap, cap - rng.integers(0, 12 * 365, len(hh)), child)
    days = np.where(member == 0, head_days[hh], np.where(member == 1, spouse, child))
    days = np.minimum(days, cap)
    return base + days.astype("timedelta64[D]")


def _chinese_names(
    rng: np.random.Generator, df: pd.DataFrame, sex: np.ndarray, cfg: PeopleConfig
) -> dict[str, np.ndarray]:
    """Family/given names (native and romanised) for everyone, Chinese rules."""
    t = _chinese_tables()
    n = len(df)
    hh = df["household_id"].to_numpy()
    member = df["member"].to_numpy()
    head_sur = rng.choice(len(t["sur_w"]), size=hh.max() + 1, p=t["sur_w"])
    own_sur = rng.choice(len(t["sur_w"]), size=n, p=t["sur_w"])
    # Chinese spouses keep their own surname; children take the head's.
    sur = np.where(member == 1, own_sur, head_sur[hh])
    male = sex == "m"
    pop = pools.POPULAR_GIVEN
    pop_m = [g for g, s in pop if s == "m"]
    pop_f = [g for g, s in pop if s == "f"]
    pm = pick(rng, np.array(pop_m, dtype=S), n, _zipf(len(pop_m)))
    pf = pick(rng, np.array(pop_f, dtype=S), n, _zipf(len(pop_f)))
    comp = {}
    for sx in ("m", "f"):
        a = pick(
            rng, np.array(pools.GIVEN_FIRST[sx], dtype=S), n, _zipf(len(pools.GIVEN_FIRST[sx]), 0.6)
        )
        b = pick(
            rng,
            np.array(pools.GIVEN_SECOND[sx], dtype=S),
            n,
            _zipf(len(pools.GIVEN_SECOND[sx]), 0.6),
        )
        comp[sx] = cat(a, b)
    popular = rng.random(n) < 0.45
    given_trad = np.where(male, np.where(popular, pm, comp["m"]), np.where(popular, pf, comp["f"]))
    given_simp, given_tw, given_cn = _given_romanisations(given_trad)
    hk_m = [r for r in pools.HK_GIVEN if r[2] == "m"]
    hk_f = [r for r in pools.HK_GIVEN if r[2] == "f"]
    hk_idx_m = rng.choice(len(hk_m), size=n, p=_zipf(len(hk_m), 0.7))
    hk_idx_f = rng.choice(len(hk_f), size=n, p=_zipf(len(hk_f), 0.7))
    hk_trad = np.where(
        male,
        np.array([r[0] for r in hk_m], dtype=S)[hk_idx_m],
        np.array([r[0] for r in hk_f], dtype=S)[hk_idx_f],
    )
    hk_rom = np.where(
        male,
        np.array([r[1] for r in hk_m], dtype=S)[hk_idx_m],
        np.array([r[1] for r in hk_f], dtype=S)[hk_idx_f],
    )
    eng = np.where(
        male,
        pick(rng, np.array(pools.ENGLISH_GIVEN["m"], dtype=S), n),
        pick(rng, np.array(pools.ENGLISH_GIVEN["f"], dtype=S), n),
    )
    return {
        "sur": sur,
        "family_trad": t["sur_trad"][sur],
        "family_simp": t["sur_simp"][sur],
        "family_tw": t["sur_tw"][sur],
        "family_hk": t["sur_hk"][sur],
        "family_cn": t["sur_cn"][sur],
        "given_trad": given_trad,
        "given_simp": given_simp,
        "given_tw": given_tw,
        "given_cn": given_cn,
        "hk_trad": hk_trad,
        "hk_rom": hk_rom,
        "hk_simp": np.array([to_simplified(x) for x in np.unique(hk_trad).tolist()], dtype=S)[
            np.unique(hk_trad, return_inverse=True)[1]
        ],
        "english": eng,
    }


def _thai_us_names(
    rng: np.random.Generator, df: pd.DataFrame, sex: np.ndarray
) -> dict[str, np.ndarray]:
    """Thai and US names (native script, romanised, nickname)."""
    n = len(df)
    hh = df["household_id"].to_numpy()
    member = df["member"].to_numpy()
    male = sex == "m"
    th_m = [r for r in pools.THAI_GIVEN if r[2] == "m"]
    th_f = [r for r in pools.THAI_GIVEN if r[2] == "f"]
    im = rng.choice(len(th_m), size=n, p=_zipf(len(th_m), 0.5))
    if_ = rng.choice(len(th_f), size=n, p=_zipf(len(th_f), 0.5))
    th_given = np.where(
        male,
        np.array([r[0] for r in th_m], dtype=S)[im],
        np.array([r[0] for r in th_f], dtype=S)[if_],
    )
    th_given_rom = np.where(
        male,
        np.array([r[1] for r in th_m], dtype=S)[im],
        np.array([r[1] for r in th_f], dtype=S)[if_],
    )
    heads, tails = pools.THAI_FAMILY_HEAD, pools.THAI_FAMILY_TAIL
    hh_h = rng.integers(0, len(heads), hh.max() + 1)
    hh_t = rng.integers(0, len(tails), hh.max() + 1)
    own_h = rng.integers(0, len(heads), n)
    own_t = rng.integers(0, len(tails), n)
    keep_own = (member == 1) & (rng.random(n) < 0.3)
    h = np.where(keep_own, own_h, hh_h[hh])
    tl = np.where(keep_own, own_t, hh_t[hh])
    th_family = cat(
        np.array([r[0] for r in heads], dtype=S)[h], np.array([r[0] for r in tails], dtype=S)[tl]
    )
    th_family_rom = cat(
        np.array([r[1] for r in heads], dtype=S)[h], np.array([r[1] for r in tails], dtype=S)[tl]
    )
    nick_i = rng.integers(0, len(pools.THAI_NICKNAMES), n)
    th_nick = np.array([r[0] for r in pools.THAI_NICKNAMES], dtype=S)[nick_i]
    th_nick_rom = np.array([r[1] for r in pools.THAI_NICKNAMES], dtype=S)[nick_i]

    us_m = [r for r in pools.US_FIRST if r[1] == "m"]
    us_f = [r for r in pools.US_FIRST if r[1] == "f"]
    wm = np.array([float(r[3]) for r in us_m])
    wf = np.array([float(r[3]) for r in us_f])
    um = rng.choice(len(us_m), size=n, p=wm / wm.sum())
    uf = rng.choice(len(us_f), size=n, p=wf / wf.sum())
    first = np.where(
        male,
        np.array([r[0] for r in us_m], dtype=S)[um],
        np.array([r[0] for r in us_f], dtype=S)[uf],
    )
    nick_opts = np.where(
        male,
        np.array([r[2] for r in us_m], dtype=S)[um],
        np.array([r[2] for r in us_f], dtype=S)[uf],
    )
    nick = np.array([o.split(",")[0] if o else "" for o in nick_opts.tolist()], dtype=S)
    last_pool = np.array(pools.US_LAST, dtype=S)
    hh_last = rng.choice(len(last_pool), size=hh.max() + 1, p=_zipf(len(last_pool), 0.7))
    own_last = rng.choice(len(last_pool), size=n, p=_zipf(len(last_pool), 0.7))
    keep_last = (member == 1) & (rng.random(n) < 0.25)
    last = last_pool[np.where(keep_last, own_last, hh_last[hh])]
    middle = np.array(list("ABCDEFGHJKLMNPRSTW"), dtype=S)[rng.integers(0, 18, n)]
    return {
        "th_given": th_given,
        "th_given_rom": th_given_rom,
        "th_family": th_family,
        "th_family_rom": th_family_rom,
        "th_nick": th_nick,
        "th_nick_rom": th_nick_rom,
        "us_first": first,
        "us_nick": nick,
        "us_last": last,
        "us_middle": middle,
    }


def people_columns(
    n_people: int, *, seed: int = 7, config: PeopleConfig | None = None
) -> dict[str, np.ndarray]:
    """Generate the people as a dict of numpy columns (the fast path behind generate_people)."""
    cfg = config or PeopleConfig()
    rng = np.random.default_rng(seed)
    df = _households(rng, n_people, cfg)
    hh = df["household_id"].to_numpy()
    member = df["member"].to_numpy()
    country = np.array(COUNTRIES, dtype=S)[df["country_idx"].to_numpy()]
    sex = _sexes(rng, hh, member)
    ch = _chinese_names(rng, df, sex, cfg)
    tu = _thai_us_names(rng, df, sex)
    is_tw, is_hk, is_cn, is_th = (country == c for c in ("TW", "HK", "CN", "TH"))
    conds = [is_tw, is_hk, is_cn, is_th]

    def by_country(
        tw: np.ndarray, hk: np.ndarray, cn: np.ndarray, th: np.ndarray, us: np.ndarray
    ) -> np.ndarray:
        return np.asarray(np.select(conds, [tw, hk, cn, th], us).astype(S))

    eng_rate = np.array([cfg.english_name_rate[c] for c in COUNTRIES])[df["country_idx"].to_numpy()]
    nickname = np.where(is_th, tu["th_nick"], np.where(country == "US", tu["us_nick"], "")).astype(
        S
    )
    empty = np.full(len(df), "", dtype=S)
    cols: dict[str, np.ndarray] = {
        "person_id": np.arange(len(df), dtype=np.int64),
        "household_id": hh.astype(np.int64),
        "member": member,
        "country": country,
        "sex": sex,
        "family_native": by_country(
            ch["family_trad"], ch["family_trad"], ch["family_simp"], tu["th_family"], tu["us_last"]
        ),
        "given_native": by_country(
            ch["given_trad"], ch["hk_trad"], ch["given_simp"], tu["th_given"], tu["us_first"]
        ),
        "family_latin": by_country(
            ch["family_tw"], ch["family_hk"], ch["family_cn"], tu["th_family_rom"], tu["us_last"]
        ),
        "given_latin": by_country(
            ch["given_tw"], ch["hk_rom"], ch["given_cn"], tu["th_given_rom"], tu["us_first"]
        ),
        "english_name": np.where(rng.random(len(df)) < eng_rate, ch["english"], "").astype(S),
        "nickname": nickname,
        "nickname_latin": np.where(is_th, tu["th_nick_rom"], nickname).astype(S),
        "middle_initial": np.where(country == "US", tu["us_middle"], "").astype(S),
        "family_simp": by_country(
            ch["family_simp"], ch["family_simp"], ch["family_simp"], empty, empty
        ),
        "given_simp": by_country(ch["given_simp"], ch["hk_simp"], ch["given_simp"], empty, empty),
        "birth_date": _birth_dates(rng, hh, member),
    }
    add_contacts(rng, cols, cfg)
    make_addresses(rng, cols, cfg)
    return cols


def to_frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame of numpy columns with compact Arrow-backed strings."""
    out = {}
    for k, v in cols.items():
        if v.dtype == S:
            out[k] = pd.Series(pd.arrays.ArrowStringArray(pa.array(v)))
        else:
            out[k] = pd.Series(v)
    return pd.DataFrame(out)


def generate_people(
    n_people: int, *, seed: int = 7, config: PeopleConfig | None = None
) -> pd.DataFrame:
    """Generate n_people synthetic people with households, names, contacts and addresses."""
    return to_frame(people_columns(n_people, seed=seed, config=config))
