"""Person-name normalisation: scripts, honorifics, Chinese and Thai romanisation keys."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cxloop.profiles.resolution import sinitic, thai
from cxloop.profiles.resolution.nicknames import NICKNAMES

CHINESE_REGIONS = frozenset({"TW", "HK", "CN", "MO", "SG"})

_HAN_HONORIFICS = (
    "先生",
    "小姐",
    "女士",
    "太太",
    "夫人",
    "老师",
    "医生",
    "博士",
    "同学",
    "君",
)
_HAN_GENDER = {"先生": "m", "小姐": "f", "女士": "f", "太太": "f", "夫人": "f"}
_LATIN_HONORIFICS = {
    "mr": "m",
    "mister": "m",
    "sir": "m",
    "mrs": "f",
    "ms": "f",
    "miss": "f",
    "madam": "f",
    "mdm": "f",
    "dr": "",
    "prof": "",
    "mx": "",
}
_LATIN_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})

_SPACE_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[^\w\s,'\-]")


@dataclass(frozen=True)
class NameKeys:
    """Comparison keys derived from one raw name."""

    display: str
    key: str
    latin: str
    script: str
    given: str = ""
    family: str = ""
    given_alt: str = ""
    gender: str = ""
    family_alt: str = ""
    # How the given name was written, for deciding whether two given names are comparable:
    # "han" (from characters), "yue" (Cantonese romanisation), "eng" (an English given name
    # of a Chinese person), "th" (Thai script, romanised by rule), "thl" (Thai written in
    # Latin letters), "" otherwise.
    system: str = ""


EMPTY_NAME = NameKeys(display="", key="", latin="", script="empty")


def _script(text: str) -> str:
    """Classify the letters of a name as han, thai, latin, mixed or other."""
    if text.isascii():  # the common case: only ASCII letters can be letters here
        return "latin" if any(ch.isalpha() for ch in text) else "empty"
    han = thai_n = latin = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FA1F:
            han += 1
        elif 0x0E00 <= o <= 0x0E7F:
            thai_n += 1
        elif ch.isascii() or (unicodedata.category(ch) in ("Ll", "Lu") and o < 0x0250):
            latin += 1
        else:
            other += 1
    kinds = [k for k, n in (("han", han), ("thai", thai_n), ("latin", latin)) if n]
    if len(kinds) > 1:
        return "mixed"
    if kinds:
        return kinds[0]
    return "other" if other else "empty"


def name_script(key: str) -> str:
    """The script of a name's comparison key (a mixed name's key holds its characters only)."""
    return _script(key)


def _fold_ascii(text: str) -> str:
    """Lowercase and strip diacritics from Latin text."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _strip_han_honorific(text: str) -> tuple[str, str, bool]:
    """Remove a trailing Chinese honorific; return (name, gender, surname_only)."""
    for hon in _HAN_HONORIFICS:
        if text.endswith(hon) and len(text) > len(hon):
            rest = text[: -len(hon)]
            # "陳先生" names only the family; "陳威廷先生" keeps the full name.
            return (
                rest,
                _HAN_GENDER.get(hon, ""),
                len(rest) <= 1 or (len(rest) == 2 and rest in sinitic.COMPOUND_SURNAMES),
            )
    return text, "", False


def _han_keys(text: str, gender: str) -> NameKeys:
    """Keys for a name written in Chinese characters."""
    simp = sinitic.to_simplified(text.replace(" ", "").replace("·", "").replace("・", ""))
    simp, hon_gender, surname_only = _strip_han_honorific(simp)
    gender = gender or hon_gender
    if surname_only:
        family, given = simp, ""
    else:
        family, given = sinitic.split_han_name(simp)
    fam_l = "".join(sinitic.han_to_wg(family, surname=True))
    giv_l = "".join(sinitic.han_to_wg(given)) if given else ""
    latin = f"{fam_l} {giv_l}".strip()
    return NameKeys(
        display=text,
        key=family + given,
        latin=latin,
        script="han",
        given=giv_l,
        family=fam_l,
        gender=gender,
        family_alt=sinitic.CANTONESE_OF.get(family, ""),
        system="han",
    )


