"""Word tokens for keyword labels: jieba for Chinese, PyThaiNLP (newmm) for Thai, letters else.

Chinese and Thai are never split on whitespace. Chinese tokens are counted in Simplified form so
that zh-Hant and zh-Hans comments share one vocabulary; labels are shown back in the script most
members use. Both tokenizers work offline from the dictionaries inside their wheels.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from functools import lru_cache
from importlib import resources
from typing import Any

_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?")
_PLACEHOLDER = re.compile(r"\[(?:EMAIL|PHONE|CARD|ID|URL|NAME)\]")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """The packaged word lists (``data/lexicon.json``)."""
    raw = (resources.files("cxloop.text") / "data" / "lexicon.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


@lru_cache(maxsize=1)
def _stop(name: str) -> frozenset[str]:
    return frozenset(lexicon()[name])


@lru_cache(maxsize=1)
def _th_stop() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())


_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba  # type: ignore[import-untyped]

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2twp")


def jieba_frequencies() -> dict[str, int]:
    """jieba's word frequencies (its dictionary in the wheel)."""
    freq: dict[str, int] = _jieba().dt.FREQ
    return freq


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (characters only; other scripts unchanged)."""
    return str(_converters()[0].convert(text))


def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese with Taiwan phrasing (OpenCC s2twp)."""
    return str(_converters()[1].convert(text))


def _keep(token: str, stop: frozenset[str]) -> bool:
    t = token.strip()
    return bool(t) and t.lower() not in stop and any(c.isalpha() for c in t)


def tokenize(text: str, group: str) -> list[str]:
    """Content words of ``text`` for a language group (``zh``, ``th``, ``en``, any other code)."""
    text = _PLACEHOLDER.sub(" ", text)
    if group == "zh":
        words = _jieba().lcut(to_simplified(text))
        return [
            w.lower()
            for w in words
            if _keep(w, _stop("zh_stop")) and (len(w) > 1 or not ("\u4e00" <= w <= "\u9fff"))
        ]
    if group == "th":
        from pythainlp.tokenize import word_tokenize

        stop = _th_stop()
        return [
            w.lower()
            for w in word_tokenize(text, engine="newmm", keep_whitespace=False)
            if _keep(w, stop | _stop("en_stop")) and len(w) > 1
        ]
    return [w.lower() for w in _WORD.findall(text) if _keep(w, _stop("en_stop")) and len(w) > 1]
