"""The enrichment pipeline: language, PII, sentences, sentiment and themes for batches of texts.

Texts are redacted before anything else sees them, so embeddings, theme keywords and discovered
labels never carry personal data. Each batch makes one token pass of the encoder: a
multi-sentence text goes in as its sentences, which yields the text's embedding (from all its
tokens) and, only where sentence detail is wanted, each sentence's exact embedding for the
price of the encoder's small final net (``text.pieces``). Text-level sentiment always comes from
the text's embedding, which scores better than averaging its sentences.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from cxloop.text.encoder import DIM, Encoder, Matrix, default_encoder, single_threaded_blas
from cxloop.text.language import DEFAULT_LANGUAGES, detect_language
from cxloop.text.pii import DEFAULT_REGIONS, detect_pii, normalize_text, redact
from cxloop.text.segment import clause_core, split_sentences
from cxloop.text.sentiment import SentimentHead, default_head, to_sentiment
from cxloop.text.taxonomy import Taxonomy, default_taxonomy
from cxloop.text.topics import AssignConfig, ThemeAssigner
from cxloop.text.types import Evidence, Language, PiiSpan, SentenceInsight, TextInsight, ThemeHit

PIPELINE_VERSION = "2"
_PLACEHOLDER = re.compile(r"\[(?:EMAIL|PHONE|CARD|ID|URL|NAME)\]")
_LUKEWARM = 0.25
SentenceMode = Literal["auto", "always", "never"]
_CONTRAST = re.compile(
    r"(?i)\b(?:but|however|although|though|whereas|except)\b|但|可是|不過|不过|然而|แต่"
)


@dataclass
class _Item:
    text: str
    language: Language
    pii: tuple[PiiSpan, ...]
    redacted: str
    spans: list[tuple[int, int]]


class Analyzer:
    """Enriches texts; build once per process (models load lazily) and reuse for every batch."""

    def __init__(
        self,
        *,
        head: SentimentHead | None = None,
        taxonomy: Taxonomy | None = None,
        encoder: Encoder | None = None,
        regions: Sequence[str] = DEFAULT_REGIONS,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        zh_fallback: str = "zh",
        sentences: SentenceMode = "auto",
        assign: AssignConfig | None = None,
        names: bool = True,
    ) -> None:
        self._head = head
        self._taxonomy = taxonomy
        self.encoder: Encoder = encoder or default_encoder()
        self.regions = tuple(regions)
        self.languages = tuple(languages)
        self.zh_fallback = zh_fallback
        self.sentence_mode: SentenceMode = sentences
        self.assign_config = assign or AssignConfig()
        self.names = names
        self._assigner: ThemeAssigner | None = None
        self._lock = threading.Lock()

    @property
    def head(self) -> SentimentHead:
        """The sentiment head in use (the packaged base head unless one was given)."""
        if self._head is None:
            self._head = default_head()
        return self._head

    @property
    def taxonomy(self) -> Taxonomy:
        """The taxonomy in use (the packaged default unless one was given)."""
        if self._taxonomy is None:
            self._taxonomy = default_taxonomy()
        return self._taxonomy

    @property
    def assigner(self) -> ThemeAssigner:
        """The theme assigner (embeds the taxonomy's seeds once)."""
        with self._lock:
            if self._assigner is None:
                self._assigner = ThemeAssigner(
                    self.taxonomy, self.encoder.encode, self.assign_config
                )
            return self._assigner

    @property
    def model_version(self) -> str:
        """Identifies everything that shapes a result: pipeline, head, encoder and taxonomy."""
        return (
            f"text-{PIPELINE_VERSION}/{self.head.version}/{self.encoder.name}"
            f"/tax-{self.taxonomy.fingerprint}"
        )

    def with_head(self, head: SentimentHead) -> Analyzer:
        """A copy using another sentiment head (e.g. a workspace-tuned one)."""
        clone = self._clone()
        clone._head = head
        return clone

    def with_taxonomy(self, taxonomy: Taxonomy) -> Analyzer:
        """A copy using another taxonomy."""
        clone = self._clone()
        clone._taxonomy, clone._assigner = taxonomy, None
        return clone

    def _clone(self) -> Analyzer:
        clone = Analyzer(
            head=self._head,
            taxonomy=self._taxonomy,
            encoder=self.encoder,
            regions=self.regions,
            languages=self.languages,
            zh_fallback=self.zh_fallback,
            sentences=self.sentence_mode,
            assign=self.assign_config,
            names=self.names,
        )
        clone._assigner = self._assigner
        return clone

    def warm_up(self) -> None:
        """Load every model now rather than on the first text."""
        from cxloop.text.names import _word_freq

        _word_freq()  # jieba's dictionary, used to tell names from common words
        self.analyze(
            ["warm-up 預約 นัด", "Thanks, the technician was great", "王先生您好 0912345678"]
        )

    def analyze_one(self, text: str) -> TextInsight:
        """Enrich one text (the streaming path)."""
        return self.analyze([text])[0]

    def analyze(self, texts: Sequence[str], *, batch_size: int = 256) -> list[TextInsight]:
        """Enrich texts in batches; results are in input order."""
        out: list[TextInsight] = []
        for i in range(0, len(texts), batch_size):
            out += self._batch(texts[i : i + batch_size])
        return out

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Text embeddings exactly as ``analyze`` computes them (to train heads on)."""
        out = [self._embed(texts[i : i + 256]) for i in range(0, len(texts), 256)]
        return np.vstack(out) if out else np.zeros((0, DIM), dtype=np.float32)

    def _embed(self, texts: Sequence[str]) -> Matrix:
        with single_threaded_blas():
            return self.encoder.encode_pieces(_pieces([self._prepare(t) for t in texts])[0]).texts

    def _prepare(self, raw: str) -> _Item:
        text = normalize_text(raw)
        lang = detect_language(text, languages=self.languages, zh_fallback=self.zh_fallback)
        pii = tuple(detect_pii(text, regions=self.regions, names=self.names))
        red = redact(text, pii).redacted if pii else text
        return _Item(text, lang, pii, red, split_sentences(red))

    def _batch(self, texts: Sequence[str]) -> list[TextInsight]:
        # small matrix products: BLAS threads would only spin (and burn CPU) around them
        with single_threaded_blas():
            return self._batch_inner(texts)

    def _batch_inner(self, texts: Sequence[str]) -> list[TextInsight]:
        items = [self._prepare(t) for t in texts]
        groups, sentence_pieces = _pieces(items)
        encoded = self.encoder.encode_pieces(groups)
        x = encoded.texts
        probs = self.head.predict_proba(x)
        langs = [it.language.code for it in items]
        themes = self.assigner.assign(x, [it.redacted for it in items], langs)
        detail = [
            self._wants_sentences(it, p, h) for it, p, h in zip(items, probs, themes, strict=True)
        ]
        seg_texts: list[str] = []
        seg_owner: list[int] = []
        seg_pieces: list[int] = []
        for i, it in enumerate(items):
            if detail[i]:
                for (s, e), k in zip(it.spans, sentence_pieces[i], strict=True):
                    seg_texts.append(it.redacted[s:e])
                    seg_owner.append(i)
                    seg_pieces.append(k)
        seg_x = encoded.pieces(seg_pieces)
        seg_probs = self.head.predict_proba(seg_x)
        seg_themes = self.assigner.assign(seg_x, seg_texts, [langs[i] for i in seg_owner])
        per_text: dict[int, list[int]] = {}
        for k, i in enumerate(seg_owner):
            per_text.setdefault(i, []).append(k)
        version = self.model_version
        results = []
        for i, it in enumerate(items):
            sentiment = to_sentiment(probs[i])
            ks = per_text.get(i, [])
            sentences: tuple[SentenceInsight, ...]
            if ks:
                sentences = tuple(
                    SentenceInsight(
                        s,
                        e,
                        it.redacted[s:e],
                        to_sentiment(seg_probs[k]),
                        _shift(seg_themes[k], s, float(seg_probs[k][2] - seg_probs[k][0])),
                    )
                    for (s, e), k in zip(it.spans, ks, strict=True)
                )
                text_themes = _combine(themes[i], sentences, self.assign_config.max_themes)
            else:
                with_sent = tuple(replace(h, sentiment=sentiment.score) for h in themes[i])
                text_themes = with_sent
                sentences = (
                    tuple(
                        SentenceInsight(s, e, it.redacted[s:e], sentiment, with_sent)
                        for s, e in it.spans
                    )
                    if len(it.spans) == 1
                    else ()
                )
            results.append(
                TextInsight(
                    it.language, sentiment, sentences, text_themes, it.pii, it.redacted, version
                )
            )
        return results

    def _wants_sentences(self, it: _Item, p: np.ndarray, hits: tuple[ThemeHit, ...]) -> bool:
        if len(it.spans) < 2 or self.sentence_mode == "never":
            return False
        if self.sentence_mode == "always":
            return True
        # auto: only where sentences can tell a different story from the whole text: a
        # contrast ("… but …"), themes named in different sentences, or a lukewarm whole
        if _CONTRAST.search(it.redacted) or abs(float(p[2] - p[0])) < _LUKEWARM:
            return True
        where = {
            (h.theme_id, k)
            for h in hits
            for ev in h.evidence
            for k, (s, e) in enumerate(it.spans)
            if s <= ev.start < e
        }
        return len({t for t, _ in where}) > 1 and len({k for _, k in where}) > 1


def _pieces(items: Sequence[_Item]) -> tuple[list[list[str]], list[list[int]]]:
    """What the encoder sees of each text, and which (flat) pieces are its sentences.

    A one-sentence text is one piece. Otherwise each sentence is a piece, and a leading
    contrastive conjunction is a piece of its own: the text's embedding still has it, while the
    sentence's is that of its core (see ``clause_core``).
    """
    groups: list[list[str]] = []
    sentences: list[list[int]] = []
    k = 0
    for it in items:
        if len(it.spans) < 2:
            groups.append([_for_model(it.redacted)])
            sentences.append([])
            k += 1
            continue
        group: list[str] = []
        mine: list[int] = []
        for s, e in it.spans:
            sentence = it.redacted[s:e]
            core = clause_core(sentence)
            if core != sentence:
                group.append(_for_model(sentence[: len(sentence) - len(core)]))
            mine.append(k + len(group))
            group.append(_for_model(core))
        groups.append(group)
        sentences.append(mine)
        k += len(group)
    return groups, sentences


def _for_model(text: str) -> str:
    """The text the encoder sees: placeholders carry no meaning and sway sentiment, so drop them."""
    return _PLACEHOLDER.sub("", text) if "[" in text else text


def _shift(hits: tuple[ThemeHit, ...], offset: int, score: float) -> tuple[ThemeHit, ...]:
    return tuple(
        replace(
            h,
            sentiment=round(score, 4),
            evidence=tuple(Evidence(e.term, e.start + offset, e.end + offset) for e in h.evidence),
        )
        for h in hits
    )


def _combine(
    whole: tuple[ThemeHit, ...], sentences: tuple[SentenceInsight, ...], limit: int
) -> tuple[ThemeHit, ...]:
    """Text themes: every sentence's themes (sentiment = mean of those sentences) plus the
    whole text's, strongest first."""
    best: dict[str, ThemeHit] = {}
    scores: dict[str, list[float]] = {}
    for sent in sentences:
        for h in sent.themes:
            scores.setdefault(h.theme_id, []).append(sent.sentiment.score)
            prev = best.get(h.theme_id)
            evidence = (prev.evidence if prev else ()) + h.evidence
            top = h if prev is None or h.score > prev.score else prev
            best[h.theme_id] = replace(top, evidence=evidence)
    for h in whole:
        if h.theme_id not in best:
            best[h.theme_id] = h
    out = []
    for tid, h in best.items():
        s = scores.get(tid)
        mean = round(float(np.mean(s)), 4) if s else h.sentiment
        out.append(replace(h, sentiment=mean))
    out.sort(key=lambda h: (-h.score, h.theme_id))
    return tuple(out[: max(limit, len(scores))])


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """The process-wide analyzer with the packaged head and taxonomy."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer()
        return _default


def analyze(texts: Sequence[str]) -> list[TextInsight]:
    """Enrich texts with the process-wide default analyzer."""
    return default_analyzer().analyze(texts)
