"""Tables of ingest: sources, batches, immutable raw records, rejected rows, webhook deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.clock import now
from cxloop.core.db import Base
from cxloop.core.types import IdType, JsonType, UTCDateTime


class Source(Base):
    """A declared source system (CRM, billing, support...) with its trust rank and field mapping."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    trust_rank: Mapped[int] = mapped_column(default=5)
    field_mapping: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    default_region: Mapped[str | None] = mapped_column(String(2), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    webhook_secret: Mapped[str] = mapped_column(String(128))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class IngestBatch(Base):
    """One delivery of records (a file, a REST batch or a webhook) and its counts."""

    __tablename__ = "ingest_batches"
    __table_args__ = (
        Index("ix_ingest_batches_ws_created", "workspace_id", "created_at"),
        UniqueConstraint("workspace_id", "source_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    entity: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))  # file | rest | webhook | demo | resubmit
    filename: Mapped[str | None] = mapped_column(String(300), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done | failed
    received: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    encoding: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RawRecord(Base):
    """A superseded version of a record, immutable, exactly as received.

    The current version of a record lives in its projection row (customer_records, holdings,
    orders, consents, preferences, interactions), which carries the same lineage columns; when a
    new version arrives, the current one is copied here first. A projection row and its raw
    records together hold every version ever received.
    """

    __tablename__ = "raw_records"
    __table_args__ = (
        # a content may come back (a consent withdrawn again): versions, not contents, are unique
        UniqueConstraint("workspace_id", "source_id", "entity", "external_id", "version"),
        Index("ix_raw_records_batch", "batch_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    entity: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), nullable=True)
    line: Mapped[int | None] = mapped_column(nullable=True)


class RejectedRecord(Base):
    """A row that failed validation, kept with where and why so it can be fixed and re-sent."""

    __tablename__ = "rejected_records"
    __table_args__ = (Index("ix_rejected_records_ws_batch", "workspace_id", "batch_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"))
    entity: Mapped[str] = mapped_column(String(16))
    line: Mapped[int | None] = mapped_column(nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    raw: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    resubmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resubmitted_batch_id: Mapped[int | None] = mapped_column(nullable=True)


class WebhookDelivery(Base):
    """A webhook delivery id already processed (replays are answered without effect)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("source_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    delivery_id: Mapped[str] = mapped_column(String(200))
    batch_id: Mapped[int | None] = mapped_column(nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
