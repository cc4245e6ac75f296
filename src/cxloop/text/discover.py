"""Theme discovery in a corpus: cluster per language group, label with class-based TF-IDF, merge.

The encoder's space clusters by language first, so each language group (zh = zh-Hant + zh-Hans,
en, th, …) is clustered on its own with k-means; clusters are labelled with their most
distinctive words (jieba for Chinese, PyThaiNLP for Thai); then clusters whose centroids are close
or that fall on the same taxonomy theme are merged across groups. Deterministic (fixed seeds).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cxloop.text.encoder import Matrix
from cxloop.text.language import language_group
from cxloop.text.taxonomy import Taxonomy, Theme
from cxloop.text.tokens import to_traditional, tokenize
from cxloop.text.topics import ThemeAssigner


@dataclass(frozen=True)
class DiscoveredTheme:
    """A theme found in a corpus."""

    id: str
    label: str
    keywords: dict[str, tuple[str, ...]]  # per language group
    members: tuple[int, ...]
    centroid: tuple[float, ...]
    languages: dict[str, int]
    taxonomy_id: str | None
    sentiment: float | None = None

    @property
    def size(self) -> int:
        """Number of member texts."""
        return len(self.members)

    def as_theme(self) -> Theme:
        """A taxonomy theme for real-time assignment (its centroid and keywords as anchors)."""
        labels = {"en": self.label}
        keywords: dict[str, list[str]] = {}
        for group, words in self.keywords.items():
            keywords["zh-Hans" if group == "zh" else group] = list(words[:3])
        return Theme(self.id, labels, {}, keywords, (self.centroid,))


def _c_tf_idf(docs_tokens: list[list[str]], labels: np.ndarray) -> dict[int, list[str]]:
    clusters = sorted(set(labels.tolist()))
    tf: dict[int, Counter[str]] = {c: Counter() for c in clusters}
    doc_freq: dict[int, Counter[str]] = {c: Counter() for c in clusters}
    for toks, c in zip(docs_tokens, labels.tolist(), strict=True):
        tf[c].update(toks)
        doc_freq[c].update(set(toks))
    total: Counter[str] = Counter()
    for counts in tf.values():
        total.update(counts)
    avg = max(1.0, sum(total.values()) / max(1, len(clusters)))
    out: dict[int, list[str]] = {}
    for c in clusters:
        n_docs = int((labels == c).sum())
        size = max(1, sum(tf[c].values()))
        min_df = 2 if n_docs >= 6 else 1
        scored = [
            (cnt / size * math.log(1 + avg / total[w]), w)
            for w, cnt in tf[c].items()
            if doc_freq[c][w] >= min_df
        ]
        scored.sort(key=lambda s: (-s[0], s[1]))
        out[c] = [w for _, w in scored[:6]]
    return out


def _cluster(x: Matrix, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans  # type: ignore[import-untyped]

    if k <= 1 or len(x) <= k:
        return np.zeros(len(x), dtype=np.int64)
    model = KMeans(n_clusters=k, n_init=4, random_state=seed)
    return np.asarray(model.fit_predict(x), dtype=np.int64)


def discover_themes(
    texts: Sequence[str],
    embeddings: Matrix,
    langs: Sequence[str],
    *,
    assigner: ThemeAssigner | None = None,
    sentiments: Sequence[float] | None = None,
    k: int | None = None,
    min_size: int = 5,
    merge_similarity: float = 0.75,
    seed: int = 0,
) -> list[DiscoveredTheme]:
    """Themes of a corpus, largest first; each tied to a taxonomy theme when one fits."""
    groups: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        groups.setdefault(language_group(lang), []).append(i)
    small = [g for g, idx in groups.items() if len(idx) < 2 * min_size]
    if small:
        groups.setdefault("mixed", [])
        for g in small:
            groups["mixed"] += groups.pop(g)
    clusters: list[tuple[str, list[int], list[str]]] = []
    for group, idx in sorted(groups.items()):
        if len(idx) < min_size:
            continue
        kk = k or max(2, min(30, round(math.sqrt(len(idx) / 2))))
        labels = _cluster(embeddings[idx], kk, seed)
        tok_group = group if group in ("zh", "th") else "en"
        words = _c_tf_idf([tokenize(texts[i], tok_group) for i in idx], labels)
        for c in sorted(set(labels.tolist())):
            members = [idx[j] for j in np.flatnonzero(labels == c)]
            if len(members) >= min_size:
                kw = words[c]
                if group == "zh" and _mostly_hant(langs, members):
                    kw = [to_traditional(w) for w in kw]
                clusters.append((group, members, kw))
    return _merge(clusters, texts, embeddings, langs, assigner, sentiments, merge_similarity)


def _mostly_hant(langs: Sequence[str], members: list[int]) -> bool:
    hant = sum(1 for i in members if langs[i] == "zh-Hant")
    return hant * 2 > len(members)


def _merge(
    clusters: list[tuple[str, list[int], list[str]]],
    texts: Sequence[str],
    x: Matrix,
    langs: Sequence[str],
    assigner: ThemeAssigner | None,
    sentiments: Sequence[float] | None,
    merge_similarity: float,
) -> list[DiscoveredTheme]:
    cents = []
    for _, members, _ in clusters:
        c = x[members].mean(axis=0)
        cents.append(c / max(float(np.linalg.norm(c)), 1e-6))
    tax_ids: list[str | None] = []
    for (_, members, _), _c in zip(clusters, cents, strict=True):
        tax_ids.append(_taxonomy_of(assigner, x[members], [texts[i] for i in members]))
    parent = list(range(len(clusters)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(clusters)):
        for j in range(i + 1, len(clusters)):
            same_tax = tax_ids[i] is not None and tax_ids[i] == tax_ids[j]
            shared = set(clusters[i][2][:3]) & set(clusters[j][2][:3])
            close = float(cents[i] @ cents[j]) >= merge_similarity
            if same_tax or close or len(shared) >= 2:
                parent[find(j)] = find(i)
    merged: dict[int, list[int]] = {}
    for i in range(len(clusters)):
        merged.setdefault(find(i), []).append(i)
    out = []
    for parts in merged.values():
        members = sorted(m for p in parts for m in clusters[p][1])
        keywords: dict[str, tuple[str, ...]] = {}
        for p in sorted(parts, key=lambda p: -len(clusters[p][1])):
            keywords.setdefault(clusters[p][0], tuple(clusters[p][2]))
        c = x[members].mean(axis=0)
        c = c / max(float(np.linalg.norm(c)), 1e-6)
        tax = next((tax_ids[p] for p in parts if tax_ids[p]), None)
        biggest = max(parts, key=lambda p: len(clusters[p][1]))
        label = " · ".join(clusters[biggest][2][:3]) or "(no keywords)"
        if tax and assigner is not None:
            label = next(t.label("en") for t in assigner.taxonomy.themes if t.id == tax)
        digest = hashlib.sha256(label.encode("utf-8")).hexdigest()[:8]
        senti = float(np.mean([sentiments[i] for i in members])) if sentiments else None
        out.append(
            DiscoveredTheme(
                tax or f"d-{digest}",
                label,
                keywords,
                tuple(members),
                tuple(round(float(v), 5) for v in c),
                dict(Counter(langs[i] for i in members)),
                tax,
                None if senti is None else round(senti, 4),
            )
        )
    out.sort(key=lambda t: (-t.size, t.id))
    return out


def _taxonomy_of(assigner: ThemeAssigner | None, x: Matrix, texts: list[str]) -> str | None:
    """The taxonomy theme most members are assigned to, when it is a majority."""
    if assigner is None:
        return None
    votes: Counter[str] = Counter()
    for hits in assigner.assign(x, texts):
        if hits:
            votes[hits[0].theme_id] += 1
    if not votes:
        return None
    theme, count = votes.most_common(1)[0]
    return theme if count * 2 >= len(texts) else None


def extend_taxonomy(taxonomy: Taxonomy, found: Sequence[DiscoveredTheme]) -> Taxonomy:
    """The taxonomy plus the discovered themes that match none of its themes."""
    return taxonomy.with_themes(t.as_theme() for t in found if t.taxonomy_id is None)
