"""Tables of the profile domain: source customer records, profiles, links, merges, holdings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.clock import now
from cxloop.core.db import Base
from cxloop.core.lineage import LineageColumns
from cxloop.core.types import IdType, JsonType, UTCDateTime


class Profile(Base):
    """One customer: a cluster of source records with a golden record computed from them."""

    __tablename__ = "profiles"
    __table_args__ = (Index("ix_profiles_ws_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("profiles.id"), nullable=True)
    display_name: Mapped[str] = mapped_column(String(300), default="")
    primary_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    primary_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    region: Mapped[str | None] = mapped_column(String(2), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    golden: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    customer_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    record_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CustomerOwnedRow(LineageColumns):
    """A source row that belongs to a customer: its keys, the customer's keys, its version."""

    id: Mapped[int] = mapped_column(IdType, primary_key=True, sort_order=-1)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), sort_order=-1)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), sort_order=-1)
    external_id: Mapped[str] = mapped_column(String(200), sort_order=-1)
    customer_source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), sort_order=-1)
    customer_ref: Mapped[str] = mapped_column(String(200), sort_order=-1)
    version: Mapped[int] = mapped_column(default=1, sort_order=-1)
    content_hash: Mapped[str] = mapped_column(String(64), sort_order=-1)


class CustomerRecord(LineageColumns, Base):
    """The current version of one source's customer record, normalised for matching."""

    __tablename__ = "customer_records"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_id", "external_id"),
        Index("ix_customer_records_profile", "profile_id"),
        Index("ix_customer_records_ws_resolved", "workspace_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")
    name_key: Mapped[str] = mapped_column(String(300), default="")
    name_latin: Mapped[str] = mapped_column(String(300), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    emails: Mapped[list[str]] = mapped_column(JsonType, default=list)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    phones: Mapped[list[str]] = mapped_column(JsonType, default=list)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    address_key: Mapped[str | None] = mapped_column(String(500), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    tier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    segment: Mapped[str | None] = mapped_column(String(64), nullable=True)
    customer_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    refs: Mapped[list[str]] = mapped_column(
        JsonType, default=list
    )  # "source:id" of the same person
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("profiles.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MatchLink(Base):
    """A scored pair of customer records and why; its status decides merge, review or apart."""

    __tablename__ = "match_links"
    __table_args__ = (
        UniqueConstraint("workspace_id", "record_a_id", "record_b_id"),
        Index("ix_match_links_ws_status", "workspace_id", "status"),
        Index("ix_match_links_b", "record_b_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    record_a_id: Mapped[int] = mapped_column(ForeignKey("customer_records.id", ondelete="CASCADE"))
    record_b_id: Mapped[int] = mapped_column(ForeignKey("customer_records.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(40))
    match_weight: Mapped[float] = mapped_column(Float, default=0.0)
    probability: Mapped[float] = mapped_column(Float, default=0.0)
    comparison: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # auto | pending | approved | rejected | apart
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class MergeEvent(Base):
    """A merge of one profile into another, with what is needed to undo it."""

    __tablename__ = "merge_events"
    __table_args__ = (Index("ix_merge_events_ws_survivor", "workspace_id", "survivor_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    survivor_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"))
    absorbed_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"))
    reason: Mapped[str] = mapped_column(String(24))  # auto | review | manual
    link_id: Mapped[int | None] = mapped_column(nullable=True)
    record_ids: Mapped[list[int]] = mapped_column(JsonType)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    undone_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class IdentityModel(Base):
    """The trained matching model of a workspace (Splink parameters and frequencies, JSON)."""

    __tablename__ = "identity_models"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), unique=True)
    model: Mapped[dict[str, Any]] = mapped_column(JsonType)
    origin: Mapped[str] = mapped_column(String(16))  # trained | default
    records: Mapped[int] = mapped_column(default=0)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SearchTerm(Base):
    """A normalised search key of a profile (name suffix, email, phone digits, external id)."""

    __tablename__ = "profile_search"
    __table_args__ = (
        Index("ix_profile_search_ws_term", "workspace_id", "term"),
        Index("ix_profile_search_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # name | email | phone | extid
    term: Mapped[str] = mapped_column(String(300))


class Holding(CustomerOwnedRow, Base):
    """A product or subscription a customer holds at a source, with its monthly amount."""

    __tablename__ = "holdings"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_id", "external_id"),
        Index("ix_holdings_customer", "workspace_id", "customer_source_id", "customer_ref"),
    )

    product_code: Mapped[str] = mapped_column(String(100), default="")
    product_name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    monthly_amount_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    contract_end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class Order(CustomerOwnedRow, Base):
    """A purchase with its amount in minor units."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_id", "external_id"),
        Index("ix_orders_customer", "workspace_id", "customer_source_id", "customer_ref"),
    )

    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="completed")
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class ConsentRecord(CustomerOwnedRow, Base):
    """Consent for one channel and purpose as a source last reported it."""

    __tablename__ = "consents"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_id", "external_id"),
        Index("ix_consents_customer", "workspace_id", "customer_source_id", "customer_ref"),
    )

    channel: Mapped[str] = mapped_column(String(16))  # email | sms | phone | post | app | all
    purpose: Mapped[str] = mapped_column(String(32))  # marketing | surveys | service | profiling
    granted: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class PreferenceRecord(CustomerOwnedRow, Base):
    """Contact preferences as a source last reported them (one row per customer and source)."""

    __tablename__ = "preferences"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_id", "external_id"),
        Index("ix_preferences_customer", "workspace_id", "customer_source_id", "customer_ref"),
    )

    preferred_channels: Mapped[list[str]] = mapped_column(JsonType, default=list)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    max_surveys_per_month: Mapped[int | None] = mapped_column(nullable=True)
    quiet_hours: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "21:00-08:00"
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
