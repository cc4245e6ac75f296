"""Chinese-name romanisation keys: Hanyu pinyin, Wade-Giles and Cantonese surnames."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin, pinyin_dict

_T2S = opencc.OpenCC("t2s")

# Initials of Hanyu pinyin with their Wade-Giles spelling (apostrophes dropped: the canonical
# key is WG without apostrophes or umlauts, the form found in Taiwanese passports).
_INITIALS = (
    ("zh", "ch"),
    ("ch", "ch"),
    ("sh", "sh"),
    ("b", "p"),
    ("p", "p"),
    ("d", "t"),
    ("t", "t"),
    ("g", "k"),
    ("k", "k"),
    ("j", "ch"),
    ("q", "ch"),
    ("x", "hs"),
    ("r", "j"),
    ("z", "ts"),
    ("c", "ts"),
    ("s", "s"),
    ("m", "m"),
    ("f", "f"),
    ("n", "n"),
    ("l", "l"),
    ("h", "h"),
    ("w", "w"),
    ("y", "y"),
)
_WHOLE = {
    "zhi": "chih",
    "chi": "chih",
    "shi": "shih",
    "ri": "jih",
    "zi": "tzu",
    "ci": "tzu",
    "si": "ssu",
    "er": "erh",
    "you": "yu",
    "yan": "yen",
    "ye": "yeh",
    "yong": "yung",
    "yu": "yu",
    "yue": "yueh",
    "yuan": "yuan",
    "yun": "yun",
    "ge": "ko",
    "ke": "ko",
    "he": "ho",
    "guo": "kuo",
    "kuo": "kuo",
    "huo": "huo",
    "lian": "lien",
    "lie": "lieh",
}
_FINAL_MAP = {
    "iong": "iung",
    "ong": "ung",
    "ian": "ien",
    "ie": "ieh",
    "ve": "veh",
    "ue": "ueh",
    "uo": "o",
}
# Hanyu-pinyin readings for surnames whose everyday reading differs (pypinyin reads words).
_SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "乐": "yue",
    "缪": "miao",
    "覃": "qin",
    "尉": "yu",
    "盖": "ge",
    "沈": "shen",
    "翟": "zhai",
    "员": "yun",
}
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "长孙",
        "慕容",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "宇文",
        "端木",
    ]
)

# Cantonese (HK government) romanisations of common surnames -> simplified characters.
CANTONESE_SURNAMES: dict[str, tuple[str, ...]] = {
    "chan": ("陈",),
    "wong": ("黄", "王"),
    "lee": ("李",),
    "li": ("李",),
    "cheung": ("张",),
    "lau": ("刘",),
    "ng": ("吴", "伍"),
    "ho": ("何",),
    "leung": ("梁",),
    "lam": ("林",),
    "tsang": ("曾",),
    "chow": ("周",),
    "yip": ("叶",),
    "tam": ("谭",),
    "lo": ("罗", "卢"),
    "kwok": ("郭",),
    "fung": ("冯",),
    "chu": ("朱",),
    "lai": ("黎", "赖"),
    "mak": ("麦",),
    "tang": ("邓",),
    "cheng": ("郑",),
    "tse": ("谢",),
    "siu": ("萧",),
    "yeung": ("杨",),
    "choi": ("蔡",),
    "tsui": ("徐",),
    "hui": ("许",),
    "so": ("苏",),
    "ma": ("马",),
    "kwan": ("关",),
    "poon": ("潘",),
    "au": ("区",),
    "chiu": ("赵",),
    "yuen": ("袁", "阮"),
    "lui": ("吕", "雷"),
    "to": ("杜",),
    "shek": ("石",),
    "sze": ("施",),
    "law": ("罗",),
    "yau": ("邱",),
    "kong": ("江",),
    "chong": ("庄",),
    "liu": ("廖",),
    "ko": ("高",),
    "suen": ("孙",),
    "auyeung": ("欧阳",),
    "szeto": ("司徒",),
}
# Simplified surname -> its most common Hong Kong spelling.
CANTONESE_OF: dict[str, str] = {}
for _spelling, _chars in CANTONESE_SURNAMES.items():
    for _c in _chars:
        CANTONESE_OF.setdefault(_c, _spelling.replace(" ", ""))


@lru_cache(maxsize=8192)
def pinyin_to_wg(syl: str) -> str:
    """Convert one toneless pinyin syllable to canonical Wade-Giles (no apostrophes/umlauts)."""
    syl = syl.lower().replace("ü", "v")
    if syl in _WHOLE:
        return _WHOLE[syl]
    ini, ini_wg, rest = "", "", syl
    for p_ini, w_ini in _INITIALS:
        if syl.startswith(p_ini):
            ini, ini_wg, rest = p_ini, w_ini, syl[len(p_ini) :]
            break
    if ini in ("j", "q", "x") and rest.startswith("u"):
        rest = "v" + rest[1:]
    fin = _FINAL_MAP.get(rest, rest)
    if rest == "uo" and ini in ("sh", "g", "k", "h"):
        fin = "uo"
    elif rest == "e" and ini in ("g", "k", "h"):
        fin = "o"
    elif rest == "ui" and ini in ("g", "k"):
        fin = "uei"
    return (ini_wg + fin).replace("v", "u")


def _real_pinyin_syllables() -> frozenset[str]:
    """Every toneless syllable that pypinyin's dictionary uses (ü written v)."""
    out: set[str] = set()
    for readings in pinyin_dict.pinyin_dict.values():
        for reading in readings.split(","):
            bare = unicodedata.normalize("NFKD", reading.replace("ü", "v"))
            syl = "".join(c for c in bare if not unicodedata.combining(c))
            if any(v in syl for v in "aeiouv"):
                out.add(syl)
    return frozenset(out)


