"""The workspace's trained identity model, as stored between resolutions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.profiles.models import IdentityModel


def stored(session: Session, workspace_id: int) -> IdentityModel | None:
    """The workspace's stored model with where it came from (None before any)."""
    return session.scalar(select(IdentityModel).where(IdentityModel.workspace_id == workspace_id))


def stored_model(session: Session, workspace_id: int) -> dict[str, Any] | None:
    """The workspace's trained identity model (None before the first full resolution)."""
    row = stored(session, workspace_id)
    return row.model if row is not None else None


def store_model(
    session: Session, workspace_id: int, model: dict[str, Any], origin: str, records: int
) -> None:
    """Keep a trained identity model for the incremental resolutions that follow."""
    row = stored(session, workspace_id)
    if row is None:
        row = IdentityModel(workspace_id=workspace_id)
        session.add(row)
    row.model = model
    row.origin = origin
    row.records = records
    row.trained_at = clock.now()
