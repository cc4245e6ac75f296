"""Tables of surveys: definitions and their versions, links (credentials), responses, answers,
and the website widget's public keys with their allowed origins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.clock import now
from cxloop.core.db import Base
from cxloop.core.types import IdType, JsonType, UTCDateTime


class Survey(Base):
    """A survey of a workspace; what it asks lives in its versions."""

    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_ws_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | active | closed
    # the version new links and public respondents get (no FK: versions point at the survey)
    current_version_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    # the source responses are recorded under on the journey (declared when first published)
    source_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SurveyVersion(Base):
    """One immutable-once-answered definition of a survey (the whole document, as JSON)."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    number: Mapped[int] = mapped_column(default=1)
    definition: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SurveyLink(Base):
    """A link to answer a survey: personal (one customer, one version, single use), public or
    kiosk. Only the SHA-256 of its token is stored; the token is shown once."""

    __tablename__ = "survey_links"
    __table_args__ = (Index("ix_survey_links_survey", "survey_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_versions.id"), nullable=True
    )  # None: the survey's current version
    kind: Mapped[str] = mapped_column(String(16))  # personal | public | kiosk
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # the customer of a personal link (no FK: the profiles domain owns that table)
    profile_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    customer_source_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    customer_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # piped values
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SurveyResponse(Base):
    """One respondent's answers to one survey version: partial until completed."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index("ix_survey_responses_survey", "survey_id", "status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("survey_links.id"), nullable=True)
    # set for personal links only: at most one response per personal link, ever
    single_use_link_id: Mapped[int | None] = mapped_column(IdType, nullable=True, unique=True)
    resume_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    profile_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="partial")  # partial | completed
    passed: Mapped[list[str]] = mapped_column(JsonType, default=list)  # optional, left blank
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    interaction_external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SurveyAnswer(Base):
    """One answer, stored per question with the version it answered."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    question_key: Mapped[str] = mapped_column(String(40))
    question_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JsonType)
    score: Mapped[int | None] = mapped_column(nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class WidgetKey(Base):
    """A website or in-app widget's public key: it names the workspace, the surveys it may
    collect for, the channel its answers are recorded under and whether a customer reference
    sent with an answer is attached to that customer. Public, not a secret: stored in clear."""

    __tablename__ = "survey_widget_keys"
    __table_args__ = (Index("ix_survey_widget_keys_ws", "workspace_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    public_key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16), default="web")  # web | app
    survey_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    # the source whose external ids the host page sends as ``customer`` (None: anonymous);
    # no FK: the profiles domain owns that table
    customer_source_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WidgetOrigin(Base):
    """One web origin (``https://shop.example``) allowed to post answers with a widget key."""

    __tablename__ = "survey_widget_origins"
    __table_args__ = (
        UniqueConstraint("key_id", "origin"),
        Index("ix_survey_widget_origins_origin", "origin"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    key_id: Mapped[int] = mapped_column(ForeignKey("survey_widget_keys.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
