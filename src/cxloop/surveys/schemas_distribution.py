"""Schemas of distribution: audiences, contact rules, distributions, invitations, figures."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cxloop.core.params import IdField, Text
from cxloop.surveys.definition import Lang

SendChannel = Literal["email", "sms", "web"]
InteractionChannel = Literal[
    "web", "email", "sms", "app", "store", "phone", "chat", "social", "api", "post"
]
QUIET = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        reason = f"unknown time zone {value!r} (use an IANA name such as Asia/Bangkok)"
        raise ValueError(reason) from None
    return value


class RecentInteraction(BaseModel):
    """Customers with an interaction on these channels / of these types in the last days."""

    model_config = ConfigDict(extra="forbid")

    channels: list[InteractionChannel] = Field(default_factory=list, max_length=10)
    types: list[Text] = Field(default_factory=list, max_length=20)
    within_days: int = Field(ge=1, le=3650)


class ConsentFilter(BaseModel):
    """Customers whose survey consent on a channel is granted (or at least not withdrawn)."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["email", "sms", "all"] = "all"
    require: Literal["granted", "not_withdrawn"] = "not_withdrawn"


class SegmentFilters(BaseModel):
    """Filters of an audience; every given filter must hold (an empty one matches everyone)."""

    model_config = ConfigDict(extra="forbid")

    tiers: list[Text] = Field(default_factory=list, max_length=50)
    regions: list[Text] = Field(default_factory=list, max_length=50)
    languages: list[Lang] = Field(default_factory=list, max_length=4)
    products: list[Text] = Field(default_factory=list, max_length=100)
    categories: list[Text] = Field(default_factory=list, max_length=100)
    interaction: RecentInteraction | None = None
    consent: ConsentFilter | None = None

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        for r in value:
            if not re.fullmatch(r"[A-Za-z]{2}", r):
                raise ValueError(f"{r!r} is not a two-letter country code")
        return [r.upper() for r in value]


class SegmentCreate(BaseModel):
    """A new audience."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=200)
    filters: SegmentFilters = Field(default_factory=SegmentFilters)


class SegmentUpdate(BaseModel):
    """Changes to an audience."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, min_length=1, max_length=200)
    filters: SegmentFilters | None = None


class SegmentRead(BaseModel):
    """An audience."""

    id: int
    name: str
    filters: SegmentFilters
    created_by: str
    created_at: datetime
    updated_at: datetime


class SegmentPreview(BaseModel):
    """How many customers an audience holds now."""

    count: int


class ContactRules(BaseModel):
    """The workspace's rules for contacting customers with surveys."""

    model_config = ConfigDict(extra="forbid")

    min_days_between_surveys: int = Field(default=30, ge=0, le=365)
    skip_open_issues: bool = True
    open_issue_days: int = Field(default=90, ge=1, le=365)
    require_consent: bool = False
    quiet_hours: Text | None = Field(default=None, max_length=11)
    default_timezone: Text = Field(default="UTC", max_length=64)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value and not QUIET.fullmatch(value):
            raise ValueError("must look like 21:00-08:00 (24-hour local times)")
        return value or None

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _zone(value)


class Trigger(BaseModel):
    """Send when an interaction of this channel/type ends, after a delay."""

    model_config = ConfigDict(extra="forbid")

    channel: InteractionChannel | None = None
    type: Text | None = Field(default=None, max_length=64)
    delay_hours: float = Field(default=0, ge=0, le=720)


class DistributionCreate(BaseModel):
    """Send the survey's current version to an audience on some channels."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(default="", max_length=200)
    segment_id: IdField | None = None
    channels: list[SendChannel] = Field(min_length=1, max_length=3)
    mode: Literal["now", "scheduled", "trigger"] = "now"
    scheduled_at: datetime | None = None
    trigger: Trigger | None = None
    reminders: list[int] = Field(default_factory=list, max_length=3)
    expires_in_days: int = Field(default=30, ge=1, le=366)

    @field_validator("channels")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each channel at most once")
        return value

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: list[int]) -> list[int]:
        if any(not 1 <= d <= 60 for d in value) or value != sorted(set(value)):
            raise ValueError("days after sending, 1-60, increasing")
        return value

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone (e.g. 2026-05-01T09:00:00Z)")
        return value

    @model_validator(mode="after")
    def _mode(self) -> DistributionCreate:
        if self.mode == "scheduled" and self.scheduled_at is None:
            raise ValueError("scheduled_at: a scheduled distribution needs a time")
        if self.mode == "trigger" and self.trigger is None:
            raise ValueError("trigger: a trigger-based distribution needs its trigger")
        if self.mode != "trigger" and self.segment_id is None:
            raise ValueError("segment_id: choose the audience")
        return self


class DistributionRead(BaseModel):
    """A distribution with its figures."""

    id: int
    survey_id: int
    version: int
    name: str
    segment_id: int | None
    channels: list[str]
    mode: str
    status: str
    scheduled_at: datetime
    trigger: dict[str, object]
    reminders: list[int]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_at: datetime | None
    invitations: int
    by_status: dict[str, int]
    skipped: dict[str, int]
    deferred: dict[str, int]


class InvitationRead(BaseModel):
    """One invitation and the times of its statuses (no address: see the customer's 360)."""

    id: int
    profile_id: int
    channel: str | None
    language: str | None
    status: str
    reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    error_code: str | None
    error_message: str | None
    reminders_sent: int
    queued_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    bounced_at: datetime | None
    failed_at: datetime | None
    skipped_at: datetime | None
    unsubscribed_at: datetime | None


class HandedLink(BaseModel):
    """A personal link of the web channel, for another system to deliver."""

    invitation_id: int
    profile_id: int
    language: str | None
    url: str


class ChannelRate(BaseModel):
    """Invitations that reached customers on a channel and how many were answered."""

    channel: str
    sent: int
    opened: int
    started: int
    completed: int
    response_rate: float | None


class DeliveryFigures(BaseModel):
    """A survey's invitations by status, and the response rate by channel."""

    survey_id: int
    invitations: int
    by_status: dict[str, int]
    by_channel: list[ChannelRate]
    skipped: dict[str, int]


class BounceResult(BaseModel):
    """What a delivery report changed."""

    matched: bool
    invitation_id: int | None = None
    status: str | None = None
