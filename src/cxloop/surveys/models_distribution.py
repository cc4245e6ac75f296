"""Tables of distribution: audiences (segments), distributions, invitations, suppressions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.clock import now
from cxloop.core.db import Base
from cxloop.core.types import IdType, JsonType, UTCDateTime


class Segment(Base):
    """A saved audience: filters over the workspace's customer profiles."""

    __tablename__ = "survey_segments"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    name: Mapped[str] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Distribution(Base):
    """One survey version sent to an audience on some channels: now, at a time, or on a
    trigger; with reminders."""

    __tablename__ = "survey_distributions"
    __table_args__ = (Index("ix_survey_distributions_survey", "survey_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("survey_segments.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    channels: Mapped[list[str]] = mapped_column(JsonType, default=list)  # in order of preference
    mode: Mapped[str] = mapped_column(String(16))  # now | scheduled | trigger
    # scheduled | sending | active (trigger) | done | cancelled
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    trigger: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    trigger_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminders: Mapped[list[int]] = mapped_column(JsonType, default=list)  # days after sending
    expires_in_days: Mapped[int] = mapped_column(default=30)
    expanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the queued job that resumes this distribution (after a crash, a deferral, a reminder)
    followup_job_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Invitation(Base):
    """One customer invited by one distribution (once per trigger occurrence), with every
    status it reached and when."""

    __tablename__ = "survey_invitations"
    __table_args__ = (
        UniqueConstraint("distribution_id", "profile_id", "occurrence"),
        Index("ix_survey_invitations_due", "distribution_id", "status", "next_attempt_at"),
        Index("ix_survey_invitations_survey", "survey_id", "status"),
        Index("ix_survey_invitations_profile", "workspace_id", "profile_id", "sent_at"),
        Index("ix_survey_invitations_link", "link_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    distribution_id: Mapped[int] = mapped_column(ForeignKey("survey_distributions.id"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    profile_id: Mapped[int] = mapped_column(IdType)  # no FK: the profiles domain owns it
    occurrence: Mapped[str] = mapped_column(String(200), default="")  # the trigger's event
    link_id: Mapped[int | None] = mapped_column(ForeignKey("survey_links.id"), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    address: Mapped[str | None] = mapped_column(String(254), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # queued | deferred | sending | sent | delivered | opened | started | completed
    # | bounced | failed | skipped
    status: Mapped[str] = mapped_column(String(16), default="queued")
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)  # skip or deferral
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # random per invitation; the link, pixel and unsubscribe tokens are HMACs of it
    salt: Mapped[str] = mapped_column(String(64))
    open_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unsubscribe_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    reminder_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    deferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Suppression(Base):
    """A customer who unsubscribed from surveys on a channel, or an address that bounced.

    Consent records belong to the sources that report them (with lineage) and the profiles
    domain has no write path for them, so survey opt-outs are kept here.
    """

    __tablename__ = "survey_suppressions"
    __table_args__ = (
        Index("ix_survey_suppressions_profile", "workspace_id", "profile_id"),
        Index("ix_survey_suppressions_address", "workspace_id", "channel", "address"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    profile_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | sms | all
    address: Mapped[str | None] = mapped_column(String(254), nullable=True)  # bounces
    reason: Mapped[str] = mapped_column(String(16))  # unsubscribed | bounced
    invitation_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