def _latin_tokens(text: str) -> tuple[list[str], bool, str]:
    """Tokenise a Latin name; return tokens, whether a comma put the family first, gender."""
    folded = _PUNCT_RE.sub(" ", _fold_ascii(text)).replace("'", "")
    parts = [p for p in _SPACE_RE.split(folded.replace(",", " , ")) if p]
    gender = ""
    tokens: list[str] = []
    for i, p in enumerate(parts):
        bare = p.strip("-")
        if bare in _LATIN_HONORIFICS and (i == 0 or i == len(parts) - 1 or parts[i - 1] == ","):
            gender = gender or _LATIN_HONORIFICS[bare]
            continue
        if bare in _LATIN_SUFFIXES and i > 0:
            continue
        if bare:
            tokens.append(bare)
    if "," in tokens:
        cut = tokens.index(",")
        head, rest = tokens[:cut], [t for t in tokens[cut + 1 :] if t != ","]
        if head and rest:
            # "Chen, Wei-Ting": the family name stands before the comma.
            return [*head, "|", *rest], True, gender
    return [t for t in tokens if t != ","], False, gender


def _family_index(tokens: list[str], raw: str) -> int:
    """Position of the family name in a romanised Chinese name without a comma."""
    upper = {_fold_ascii(t).strip(",") for t in raw.split() if t.isupper() and len(t) > 1}
    if len(upper) == 1 and len(tokens) > 1:
        for idx in (0, len(tokens) - 1):
            if tokens[idx] in upper:
                return idx
    rank = sinitic.SURNAME_RANK
    candidates = [(rank[t], i) for i, t in enumerate(tokens) if t in rank]
    if not candidates:
        return 0
    edge = [c for c in candidates if c[1] in (0, len(tokens) - 1)]
    return min(edge or candidates)[1]


# One syllable of Hong Kong government (Cantonese) romanisation: "Kit", "Keung", "Tsz", "Nga".
_CANTONESE_SYLLABLE = re.compile(
    r"^(?:ng|gw|kw|ch|ts|sz|sh|[bcdfghjklmnpstwy])?(?:[aeiou]{1,3}|y|z)(?:ng|k|t|p|m|n|h)?$"
)
_COMPOUND_LATIN = {("au", "yeung"): "auyeung", ("ou", "yang"): "ouyang", ("szeto",): "szeto"}


