"""Tables of the journeys domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.db import Base
from cxloop.core.lineage import LineageColumns
from cxloop.core.types import IdType, JsonType, UTCDateTime


class Interaction(LineageColumns, Base):
    """One contact between the customer and the company, on any channel, with its context."""

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_id", "external_id"),
        # A customer's timeline reads all their interactions and sorts them: leaving started_at
        # out of this index makes it a third smaller and bulk ingest ~25% faster (ADR 0002).
        Index("ix_interactions_customer", "workspace_id", "customer_source_id", "customer_ref"),
        # No index on issue_key: no query looks interactions up by it (the open-issue check reads
        # a customer's rows through the index above), and it cost ~1 µs per ingested row (ADR
        # 0002, section 5). The feature that first needs it adds it back with a migration.
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    # No foreign keys on this high-volume table: checking three parents per row halved bulk
    # ingest on PostgreSQL (ADR 0002). Workspaces and sources are never deleted, and the ingest,
    # its only writer, takes these ids from the sources table in the same transaction.
    workspace_id: Mapped[int] = mapped_column(IdType)
    source_id: Mapped[int] = mapped_column(IdType)
    external_id: Mapped[str] = mapped_column(String(200))
    customer_source_id: Mapped[int] = mapped_column(IdType)
    customer_ref: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    agent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    team: Mapped[str | None] = mapped_column(String(200), nullable=True)
    issue_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    context: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
