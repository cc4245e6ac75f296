"""Append-only audit log: who changed what, before and after, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from cxloop.core.actor import Actor
from cxloop.core.clock import now
from cxloop.core.db import Base
from cxloop.core.types import IdType, JsonType, UTCDateTime


class AuditEntry(Base):
    """One state change. Rows are never updated or deleted by the application."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_ws_entity", "workspace_id", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to modify or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
def _no_update(*_args: Any) -> None:
    raise AppendOnlyError("audit entries are append-only")


@event.listens_for(AuditEntry, "before_delete")
def _no_delete(*_args: Any) -> None:
    raise AppendOnlyError("audit entries are append-only")


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry in the caller's transaction."""
    entry = AuditEntry(
        workspace_id=actor.workspace_id,
        at=now(),
        actor=actor.ref,
        actor_label=actor.label[:200],
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    workspace_id: int,
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """Audit entries of a workspace, newest first (filterable by entity)."""
    from sqlalchemy import select

    stmt = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if before_id:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit)))
