"""Multilingual text analytics, offline on CPU: language, sentiment, themes, PII, trends.

A pure library (no database, no web): ``analyze(texts)`` enriches comments; ``train()`` rebuilds
the base sentiment head from data shipped in registry packages; ``tune_head()`` makes a
workspace's own head from its labelled examples; ``discover_themes()`` and ``detect_emerging()``
find and watch themes. See docs/text.md.
"""

from cxloop.text.checksums import card_valid, cn_id_valid, luhn_valid, th_id_valid, tw_id_valid
from cxloop.text.discover import DiscoveredTheme, discover_themes, extend_taxonomy
from cxloop.text.encoder import Encoder, UseEncoder, default_encoder
from cxloop.text.language import detect_language, language_group
from cxloop.text.pii import detect_pii, redact
from cxloop.text.pipeline import Analyzer, analyze, default_analyzer
from cxloop.text.segment import split_sentences
from cxloop.text.sentiment import SentimentHead, default_head
from cxloop.text.taxonomy import Taxonomy, Theme, default_taxonomy
from cxloop.text.tokens import tokenize
from cxloop.text.topics import AssignConfig, ThemeAssigner
from cxloop.text.training import TrainResult, train
from cxloop.text.trends import EmergingTheme, WindowCounts, detect_emerging
from cxloop.text.tuning import tune_head
from cxloop.text.types import (
    Evidence,
    Language,
    PiiSpan,
    Redaction,
    Scores,
    SentenceInsight,
    Sentiment,
    TextInsight,
    ThemeHit,
    TuneReport,
)

__all__ = [
    "Analyzer",
    "AssignConfig",
    "DiscoveredTheme",
    "EmergingTheme",
    "Encoder",
    "Evidence",
    "Language",
    "PiiSpan",
    "Redaction",
    "Scores",
    "SentenceInsight",
    "Sentiment",
    "SentimentHead",
    "Taxonomy",
    "TextInsight",
    "Theme",
    "ThemeAssigner",
    "ThemeHit",
    "TrainResult",
    "TuneReport",
    "UseEncoder",
    "WindowCounts",
    "analyze",
    "card_valid",
    "cn_id_valid",
    "default_analyzer",
    "default_encoder",
    "default_head",
    "default_taxonomy",
    "detect_emerging",
    "detect_language",
    "detect_pii",
    "discover_themes",
    "extend_taxonomy",
    "language_group",
    "luhn_valid",
    "redact",
    "split_sentences",
    "th_id_valid",
    "tokenize",
    "train",
    "tune_head",
    "tw_id_valid",
]
