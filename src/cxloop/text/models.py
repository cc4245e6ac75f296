"""Tables of the text domain: enrichments, workspace themes, labels, tuned heads, emerging themes.

The analysis library itself (everything else in ``cxloop.text`` but the integration modules) has
no database; these tables hold what the product keeps of its results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.clock import now
from cxloop.core.db import Base
from cxloop.core.types import IdType, JsonType, UTCDateTime

SUBJECT_TYPES = ("interaction", "answer")


class TextEnrichment(Base):
    """What the text library found in one subject's free text (redacted; never the raw text)."""

    __tablename__ = "text_enrichments"
    __table_args__ = (
        UniqueConstraint("workspace_id", "subject_type", "subject_id"),
        Index("ix_text_enrichments_ws_model", "workspace_id", "model_version"),
        Index("ix_text_enrichments_ws_occurred", "workspace_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    subject_type: Mapped[str] = mapped_column(String(16))  # interaction | answer
    subject_id: Mapped[int] = mapped_column(IdType)
    subject_version: Mapped[int] = mapped_column(default=1)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(16))
    sentiment: Mapped[str] = mapped_column(String(8))  # negative | neutral | positive
    sentiment_score: Mapped[float] = mapped_column(Float)
    sentences: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    pii_kinds: Mapped[list[str]] = mapped_column(JsonType, default=list)
    redacted: Mapped[str] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class TextTheme(Base):
    """A workspace's theme: from the taxonomy (``key``), renamable, mergeable and splittable."""

    __tablename__ = "text_themes"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)  # None: taxonomy label
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("text_themes.id"), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("text_themes.id"), nullable=True)
    terms: Mapped[list[str]] = mapped_column(JsonType, default=list)  # a split-off theme's words
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class TextThemeMention(Base):
    """One theme found in one enrichment, with the sentiment of the sentences that carry it."""

    __tablename__ = "text_theme_mentions"
    __table_args__ = (
        UniqueConstraint("enrichment_id", "theme_id"),
        Index("ix_text_theme_mentions_ws_theme", "workspace_id", "theme_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    enrichment_id: Mapped[int] = mapped_column(
        ForeignKey("text_enrichments.id", ondelete="CASCADE")
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("text_themes.id"))
    strength: Mapped[float] = mapped_column(Float)
    sentiment: Mapped[float | None] = mapped_column(Float, nullable=True)
    # the words that drove the theme: [{"term", "start", "end"}], offsets in the redacted text
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)


class TextLabel(Base):
    """A user's sentiment label of one comment (thumbs up/down): training data for the head."""

    __tablename__ = "text_labels"
    __table_args__ = (UniqueConstraint("workspace_id", "enrichment_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    enrichment_id: Mapped[int] = mapped_column(
        ForeignKey("text_enrichments.id", ondelete="CASCADE")
    )
    label: Mapped[str] = mapped_column(String(8))  # negative | neutral | positive
    labelled_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class TextHead(Base):
    """A workspace-tuned sentiment head, with its held-out scores before and after tuning."""

    __tablename__ = "text_heads"
    __table_args__ = (UniqueConstraint("workspace_id", "version"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    version: Mapped[int] = mapped_column()  # 1, 2, ... per workspace
    head_version: Mapped[str] = mapped_column(String(80))  # SentimentHead.version
    blob: Mapped[bytes] = mapped_column(LargeBinary)  # SentimentHead.to_json(), UTF-8
    n_labels: Mapped[int] = mapped_column()
    report: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class EmergingThemeEvent(Base):
    """A significant rise of a theme between a baseline and a current window (alertable)."""

    __tablename__ = "text_emerging_themes"
    __table_args__ = (UniqueConstraint("workspace_id", "theme_id", "kind", "window_end"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("text_themes.id"))
    kind: Mapped[str] = mapped_column(String(16))  # volume | negative_share | new
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    baseline_start: Mapped[datetime] = mapped_column(UTCDateTime)
    baseline_rate: Mapped[float] = mapped_column(Float)
    current_rate: Mapped[float] = mapped_column(Float)
    ratio: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: no baseline
    current_count: Mapped[int] = mapped_column()
    baseline_count: Mapped[int] = mapped_column()
    p_value: Mapped[float] = mapped_column(Float)
    q_value: Mapped[float] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(8))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
