"""Result types of the text library: plain frozen dataclasses, JSON-ready through ``to_dict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SentimentLabel = Literal["negative", "neutral", "positive"]
PiiType = Literal[
    "email",
    "phone",
    "card",
    "tw_id",
    "cn_id",
    "th_id",
    "url_token",
    "person_name",
]


@dataclass(frozen=True, slots=True)
class Language:
    """A language decision: a BCP-47-like code (zh-Hant, zh-Hans, th, en, und, ...)."""

    code: str
    confidence: float
    script: str  # Hant, Hans, Thai, Latn, Jpan, Kore, Cyrl, Arab, Zyyy (none)


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One personal value found in a text: its type and its [start, end) character offsets."""

    type: PiiType
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Redaction:
    """The spans found in a text and the text with each span replaced by a placeholder."""

    spans: tuple[PiiSpan, ...]
    redacted: str


@dataclass(frozen=True, slots=True)
class Sentiment:
    """Three-class sentiment: the label and a score in [-1, 1] (P(positive) - P(negative))."""

    label: SentimentLabel
    score: float
    probabilities: tuple[float, float, float]  # negative, neutral, positive


@dataclass(frozen=True, slots=True)
class Evidence:
    """A keyword that drove a theme, with its [start, end) offsets in the (redacted) text."""

    term: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ThemeHit:
    """A theme assigned to a text or a sentence, with its strength and the words behind it."""

    theme_id: str
    label: str
    score: float
    sentiment: float | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class SentenceInsight:
    """A sentence (or contrastive clause) of a text with its own sentiment and themes."""

    start: int
    end: int
    text: str
    sentiment: Sentiment
    themes: tuple[ThemeHit, ...] = ()


@dataclass(frozen=True, slots=True)
class TextInsight:
    """Everything the pipeline knows about one text; offsets refer to ``redacted``."""

    language: Language
    sentiment: Sentiment
    sentences: tuple[SentenceInsight, ...]
    themes: tuple[ThemeHit, ...]
    pii: tuple[PiiSpan, ...]
    redacted: str
    model_version: str

    def to_dict(self, *, include_pii_values: bool = False) -> dict[str, Any]:
        """JSON-ready dict; personal values are dropped unless ``include_pii_values``."""
        data = asdict(self)
        if not include_pii_values:
            for span in data["pii"]:
                span.pop("text", None)
        return data


@dataclass(frozen=True, slots=True)
class Scores:
    """Accuracy and macro-F1 of a head on one labelled set."""

    n: int
    accuracy: float
    macro_f1: float


@dataclass(frozen=True, slots=True)
class TuneReport:
    """Before/after held-out scores of a workspace-tuned sentiment head."""

    n_examples: int
    languages: dict[str, int]
    workspace_before: Scores
    workspace_after: Scores
    base_before: dict[str, Scores]
    base_after: dict[str, Scores]
    seconds: float
    notes: tuple[str, ...] = field(default=())
