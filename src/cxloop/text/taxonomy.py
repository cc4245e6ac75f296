"""A configurable theme taxonomy: ids, labels, seed phrases and keywords per language.

Seeds anchor a theme in embedding space; keywords make assignment explainable (they are the
highlighted words) and stable across runs. zh-Hans entries are derived from zh-Hant with OpenCC
when a theme does not give them, and Chinese keywords match in either script.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from cxloop.text.encoder import Matrix
from cxloop.text.tokens import to_simplified, to_traditional
from cxloop.text.types import Evidence

LANGS = ("en", "zh-Hant", "zh-Hans", "th")


@dataclass(frozen=True)
class Theme:
    """One theme: labels and seeds per language, keywords per language, optional centroids."""

    id: str
    labels: Mapping[str, str]
    seeds: Mapping[str, Sequence[str]] = field(default_factory=dict)
    keywords: Mapping[str, Sequence[str]] = field(default_factory=dict)
    centroids: tuple[tuple[float, ...], ...] = ()

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (zh falls back between scripts, then English, then the id)."""
        for key in (lang, "zh-Hant" if lang.startswith("zh") else lang, "zh-Hans", "en"):
            if self.labels.get(key):
                return self.labels[key]
        return self.id

    def seed_texts(self) -> list[str]:
        """Every seed phrase in every language."""
        return [s for lang in sorted(self.seeds) for s in self.seeds[lang]]


def _complete(theme: Theme) -> Theme:
    """Derive zh-Hans from zh-Hant (and the reverse) where missing."""
    labels = dict(theme.labels)
    seeds = {k: list(v) for k, v in theme.seeds.items()}
    if "zh-Hant" in labels and "zh-Hans" not in labels:
        labels["zh-Hans"] = to_simplified(labels["zh-Hant"])
    if "zh-Hans" in labels and "zh-Hant" not in labels:
        labels["zh-Hant"] = to_traditional(labels["zh-Hans"])
    if "zh-Hant" in seeds and "zh-Hans" not in seeds:
        seeds["zh-Hans"] = [to_simplified(s) for s in seeds["zh-Hant"]]
    if "zh-Hans" in seeds and "zh-Hant" not in seeds:
        seeds["zh-Hant"] = [to_traditional(s) for s in seeds["zh-Hans"]]
    return replace(theme, labels=labels, seeds=seeds)


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of themes (the order breaks ties)."""

    themes: tuple[Theme, ...]
    version: str = "custom"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Build from the JSON shape of ``default_taxonomy.json``."""
        themes = []
        for t in data["themes"]:
            centroids = tuple(tuple(float(v) for v in c) for c in t.get("centroids", ()))
            themes.append(
                _complete(
                    Theme(
                        t["id"],
                        t.get("labels", {}),
                        t.get("seeds", {}),
                        t.get("keywords", {}),
                        centroids,
                    )
                )
            )
        ids = [t.id for t in themes]
        if len(set(ids)) != len(ids):
            raise ValueError("theme ids must be unique")
        return cls(tuple(themes), str(data.get("version", "custom")))

    @classmethod
    def load(cls, path: Path) -> Taxonomy:
        """Read a taxonomy JSON file."""
        return cls.from_dict(json.loads(path.read_text("utf-8")))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (round-trips through ``from_dict``)."""
        return {
            "version": self.version,
            "themes": [
                {
                    "id": t.id,
                    "labels": dict(t.labels),
                    "seeds": {k: list(v) for k, v in t.seeds.items()},
                    "keywords": {k: list(v) for k, v in t.keywords.items()},
                    **({"centroids": [list(c) for c in t.centroids]} if t.centroids else {}),
                }
                for t in self.themes
            ],
        }

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the content: part of the model version of every insight."""
        raw = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]

    def with_themes(self, themes: Iterable[Theme]) -> Taxonomy:
        """A copy with ``themes`` added (a theme with an existing id replaces it)."""
        new = {t.id: t for t in themes}
        kept = [new.pop(t.id, t) for t in self.themes]
        return Taxonomy((*kept, *new.values()), self.version)

    def without(self, *ids: str) -> Taxonomy:
        """A copy without the given themes."""
        return Taxonomy(tuple(t for t in self.themes if t.id not in ids), self.version)

    def anchors(self, encode: Any) -> tuple[Matrix, np.ndarray[Any, np.dtype[np.int64]]]:
        """(unit rows, theme index per row) for every seed embedding and stored centroid."""
        rows: list[Matrix] = []
        owner: list[int] = []
        texts: list[str] = []
        for i, theme in enumerate(self.themes):
            seeds = theme.seed_texts()
            texts += seeds
            owner += [i] * len(seeds)
        if texts:
            rows.append(encode(texts))
        for i, theme in enumerate(self.themes):
            for c in theme.centroids:
                v = np.asarray(c, dtype=np.float32)
                rows.append((v / max(float(np.linalg.norm(v)), 1e-6))[None, :])
                owner.append(i)
        if not rows:
            return np.zeros((0, 512), dtype=np.float32), np.zeros(0, dtype=np.int64)
        return np.vstack(rows).astype(np.float32), np.array(owner, dtype=np.int64)


def _is_ascii_word(term: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 '\-]*", term))


_ASCII_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")


class KeywordMatcher:
    """Finds theme keywords: whole words for alphabetic terms, substrings for CJK and Thai.

    Alphabetic phrases are looked up word n-gram by word n-gram in a dict and the others by
    their first character, which is several times faster than one big regex alternation.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._words: dict[str, int] = {}
        self._by_first: dict[str, list[tuple[str, int]]] = {}
        for i, theme in enumerate(taxonomy.themes):
            for lang, terms in theme.keywords.items():
                for term in terms:
                    variants = {term}
                    if lang.startswith("zh"):
                        variants |= {to_simplified(term), to_traditional(term)}
                    for v in variants:
                        key = v.lower().strip()
                        if _is_ascii_word(key):
                            self._words.setdefault(" ".join(key.split()), i)
                        elif key:
                            self._by_first.setdefault(key[0], []).append((key, i))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda t: -len(t[0]))
        self._max_words = max((k.count(" ") + 1 for k in self._words), default=1)

    def find(self, text: str) -> dict[int, list[Evidence]]:
        """Theme index → the keyword hits in ``text``."""
        hits: dict[int, list[Evidence]] = {}
        if self._words:
            words = [(m.start(), m.end(), m.group().lower()) for m in _ASCII_WORD.finditer(text)]
            k = 0
            while k < len(words):
                for n in range(min(self._max_words, len(words) - k), 0, -1):
                    phrase = " ".join(w for _, _, w in words[k : k + n])
                    owner = self._words.get(phrase)
                    if owner is not None:
                        start, end = words[k][0], words[k + n - 1][1]
                        hits.setdefault(owner, []).append(Evidence(text[start:end], start, end))
                        k += n
                        break
                else:
                    k += 1
        if self._by_first and not text.isascii():
            lower = text.lower()
            i = 0
            while i < len(lower):
                for term, owner in self._by_first.get(lower[i], ()):
                    if lower.startswith(term, i):
                        end = i + len(term)
                        hits.setdefault(owner, []).append(Evidence(text[i:end], i, end))
                        i = end - 1
                        break
                i += 1
        for evidence in hits.values():
            evidence.sort(key=lambda e: e.start)
        return hits


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The packaged default taxonomy (billing, price, delivery time, appointment, …)."""
    raw = (resources.files("cxloop.text") / "default_taxonomy.json").read_text("utf-8")
    return Taxonomy.from_dict(json.loads(raw))
