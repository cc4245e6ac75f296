"""Thai-name handling: honorific prefixes, RTGS romanisation (pythainlp, optional) and folding."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

# Longest first: นางสาว must be tried before นาง.
_HONORIFICS: tuple[tuple[str, str], ...] = (
    ("นางสาว", "f"),
    ("เด็กหญิง", "f"),
    ("เด็กชาย", "m"),
    ("ด.ญ.", "f"),
    ("ด.ช.", "m"),
    ("น.ส.", "f"),
    ("นาง", "f"),
    ("นาย", "m"),
    ("คุณ", ""),
    ("ดร.", ""),
)
_FOLDS = (
    ("ph", "p"),
    ("th", "t"),
    ("kh", "k"),
    ("ch", "c"),
    ("j", "c"),
    ("ae", "a"),
    ("ee", "i"),
    ("ii", "i"),
    ("oo", "u"),
    ("uu", "u"),
    ("ou", "u"),
)
_DOUBLE_RE = re.compile(r"([a-z])\1+")
_NON_ALPHA_RE = re.compile(r"[^a-z ]")


def _load_romanizer() -> Callable[[str], str] | None:
    """Return pythainlp's rule-based RTGS romaniser if it is installed, else None."""
    try:
        from pythainlp.transliterate import romanize
    except ImportError:  # pragma: no cover - depends on the environment
        return None

    def _royin(text: str) -> str:
        return str(romanize(text, engine="royin"))

    return _royin


_ROMANIZE = _load_romanizer()


def romanizer_available() -> bool:
    """Tell whether Thai script can be romanised offline in this environment."""
    return _ROMANIZE is not None


def fold_latin(text: str) -> str:
    """Fold a romanised Thai name so RTGS and everyday spellings compare closer."""
    s = _NON_ALPHA_RE.sub("", text.lower().replace("-", " "))
    for a, b in _FOLDS:
        s = s.replace(a, b)
    return _DOUBLE_RE.sub(r"\1", s).strip()


@lru_cache(maxsize=50_000)
def romanize_token(token: str) -> str:
    """RTGS romanisation of one Thai word, folded; "" when no romaniser is installed."""
    if _ROMANIZE is None or not token:
        return ""
    return fold_latin(_ROMANIZE(token))


def strip_honorific(text: str) -> tuple[str, str]:
    """Remove a leading Thai honorific (นาย, นาง, นางสาว, คุณ, ...); return name and gender."""
    s = text.strip()
    for hon, gender in _HONORIFICS:
        if s.startswith(hon) and len(s) > len(hon):
            return s[len(hon) :].strip(), gender
    return s, ""


def thai_keys(text: str, factory: Callable[..., T]) -> T:
    """Build name keys for a Thai-script name with the given NameKeys factory."""
    name, gender = strip_honorific(text)
    tokens = name.split()
    given = tokens[0] if tokens else ""
    family = "".join(tokens[1:])
    g_lat = romanize_token(given)
    f_lat = romanize_token(family)
    latin = f"{f_lat} {g_lat}".strip() if (g_lat or f_lat) else ""
    fields: dict[str, Any] = {
        "display": name,
        "key": f"{given} {family}".strip(),
        "latin": latin,
        "script": "thai",
        "given": g_lat or given,
        "family": f_lat or family,
        "gender": gender,
        "system": "th",
    }
    return factory(**fields)


def latin_name_parts(tokens: list[str], comma: bool) -> tuple[str, str]:
    """Family and given name of a romanised Thai name (given name first unless a comma)."""
    if comma and "|" in tokens:
        cut = tokens.index("|")
        fam, giv = tokens[:cut], tokens[cut + 1 :]
        return "".join(fam), (giv[0] if giv else "")
    if len(tokens) == 1:
        return "", tokens[0]
    return "".join(tokens[1:]), tokens[0]
