"""How a source system writes a person's name, phone and birth date (vectorised)."""

from __future__ import annotations

import numpy as np

from cxloop.profiles.synth import pools
from cxloop.profiles.synth.textarr import S, cat, digits, sl

# Name styles (index -> meaning) per country group; probabilities per source below.
CH_STYLES = (
    "native",
    "native_honorific",
    "roman",
    "roman_reversed",
    "upper_comma",
    "english",
    "surname_honorific",
    "roman_spaced",
    "script_variant",
)
TH_STYLES = ("native", "honorific", "roman", "upper", "nickname", "given_only", "mr_roman")
US_STYLES = ("plain", "nickname", "upper_comma", "title", "middle", "initial", "lower")

STYLE_PROBS: dict[str, dict[str, tuple[float, ...]]] = {
    "crm": {
        "ch": (0.55, 0.1, 0.15, 0.02, 0.03, 0.05, 0.0, 0.05, 0.05),
        "th": (0.55, 0.2, 0.15, 0.02, 0.0, 0.0, 0.08),
        "us": (0.6, 0.05, 0.1, 0.1, 0.15, 0.0, 0.0),
    },
    "billing": {
        "ch": (0.2, 0.0, 0.35, 0.05, 0.3, 0.02, 0.0, 0.08, 0.0),
        "th": (0.3, 0.1, 0.3, 0.3, 0.0, 0.0, 0.0),
        "us": (0.5, 0.0, 0.35, 0.0, 0.15, 0.0, 0.0),
    },
    "support": {
        "ch": (0.35, 0.1, 0.2, 0.05, 0.0, 0.1, 0.1, 0.05, 0.05),
        "th": (0.3, 0.1, 0.2, 0.0, 0.15, 0.15, 0.1),
        "us": (0.45, 0.25, 0.0, 0.1, 0.0, 0.1, 0.1),
    },
    "web": {
        "ch": (0.3, 0.0, 0.2, 0.2, 0.0, 0.2, 0.0, 0.05, 0.05),
        "th": (0.3, 0.0, 0.3, 0.0, 0.25, 0.1, 0.05),
        "us": (0.45, 0.3, 0.0, 0.0, 0.05, 0.0, 0.2),
    },
    "pos": {
        "ch": (0.25, 0.1, 0.05, 0.0, 0.0, 0.05, 0.5, 0.05, 0.0),
        "th": (0.2, 0.1, 0.1, 0.0, 0.3, 0.3, 0.0),
        "us": (0.3, 0.3, 0.0, 0.1, 0.0, 0.3, 0.0),
    },
}


def _a(cols: dict[str, np.ndarray], name: str, idx: np.ndarray) -> np.ndarray:
    """Gather column values for the given person indexes."""
    return np.asarray(cols[name][idx])


def chinese_name(style: int, cols: dict[str, np.ndarray], idx: np.ndarray) -> np.ndarray:
    """Render a Chinese-region name in one style for the people idx."""
    fam, giv = _a(cols, "family_native", idx), _a(cols, "given_native", idx)
    fam_l, giv_l = _a(cols, "family_latin", idx), _a(cols, "given_latin", idx)
    male = _a(cols, "sex", idx) == "m"
    eng = _a(cols, "english_name", idx)
    roman = cat(fam_l, " ", giv_l)
    if style == 0:
        return cat(fam, giv)
    if style == 1:
        return cat(fam, giv, np.where(male, "先生", "小姐"))
    if style == 2:
        return roman
    if style == 3:
        return cat(giv_l, " ", fam_l)
    if style == 4:
        return np.strings.upper(cat(fam_l, ", ", giv_l))
    if style == 5:
        has = np.strings.str_len(eng) > 0
        hk = _a(cols, "country", idx) == "HK"
        with_full = cat(eng, " ", fam_l, " ", giv_l)
        return np.where(has, np.where(hk & (idx % 2 == 0), with_full, cat(eng, " ", fam_l)), roman)
    if style == 6:
        native = cat(fam, np.where(male, "先生", np.where(idx % 3 == 0, "女士", "小姐")))
        latin = cat(np.where(male, "Mr ", "Ms "), fam_l)
        return np.where(idx % 4 == 0, latin, native)
    if style == 7:
        return cat(fam_l, " ", np.strings.replace(giv_l, "-", " "))
    fam_s, giv_s = _a(cols, "family_simp", idx), _a(cols, "given_simp", idx)
    cn = _a(cols, "country", idx) == "CN"
    return np.where(cn, cat(fam, " ", giv), cat(fam_s, giv_s))


