"""Language identification: a script census decides CJK, Thai and Korean; py3langid the rest.

Chinese is split into zh-Hant / zh-Hans by counting the characters OpenCC changes when converting
Traditional to Simplified (t2s) against those it changes Simplified to Traditional (s2t). Mixed
texts get the language of the script carrying most content, where one Han character weighs about
as much as three Latin or Thai letters. Low confidence gives ``und`` rather than a wrong guess.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cxloop.text.types import Language

# Languages the statistical detector may answer for text in an alphabetic script. A short
# closed list is far more accurate on short comments than all 97 of py3langid's languages.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "en", "fr", "de", "es", "it", "pt", "nl", "vi", "id", "ms", "tl", "tr", "pl", "sv",
    "da", "no", "fi", "cs", "ro", "hu", "ru", "uk", "ar", "fa", "hi", "he", "el",
)  # fmt: skip

# Content weight per character of each script (a Han character ~ a short Latin word / 3 letters).
_WEIGHT = {
    "Han": 1.0,
    "Kana": 1.0,
    "Hangul": 1.0,
    "Thai": 1 / 3,
    "Lao": 1 / 3,
    "Khmer": 1 / 3,
    "Myanmar": 1 / 3,
    "Latin": 1 / 3,
    "Cyrillic": 1 / 3,
    "Greek": 1 / 3,
    "Arabic": 1 / 3,
    "Hebrew": 1 / 3,
    "Devanagari": 1 / 3,
}
_SCRIPT_CODES = {
    "Thai": ("th", "Thai"),
    "Lao": ("lo", "Laoo"),
    "Khmer": ("km", "Khmr"),
    "Myanmar": ("my", "Mymr"),
    "Hangul": ("ko", "Kore"),
}
_NOISE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|@\w+|&\w+;|\[[A-Z]+\]", re.IGNORECASE)
_MIN_UNITS = 1.0  # below this much content (e.g. "ok", "👍", "123") the answer is und
_MIN_CONFIDENCE = 0.5


_RUNS = re.compile(
    "|".join(
        f"(?P<{name}>[{chars}]+)"
        for name, chars in (
            ("Han", "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"),
            ("Kana", "\u3040-\u30fa\u30fd-\u30ff\u31f0-\u31ff"),
            ("Hangul", "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"),
            ("Thai", "\u0e01-\u0e3a\u0e40-\u0e4e"),
            ("Lao", "\u0e81-\u0ecd"),
            ("Khmer", "\u1780-\u17d3"),
            ("Myanmar", "\u1000-\u103f\u1050-\u109f"),
            ("Latin", "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"),
            ("Cyrillic", "\u0400-\u0481\u048a-\u052f"),
            ("Greek", "\u0386-\u03ff"),
            ("Hebrew", "\u05d0-\u05ea"),
            ("Arabic", "\u0620-\u064a\u066e-\u06d3\u0750-\u077f"),
            ("Devanagari", "\u0900-\u0963\u0971-\u097f"),
        )
    )
)
_STATISTICAL = frozenset(("Latin", "Cyrillic", "Greek", "Hebrew", "Arabic", "Devanagari"))


def script_census(text: str) -> tuple[dict[str, float], str, str]:
    """(content weight per script, the Han characters, the alphabetic runs joined by spaces)."""
    units: dict[str, float] = {}
    han: list[str] = []
    alpha: list[str] = []
    for m in _RUNS.finditer(text):
        script = m.lastgroup or ""
        run = m.group()
        units[script] = units.get(script, 0.0) + len(run) * _WEIGHT[script]
        if script == "Han":
            han.append(run)
        elif script in _STATISTICAL:
            alpha.append(run)
    return units, "".join(han), " ".join(alpha)


@lru_cache(maxsize=1)
def _opencc() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def chinese_script(text: str) -> tuple[str | None, int, int]:
    """(``Hant``/``Hans``/None, traditional-only count, simplified-only count) of a Han text."""
    t2s, s2t = _opencc()
    to_simp = t2s.convert(text)
    to_trad = s2t.convert(text)
    # OpenCC converts phrase by phrase and may change the length: compare the character
    # multisets' differences rather than positions when lengths differ.
    if len(to_simp) == len(text) == len(to_trad):
        trad = sum(1 for a, b in zip(text, to_simp, strict=True) if a != b)
        simp = sum(1 for a, b in zip(text, to_trad, strict=True) if a != b)
    else:
        trad = len(set(text) - set(to_simp))
        simp = len(set(text) - set(to_trad))
    if trad > simp:
        return "Hant", trad, simp
    if simp > trad:
        return "Hans", trad, simp
    return None, trad, simp


class _Detector:
    """py3langid restricted to a closed language list, loaded once per process."""

    def __init__(self, languages: Sequence[str]) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

        self._ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._ident.set_languages(list(languages))
        self._lock = threading.Lock()

    def classify(self, text: str) -> tuple[str, float]:
        with self._lock:
            code, conf = self._ident.classify(text)
        return str(code), float(conf)


_detectors: dict[tuple[str, ...], _Detector] = {}
_detectors_lock = threading.Lock()


def _detector(languages: Sequence[str]) -> _Detector:
    key = tuple(sorted(languages))
    with _detectors_lock:
        if key not in _detectors:
            _detectors[key] = _Detector(key)
        return _detectors[key]


def detect_language(
    text: str,
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    zh_fallback: str = "zh",
    min_confidence: float = _MIN_CONFIDENCE,
) -> Language:
    """Detect the dominant language of ``text`` (``und`` when unsure)."""
    text = _NOISE.sub(" ", text)  # links, addresses, @mentions, placeholders say nothing
    units, han, alpha = script_census(text)
    total = sum(units.values())
    if total < _MIN_UNITS:
        return Language("und", 0.0, "Zyyy")
    # Japanese: any real amount of kana next to Han characters.
    kana = units.get("Kana", 0.0)
    if kana and kana >= 0.1 * (kana + units.get("Han", 0.0)):
        units["Kana"] = kana + units.pop("Han", 0.0)
    script, weight = max(units.items(), key=lambda kv: kv[1])
    share = weight / total
    if script == "Kana":
        return Language("ja", round(share, 4), "Jpan")
    if script == "Han":
        variant, _, _ = chinese_script(han)
        if variant is None:
            return Language(zh_fallback, round(share, 4), "Hani")
        return Language(f"zh-{variant}", round(share, 4), variant)
    if script in _SCRIPT_CODES:
        code, iso = _SCRIPT_CODES[script]
        return Language(code, round(share, 4), iso)
    code, conf = _detector(languages).classify(alpha.lower())
    confidence = conf * share
    if confidence < min_confidence or code == "und":
        return Language("und", round(confidence, 4), _ISO_SCRIPT.get(script, "Zyyy"))
    return Language(code, round(confidence, 4), _ISO_SCRIPT.get(script, "Zyyy"))


_ISO_SCRIPT = {
    "Latin": "Latn",
    "Cyrillic": "Cyrl",
    "Greek": "Grek",
    "Arabic": "Arab",
    "Hebrew": "Hebr",
    "Devanagari": "Deva",
}


def language_group(code: str) -> str:
    """The group a language is analysed in: ``zh`` for every Chinese variant, else the code."""
    return "zh" if code == "zh" or code.startswith("zh-") else code
