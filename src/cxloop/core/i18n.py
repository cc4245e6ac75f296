"""UI languages, message catalogs and language negotiation.

Catalogs are flat JSON files in ``core/locales/<lang>.json``; a missing key falls back to English,
and a key missing in English is shown as the key itself so gaps are visible, not silent.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES: dict[str, str] = {
    "en": "English",
    "zh-Hant": "繁體中文",
    "zh-Hans": "简体中文",
    "th": "ไทย",
}
DEFAULT = "en"
_DIR = Path(__file__).with_name("locales")


@lru_cache(maxsize=8)
def catalog(lang: str) -> dict[str, str]:
    """The message catalog of a language."""
    path = _DIR / f"{lang}.json"
    if not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def translate(lang: str, key: str, **params: Any) -> str:
    """The text of ``key`` in ``lang``, formatted with ``params``."""
    text = catalog(lang).get(key) or catalog(DEFAULT).get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def normalize_language(tag: str | None) -> str | None:
    """Map a BCP 47 tag (``zh-TW``, ``zh_hk``, ``zh-CN``, ``th-TH``) to a UI language, or None."""
    if not tag:
        return None
    t = tag.strip().replace("_", "-").lower()
    if t.startswith("zh"):
        if any(x in t for x in ("hant", "-tw", "-hk", "-mo")):
            return "zh-Hant"
        return "zh-Hans"
    base = t.split("-")[0]
    for lang in LANGUAGES:
        if lang.lower() == base:
            return lang
    return None


def negotiate(accept_language: str | None, preferred: str | None = None) -> str:
    """Choose the UI language: an explicit preference, else the browser's, else English."""
    chosen = normalize_language(preferred)
    if chosen:
        return chosen
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            ranked.append((-weight, i, tag))
        for _w, _i, tag in sorted(ranked):
            lang = normalize_language(tag)
            if lang:
                return lang
    return DEFAULT