def thai_name(style: int, cols: dict[str, np.ndarray], idx: np.ndarray) -> np.ndarray:
    """Render a Thai name in one style for the people idx."""
    fam, giv = _a(cols, "family_native", idx), _a(cols, "given_native", idx)
    fam_l, giv_l = _a(cols, "family_latin", idx), _a(cols, "given_latin", idx)
    male = _a(cols, "sex", idx) == "m"
    married = _a(cols, "member", idx) == 1
    native = cat(giv, " ", fam)
    if style == 0:
        return native
    if style == 1:
        return cat(np.where(male, "นาย", np.where(married, "นาง", "นางสาว")), native)
    if style == 2:
        return cat(giv_l, " ", fam_l)
    if style == 3:
        return np.strings.upper(cat(giv_l, " ", fam_l))
    if style == 4:
        nick, nick_l = _a(cols, "nickname", idx), _a(cols, "nickname_latin", idx)
        return np.where(idx % 2 == 0, cat("คุณ", nick), nick_l)
    if style == 5:
        return cat("คุณ", giv)
    return cat(np.where(male, "Mr ", "Ms "), giv_l, " ", fam_l)


def us_name(style: int, cols: dict[str, np.ndarray], idx: np.ndarray) -> np.ndarray:
    """Render a US name in one style for the people idx."""
    first, last = _a(cols, "given_native", idx), _a(cols, "family_native", idx)
    nick = _a(cols, "nickname", idx)
    male = _a(cols, "sex", idx) == "m"
    if style == 0:
        return cat(first, " ", last)
    if style == 1:
        return cat(np.where(np.strings.str_len(nick) > 0, nick, first), " ", last)
    if style == 2:
        return np.strings.upper(cat(last, ", ", first))
    if style == 3:
        return cat(
            np.where(male, "Mr. ", np.where(idx % 2 == 0, "Mrs. ", "Ms. ")), first, " ", last
        )
    if style == 4:
        return cat(first, " ", _a(cols, "middle_initial", idx), ". ", last)
    if style == 5:
        return cat(sl(first, 0, 1), ". ", last)
    return np.strings.lower(cat(first, " ", last))


def name_typo(rng: np.random.Generator, name: str) -> str:
    """One realistic slip: a look-alike Chinese character, a dropped Thai mark, a Latin edit."""
    if not name:
        return name
    chars = list(name)
    han = [i for i, c in enumerate(chars) if c in pools.HAN_CONFUSIONS]
    if han:
        i = han[int(rng.integers(0, len(han)))]
        chars[i] = pools.HAN_CONFUSIONS[chars[i]]
        return "".join(chars)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    if len(letters) < 4:
        return name
    i = letters[int(rng.integers(1, len(letters) - 1))]
    op = int(rng.integers(0, 3))
    if op == 0 and chars[i + 1 : i + 2] and chars[i + 1].isalpha():
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif op == 1:
        del chars[i]
    else:
        chars[i] = chr(ord("a") + int(rng.integers(0, 26))) if chars[i].isascii() else chars[i]
    return "".join(chars)


def format_phone(rng: np.random.Generator, country: np.ndarray, e164: np.ndarray) -> np.ndarray:
    """Write E.164 numbers the way people and systems of each country type them."""
    out = np.array(e164, dtype=S)
    fmt = rng.integers(0, 4, len(e164))
    for c, cc in (("TW", "886"), ("HK", "852"), ("CN", "86"), ("TH", "66"), ("US", "1")):
        m = (country == c) & (np.strings.str_len(e164) > 0)
        if not m.any():
            continue
        nsn = sl(e164[m], len(cc) + 1)
        f = fmt[m]
        out[m] = _FORMATTERS[c](nsn, f, cc)
    return out


def _tw(n: np.ndarray, f: np.ndarray, cc: str) -> np.ndarray:
    mob = np.strings.startswith(n, "9")
    mobile = np.select(
        [f == 0, f == 1, f == 2],
        [
            cat("0", sl(n, 0, 3), "-", sl(n, 3, 6), "-", sl(n, 6)),
            cat("0", n),
            cat("+886 ", sl(n, 0, 3), " ", sl(n, 3, 6), " ", sl(n, 6)),
        ],
        cat("+886-", sl(n, 0, 3), "-", sl(n, 3)),
    )
    land = np.select(
        [f == 0, f == 1, f == 2],
        [
            cat("(0", sl(n, 0, 1), ") ", sl(n, 1, 5), "-", sl(n, 5)),
            cat("0", sl(n, 0, 1), "-", sl(n, 1)),
            cat("+886 ", sl(n, 0, 1), " ", sl(n, 1, 5), " ", sl(n, 5)),
        ],
        cat("0", n),
    )
    return np.where(mob, mobile, land)


def _hk(n: np.ndarray, f: np.ndarray, cc: str) -> np.ndarray:
    return np.select(
        [f == 0, f == 1, f == 2],
        [cat(sl(n, 0, 4), " ", sl(n, 4)), n, cat("+852 ", sl(n, 0, 4), " ", sl(n, 4))],
        cat("(852) ", sl(n, 0, 4), "-", sl(n, 4)),
    )


