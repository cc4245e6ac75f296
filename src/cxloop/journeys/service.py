"""The only write path of the journeys domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.core.db import upsert
from cxloop.journeys.models import Interaction

_UPDATABLE = [
    "customer_source_id",
    "customer_ref",
    "version",
    "content_hash",
    "channel",
    "type",
    "direction",
    "started_at",
    "ended_at",
    "agent",
    "team",
    "issue_key",
    "outcome",
    "transferred",
    "text",
    "context",
    "received_at",
]


def interaction_row(
    workspace_id: int,
    source_id: int,
    customer_source_id: int,
    values: dict[str, Any],
    extra: dict[str, Any],
    version: int,
    content_hash: str,
    received_at: datetime,
) -> dict[str, Any]:
    """Build the stored row of an interaction from validated canonical values."""
    context = dict(values.get("context") or {})
    if extra:
        context.setdefault("source_fields", extra)
    return {
        "workspace_id": workspace_id,
        "source_id": source_id,
        "external_id": values["external_id"],
        "customer_source_id": customer_source_id,
        "customer_ref": values["customer_id"],
        "version": version,
        "content_hash": content_hash,
        "channel": values["channel"],
        "type": values["type"],
        "direction": values.get("direction", "inbound"),
        "started_at": values["started_at"],
        "ended_at": values.get("ended_at"),
        "agent": values.get("agent"),
        "team": values.get("team"),
        "issue_key": values.get("issue_key"),
        "outcome": values.get("outcome"),
        "transferred": bool(values.get("transferred", False)),
        "text": values.get("text"),
        "context": context,
        "received_at": received_at,
    }


def upsert_interactions(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert interactions or replace them with a newer version (keyed by source and id)."""
    upsert(
        session,
        Interaction.__table__,
        rows,
        ["workspace_id", "source_id", "external_id"],
        _UPDATABLE,
    )