_PINYIN_SET = _real_pinyin_syllables()
_WG_SET = frozenset(pinyin_to_wg(s) for s in _PINYIN_SET)
_ALL_SYLLABLES = _PINYIN_SET | _WG_SET
_MAX_SYL = max(len(s) for s in _ALL_SYLLABLES)


@lru_cache(maxsize=65536)
def latin_syllable_key(syl: str, prefer_wg: bool) -> str:
    """Canonical WG key of one romanised Chinese syllable (pinyin or WG input)."""
    s = syl.lower().replace("'", "").replace("’", "").replace("ü", "u")
    if prefer_wg and s in _WG_SET:
        return s
    if s in _PINYIN_SET:
        return pinyin_to_wg(s)
    return s


@lru_cache(maxsize=65536)
def segment_syllables(token: str) -> tuple[str, ...] | None:
    """Split a joined romanised token ("weiting") into syllables, or None if impossible."""
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[n] = ()
    for i in range(n - 1, -1, -1):
        for j in range(min(n, i + _MAX_SYL), i, -1):
            tail = best[j]
            if tail is not None and token[i:j] in _ALL_SYLLABLES:
                best[i] = (token[i:j], *tail)
                break
    return best[0]


def latin_token_key(token: str, prefer_wg: bool) -> str:
    """Canonical WG key of a romanised Chinese name token, syllable by syllable."""
    parts = segment_syllables(token.lower())
    if not parts:
        return token.lower()
    return "".join(latin_syllable_key(p, prefer_wg) for p in parts)


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (OpenCC t2s)."""
    return str(_T2S.convert(text))


def split_han_name(simplified: str) -> tuple[str, str]:
    """Split a Chinese full name (no spaces) into family and given name."""
    if len(simplified) >= 3 and simplified[:2] in COMPOUND_SURNAMES:
        return simplified[:2], simplified[2:]
    if len(simplified) <= 1:
        return simplified, ""
    return simplified[:1], simplified[1:]


@lru_cache(maxsize=65536)
def han_to_wg(chars: str, surname: bool = False) -> list[str]:
    """Canonical WG syllables for simplified Chinese characters."""
    if surname and chars in _SURNAME_READINGS:
        return [pinyin_to_wg(_SURNAME_READINGS[chars])]
    out: list[str] = []
    for i, ch in enumerate(chars):
        if surname and i == 0 and ch in _SURNAME_READINGS:
            out.append(pinyin_to_wg(_SURNAME_READINGS[ch]))
            continue
        py = lazy_pinyin(ch, style=Style.NORMAL, v_to_u=False, errors="ignore")
        if py:
            out.append(pinyin_to_wg(py[0]))
    return out


@lru_cache(maxsize=4096)
def han_surname_latin_keys(family_simplified: str) -> frozenset[str]:
    """All latin keys (Mandarin WG and Cantonese) a Chinese surname may be written as."""
    keys = {"".join(han_to_wg(family_simplified, surname=True))}
    for canto, chars in CANTONESE_SURNAMES.items():
        if family_simplified in chars:
            keys.add(canto)
    return frozenset(keys)


_MANDARIN_SURNAMES_BY_FREQUENCY = [
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "lin",
    "gao",
    "luo",
    "zheng",
    "liang",
    "xie",
    "song",
    "tang",
    "han",
    "feng",
    "deng",
    "cao",
    "peng",
    "zeng",
    "xiao",
    "tian",
    "dong",
    "pan",
    "yuan",
    "cai",
    "jiang",
    "yu",
    "du",
    "ye",
    "cheng",
    "wei",
    "su",
    "lv",
    "ding",
    "ren",
    "yao",
    "shen",
    "zhong",
    "cui",
    "tan",
    "lai",
    "hong",
    "qiu",
    "fan",
    "fang",
    "shi",
    "xia",
    "hou",
    "zhan",
    "you",
]
_CANTONESE_BY_FREQUENCY = list(CANTONESE_SURNAMES)


def _surname_rank() -> dict[str, int]:
    """Latin surname spellings (pinyin, WG, Cantonese) ranked by how common they are."""
    rank: dict[str, int] = {}
    for i, py in enumerate(_MANDARIN_SURNAMES_BY_FREQUENCY):
        for spelling in (pinyin_to_wg(py), py.replace("lv", "lu")):
            rank.setdefault(spelling, i)
    for i, canto in enumerate(_CANTONESE_BY_FREQUENCY):
        rank.setdefault(canto, i)
    return rank


SURNAME_RANK: dict[str, int] = _surname_rank()
