"""Workspaces: the tenant every record belongs to."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from cxloop.core.clock import now
from cxloop.core.db import Base
from cxloop.core.params import MAX_ID
from cxloop.core.types import IdType, JsonType, UTCDateTime

T = TypeVar("T")


class Workspace(Base):
    """A tenant: users, sources, profiles and everything else hang off one workspace."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    default_region: Mapped[str] = mapped_column(String(2), default="US")
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


def owned(session: Session, model: type[T], record_id: int, workspace_id: int) -> T | None:
    """Row ``record_id`` of ``model`` if it belongs to the workspace, else None (the per-record
    check behind every 404 across workspaces; ids outside 64 bits are simply not found)."""
    if not 0 < record_id <= MAX_ID:
        return None
    row = session.get(model, record_id)
    if row is None or getattr(row, "workspace_id", None) != workspace_id:
        return None
    return row
