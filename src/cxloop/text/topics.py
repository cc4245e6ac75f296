"""Real-time theme assignment against a taxonomy: embedding similarity plus keyword evidence.

A text's similarity to a theme is its best cosine with any of the theme's anchors (its seed
phrases in every language, and centroids of discovered themes). Nearest-anchor rather than one
centroid per theme, because the encoder's space clusters by language. A keyword hit lowers the
bar; without one, only a clearly similar text is assigned. Deterministic for a given taxonomy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cxloop.text.encoder import Matrix
from cxloop.text.taxonomy import KeywordMatcher, Taxonomy
from cxloop.text.types import ThemeHit


@dataclass(frozen=True)
class AssignConfig:
    """Thresholds of theme assignment (cosine similarities of unit vectors)."""

    min_similarity: float = 0.55
    keyword_min_similarity: float = 0.2
    keyword_bonus: float = 0.25
    max_themes: int = 3


class ThemeAssigner:
    """Assigns themes of one taxonomy; build once (it embeds the seeds) and reuse."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        encode: Callable[[Sequence[str]], Matrix],
        config: AssignConfig | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.config = config or AssignConfig()
        self._anchors, self._owner = taxonomy.anchors(encode)
        self._n = len(taxonomy.themes)
        self._keywords = KeywordMatcher(taxonomy)

    def similarities(self, x: Matrix) -> Matrix:
        """(n, themes) best cosine of each row with each theme's anchors."""
        out = np.full((len(x), self._n), -1.0, dtype=np.float32)
        if len(x) == 0 or len(self._anchors) == 0:
            return out
        sims = x @ self._anchors.T
        for j in range(self._n):
            cols = self._owner == j
            if cols.any():
                out[:, j] = sims[:, cols].max(axis=1)
        return out

    def assign(
        self, x: Matrix, texts: Sequence[str], langs: Sequence[str] | None = None
    ) -> list[tuple[ThemeHit, ...]]:
        """Themes of each text (strongest first) from its embedding row and its words."""
        cfg = self.config
        sims = self.similarities(x)
        out: list[tuple[ThemeHit, ...]] = []
        for i, text in enumerate(texts):
            lang = langs[i] if langs is not None else "en"
            hits = self._keywords.find(text)
            row = sims[i]
            candidates = set(np.flatnonzero(row >= cfg.min_similarity).tolist())
            candidates.update(j for j in hits if row[j] >= cfg.keyword_min_similarity)
            scored = []
            for j in sorted(candidates):
                sim = float(row[j])
                evidence = hits.get(j)
                if evidence and sim >= cfg.keyword_min_similarity:
                    scored.append((min(1.0, sim + cfg.keyword_bonus), j, tuple(evidence)))
                elif sim >= cfg.min_similarity:
                    scored.append((sim, j, ()))
            scored.sort(key=lambda s: (-s[0], s[1]))
            out.append(
                tuple(
                    ThemeHit(
                        self.taxonomy.themes[j].id,
                        self.taxonomy.themes[j].label(lang),
                        round(score, 4),
                        None,
                        ev,
                    )
                    for score, j, ev in scored[: cfg.max_themes]
                )
            )
        return out