def _merge_compounds(tokens: list[str]) -> list[str]:
    """Join two-token compound surnames ("Au Yeung", "Ou Yang") into one token."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = tuple(tokens[i : i + 2])
        if pair in _COMPOUND_LATIN:
            out.append(_COMPOUND_LATIN[pair])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def _chinese_latin(
    tokens: list[str], comma: bool, region: str | None, raw: str
) -> tuple[str, str, str, str]:
    """Family, given and English given name of a romanised Chinese name."""
    tokens = _merge_compounds(tokens)
    cantonese = region in ("HK", "MO")
    prefer_wg = region == "TW"

    def key(tok: str) -> str:
        return tok if cantonese else sinitic.latin_token_key(tok, prefer_wg)

    if comma:
        cut = tokens.index("|")
        fam_tokens, giv_tokens = tokens[:cut], tokens[cut + 1 :]
    else:
        fam_idx = _family_index(tokens, raw)
        fam_tokens = [tokens[fam_idx]]
        giv_tokens = tokens[:fam_idx] + tokens[fam_idx + 1 :]
    family = "".join(key(t) for t in fam_tokens)
    sino: list[str] = []
    english: list[str] = []
    for tok in giv_tokens:
        pieces = [p for p in tok.split("-") if p]
        if cantonese and pieces and all(_CANTONESE_SYLLABLE.match(p) for p in pieces):
            sino.extend(pieces)
        elif not cantonese and pieces and all(sinitic.segment_syllables(p) for p in pieces):
            sino.extend(key(p) for p in pieces)
        else:
            english.append(tok.replace("-", ""))
    given = "".join(sino) if sino else (english[0] if english else "")
    given_alt = english[0] if sino and english else ""
    return family, given, given_alt, "eng" if english and not sino else ("yue" if cantonese else "")


def _western_latin(tokens: list[str], comma: bool) -> tuple[str, str, str]:
    """Family, given and formal given name of a Western-order Latin name."""
    if comma:
        cut = tokens.index("|")
        family = "".join(tokens[:cut]).replace("-", "")
        rest = tokens[cut + 1 :]
        given = rest[0].replace("-", "") if rest else ""
    elif len(tokens) == 1:
        return tokens[0].replace("-", ""), "", ""
    else:
        family = tokens[-1].replace("-", "")
        given = tokens[0].replace("-", "")
    formal = NICKNAMES.get(given, "")
    return family, given, formal if formal and formal != given else ""


def _latin_keys(text: str, region: str | None) -> NameKeys:
    """Keys for a name written in Latin letters."""
    tokens, comma, gender = _latin_tokens(text)
    if not [t for t in tokens if t != "|"]:
        return NameKeys(display=text, key="", latin="", script="latin", gender=gender)
    bare = [t for t in tokens if t != "|"]
    chinese = region in CHINESE_REGIONS or (
        region is None and any(t in sinitic.SURNAME_RANK for t in bare)
    )
    system = ""
    if region == "TH":
        family, given = thai.latin_name_parts(bare, comma)
        given_alt, system = "", "thl"
    elif chinese:
        family, given, given_alt, system = _chinese_latin(tokens, comma, region, text)
    else:
        family, given, given_alt = _western_latin(tokens, comma)
    key = " ".join(t.replace("-", "") for t in bare)
    latin = f"{family} {given}".strip()
    family_alt = ""
    if chinese and family in sinitic.CANTONESE_SURNAMES:
        family_alt = "".join(sinitic.han_to_wg(sinitic.CANTONESE_SURNAMES[family][0], surname=True))
    if region == "TH":
        latin = thai.fold_latin(latin)
        family, given = thai.fold_latin(family), thai.fold_latin(given)
    return NameKeys(
        display=text,
        key=key,
        latin=latin,
        script="latin",
        given=given,
        family=family,
        given_alt=given_alt,
        gender=gender,
        family_alt=family_alt if family_alt != family else "",
        system=system,
    )


def _clean(value: str) -> str:
    """NFKC-normalise and collapse whitespace."""
    text = unicodedata.normalize("NFKC", value)
    return _SPACE_RE.sub(" ", text).strip(" .\t\n")


@lru_cache(maxsize=200_000)
def normalize_name(value: str | None, region: str | None = None) -> NameKeys:
    """Normalise a person's name into display, comparison and romanised keys."""
    if value is None:
        return EMPTY_NAME
    text = _clean(value)
    if not text:
        return EMPTY_NAME
    script = _script(text)
    region = region.upper() if region else None
    if script == "han":
        return _han_keys(text, "")
    if script == "thai":
        return thai.thai_keys(text, NameKeys)
    if script == "latin":
        return _latin_keys(text, region)
    if script == "mixed":
        return _mixed_keys(text, region)
    return NameKeys(display=text, key=text.lower(), latin="", script=script)


def name_from_parts(given: str | None, family: str | None) -> str:
    """One name string from separate given and family fields, keeping their roles.

    Latin names become "family, given" (the comma form: family first, every family token
    kept and joined, so a family name split by a typo or "van der Berg" stays whole);
    Chinese characters are written family first without a separator; Thai given first.
    """
    g = _clean(given or "")
    f = _clean(family or "")
    if not g or not f:
        return g or f
    script = _script(g + f)
    if script == "han":
        return f + g
    if script == "thai":
        return f"{g} {f}"
    if script == "latin":
        return f"{f}, {g}"
    return f"{f} {g}"


def _mixed_keys(text: str, region: str | None) -> NameKeys:
    """Keys for a name mixing scripts, e.g. "Peter 陳大文" or "Mr 陳"."""
    han = "".join(c for c in text if _script(c) == "han")
    latin_part = "".join(c if _script(c) != "han" else " " for c in text)
    if han:
        base = _han_keys(han, "")
        lat = _latin_keys(latin_part, region) if latin_part.strip() else None
        gender = base.gender or (lat.gender if lat else "")
        given_alt = lat.key.split(" ")[0] if lat and lat.key else ""
        return NameKeys(
            display=text,
            key=base.key,
            latin=base.latin,
            script="mixed",
            given=base.given or given_alt,
            family=base.family,
            given_alt=given_alt if base.given else "",
            gender=gender,
            family_alt=base.family_alt,
            system="han",
        )
    return NameKeys(display=text, key=_fold_ascii(text), latin="", script="mixed")