def _cn(n: np.ndarray, f: np.ndarray, cc: str) -> np.ndarray:
    mob = np.strings.startswith(n, "1") & (np.strings.str_len(n) == 11)
    mobile = np.select(
        [f == 0, f == 1, f == 2],
        [
            cat(sl(n, 0, 3), " ", sl(n, 3, 7), " ", sl(n, 7)),
            n,
            cat("+86 ", sl(n, 0, 3), " ", sl(n, 3, 7), " ", sl(n, 7)),
        ],
        cat("+86-", n),
    )
    land = np.select(
        [f == 0, f == 1, f == 2],
        [
            cat("0", sl(n, 0, 2), "-", sl(n, 2, 6), " ", sl(n, 6)),
            cat("0", n),
            cat("+86 ", sl(n, 0, 2), " ", sl(n, 2, 6), " ", sl(n, 6)),
        ],
        cat("(0", sl(n, 0, 2), ") ", sl(n, 2)),
    )
    return np.where(mob, mobile, land)


def _th(n: np.ndarray, f: np.ndarray, cc: str) -> np.ndarray:
    land = np.strings.startswith(n, "2")
    mobile = np.select(
        [f == 0, f == 1, f == 2],
        [
            cat("0", sl(n, 0, 2), "-", sl(n, 2, 5), "-", sl(n, 5)),
            cat("0", n),
            cat("+66 ", sl(n, 0, 2), " ", sl(n, 2, 5), " ", sl(n, 5)),
        ],
        cat("+66", n),
    )
    landl = np.select(
        [f == 0, f == 1, f == 2],
        [
            cat("0", sl(n, 0, 1), "-", sl(n, 1, 4), "-", sl(n, 4)),
            cat("0", n),
            cat("+66 ", sl(n, 0, 1), " ", sl(n, 1, 4), " ", sl(n, 4)),
        ],
        cat("+66", n),
    )
    return np.where(land, landl, mobile)


def _us(n: np.ndarray, f: np.ndarray, cc: str) -> np.ndarray:
    return np.select(
        [f == 0, f == 1, f == 2],
        [
            cat("(", sl(n, 0, 3), ") ", sl(n, 3, 6), "-", sl(n, 6)),
            cat(sl(n, 0, 3), "-", sl(n, 3, 6), "-", sl(n, 6)),
            cat("+1 ", sl(n, 0, 3), " ", sl(n, 3, 6), " ", sl(n, 6)),
        ],
        cat(sl(n, 0, 3), ".", sl(n, 3, 6), ".", sl(n, 6)),
    )


_FORMATTERS = {"TW": _tw, "HK": _hk, "CN": _cn, "TH": _th, "US": _us}


def format_birth_date(
    rng: np.random.Generator, country: np.ndarray, dates: np.ndarray
) -> np.ndarray:
    """Write birth dates in each country's habits (ROC years, Buddhist Era, US month first)."""
    d = dates.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    ys, ms, ds = digits(y, 4), digits(m, 2), digits(day, 2)
    iso = cat(ys, "-", ms, "-", ds)
    f = rng.random(len(d))
    roc = digits(y - 1911, 2)
    tw = np.select(
        [f < 0.5, f < 0.65, f < 0.8],
        [
            iso,
            cat(roc, "/", ms, "/", ds),
            cat("民國", roc, "年", digits(m, 1), "月", digits(day, 1), "日"),
        ],
        cat(ys, "/", digits(m, 1), "/", digits(day, 1)),
    )
    hk = np.where(f < 0.6, cat(ds, "/", ms, "/", ys), iso)
    cn = np.select(
        [f < 0.5, f < 0.8],
        [iso, cat(ys, "年", digits(m, 1), "月", digits(day, 1), "日")],
        cat(ys, "/", ms, "/", ds),
    )
    be = digits(y + 543, 4)
    th_months = np.array(
        [
            "ม.ค.",
            "ก.พ.",
            "มี.ค.",
            "เม.ย.",
            "พ.ค.",
            "มิ.ย.",
            "ก.ค.",
            "ส.ค.",
            "ก.ย.",
            "ต.ค.",
            "พ.ย.",
            "ธ.ค.",
        ],
        dtype=S,
    )
    th = np.select(
        [f < 0.4, f < 0.8],
        [cat(ds, "/", ms, "/", be), iso],
        cat(digits(day, 1), " ", th_months[m - 1], " ", be),
    )
    us = np.where(f < 0.7, cat(ms, "/", ds, "/", ys), iso)
    return np.select(
        [country == "TW", country == "HK", country == "CN", country == "TH"], [tw, hk, cn, th], us
    ).astype(S)
