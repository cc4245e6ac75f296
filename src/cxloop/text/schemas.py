"""Request and response schemas of the text API (shared with the pages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.core.params import IdField, Text

MAX_TEXTS = 100
MAX_CHARS = 10_000
MAX_TOTAL_CHARS = 20_000  # about 3 s of CPU in the request; bulk work goes through ingest
SentimentLabel = Literal["negative", "neutral", "positive"]


class AnalyzeRequest(BaseModel):
    """Texts to analyse now (nothing is stored)."""

    model_config = ConfigDict(extra="forbid")

    texts: list[Annotated[Text, Field(min_length=1, max_length=MAX_CHARS)]] = Field(
        min_length=1,
        max_length=MAX_TEXTS,
        description=f"1 to {MAX_TEXTS} texts of at most {MAX_CHARS:,} characters, "
        f"{MAX_TOTAL_CHARS:,} in all",
    )

    @field_validator("texts")
    @classmethod
    def _total(cls, texts: list[str]) -> list[str]:
        total = sum(map(len, texts))
        if total > MAX_TOTAL_CHARS:
            raise ValueError(
                f"{total:,} characters in all; at most {MAX_TOTAL_CHARS:,} per request"
            )
        return texts


class PiiFound(BaseModel):
    """A personal value found in a text (its type and offsets, never its value)."""

    type: str
    start: int
    end: int


class ThemeFound(BaseModel):
    """A theme found in a text, with the words that drove it (offsets in ``redacted``)."""

    theme: str
    label: str
    strength: float
    sentiment: float | None
    evidence: list[dict[str, Any]]


class Insight(BaseModel):
    """What the analysis found in one text."""

    language: str
    sentiment: SentimentLabel
    score: float = Field(description="P(positive) - P(negative), in [-1, 1]")
    probabilities: dict[str, float]
    sentences: list[dict[str, Any]]
    themes: list[ThemeFound]
    pii: list[PiiFound]
    redacted: str
    model_version: str


class TrendPoint(BaseModel):
    """Mentions of a theme in one day or week."""

    start: date
    count: int


class ThemeSummary(BaseModel):
    """A theme with its volume, mean sentiment, negative share and trend over the window."""

    id: int
    key: str
    name: str | None
    label: str
    parent_id: int | None
    terms: list[str]
    volume: int
    avg_sentiment: float | None
    negative_share: float | None
    trend: list[TrendPoint]


class ThemeOverview(BaseModel):
    """Every active theme of the workspace over a window."""

    days: int
    bucket: Literal["day", "week"]
    start: date
    end: date
    themes: list[ThemeSummary]


class Highlight(BaseModel):
    """A word that drove a theme, with its offsets in ``text``."""

    term: str
    start: int
    end: int


class CommentSurvey(BaseModel):
    """Where a comment that is an open survey answer comes from."""

    survey_id: int
    survey: str = Field(description="The survey's name")
    question_key: str
    question: str = Field(description="The question's text (in ``lang`` when the survey has it)")
    response_id: int
    profile_id: int | None = Field(description="The customer's profile, when known")


class Comment(BaseModel):
    """An analysed comment as the caller may see it (redacted unless they hold profiles.pii)."""

    id: int
    subject_type: Literal["interaction", "answer"] = Field(
        description="``interaction``: an interaction's text; ``answer``: one open survey answer"
    )
    subject_id: int = Field(description="The interaction's id, or the survey answer's id")
    occurred_at: datetime
    channel: str | None
    language: str
    sentiment: str
    score: float
    text: str
    redacted: bool = Field(description="Whether ``text`` is the redacted text")
    pii_kinds: list[str]
    highlights: list[Highlight]
    themes: list[str]
    label: str | None = Field(description="The sentiment a person gave it, if any")
    model_version: str
    survey: CommentSurvey | None = Field(
        None, description="Survey, question and response of an open survey answer"
    )


class CommentDetail(Comment):
    """A comment with its sentences and every theme hit."""

    sentences: list[dict[str, Any]]
    theme_hits: list[dict[str, Any]]


class LabelRequest(BaseModel):
    """A person's sentiment for a comment: a label, or thumbs up/down."""

    model_config = ConfigDict(extra="forbid")

    label: SentimentLabel | None = None
    thumbs: Literal["up", "down"] | None = None


class LabelView(BaseModel):
    """A stored label."""

    comment_id: int
    label: str
    labelled_by: str
    updated_at: datetime


class ThemeRenameRequest(BaseModel):
    """A theme's new name."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=120)]


class ThemeMergeRequest(BaseModel):
    """The theme to merge this one into."""

    model_config = ConfigDict(extra="forbid")

    into_id: IdField


class ThemeSplitRequest(BaseModel):
    """A new theme split off this one: its name and the words that mark its comments."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=120)]
    terms: list[Annotated[Text, Field(min_length=1, max_length=80)]] = Field(
        min_length=1, max_length=50
    )


class ThemeView(BaseModel):
    """A theme after a change."""

    id: int
    key: str
    name: str | None
    label: str
    status: str
    merged_into_id: int | None
    parent_id: int | None
    terms: list[str]


class HeadView(BaseModel):
    """A workspace-tuned sentiment head with its before/after held-out scores."""

    version: int
    head_version: str
    labels: int
    active: bool
    created_at: datetime
    created_by: str
    report: dict[str, Any] = Field(
        description="workspace_before/after (after is cross-validated), base_before/after sets"
    )


class RetrainResult(BaseModel):
    """The new head and the job re-enriching the workspace with it."""

    head: HeadView
    reenrich_job_id: int


class EmergingRequest(BaseModel):
    """Windows to compare: the last ``days`` against the ``baseline_days`` before them."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(7, ge=1, le=90)
    baseline_days: int = Field(28, ge=1, le=365)


class EmergingView(BaseModel):
    """An alertable rise of a theme."""

    id: int
    theme_id: int
    theme: str
    kind: str
    window_start: datetime
    window_end: datetime
    baseline_start: datetime
    baseline_rate: float
    current_rate: float
    ratio: float | None = Field(description="None when the theme had no baseline mentions")
    current_count: int
    baseline_count: int
    p_value: float
    q_value: float
    severity: str
    detected_at: datetime


class ModelStatus(BaseModel):
    """The current model version and how many comments are enriched with it or not."""

    model_version: str
    current: int
    stale: int
    labels: dict[str, int]
    head: HeadView | None
