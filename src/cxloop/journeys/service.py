"""The only write path of the journeys domain.

Interactions are projections of ingested records: ingest validates them, decides their versions
and hands over rows in ``INTERACTION_COLUMNS`` order (DB-ready, see ``core.bulk.bulk_insert``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.orm import Session

from cxloop.core import bulk, clock
from cxloop.core.crypto import sha256_hex
from cxloop.journeys.models import Interaction

_TABLE: Any = Interaction.__table__
KEY = ("workspace_id", "source_id", "external_id")
INTERACTION_COLUMNS = (
    *KEY,
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
    "payload",
    "batch_id",
    "line",
)
LINEAGE = ("external_id", "version", "content_hash", "payload", "received_at", "batch_id", "line")


def current_interactions(
    session: Session, workspace_id: int, source_id: int, external_ids: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``(external_id, id, content_hash, version, batch_id, line)`` of stored interactions."""
    return bulk.bulk_select(
        session,
        _TABLE,
        ("external_id", "id", "content_hash", "version", "batch_id", "line"),
        {"workspace_id": workspace_id, "source_id": source_id},
        "external_id",
        external_ids,
    )


def interaction_lineage(session: Session, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """``LINEAGE`` of interactions by id, DB-ready (to keep them before they are replaced)."""
    return bulk.bulk_select(session, _TABLE, LINEAGE, {}, "id", ids)


def insert_interactions(session: Session, rows: Sequence[Sequence[Any]]) -> None:
    """Insert new interactions (rows in ``INTERACTION_COLUMNS`` order)."""
    bulk.bulk_insert(session, _TABLE, INTERACTION_COLUMNS, rows)


def insert_new_interactions(session: Session, rows: Sequence[Sequence[Any]]) -> bool:
    """Insert interactions expected to be new; False, writing nothing, if one already exists."""
    return bulk.try_insert_new(session, _TABLE, INTERACTION_COLUMNS, rows)


def replace_interactions(session: Session, rows: Sequence[tuple[int, Sequence[Any]]]) -> None:
    """Replace stored interactions by a newer version: ``(id, row as for insert)``."""
    n = len(KEY)
    bulk.bulk_update(
        session, _TABLE, INTERACTION_COLUMNS[n:], [(*row[n:], id_) for id_, row in rows]
    )


def interaction_values(
    *,
    workspace_id: int,
    source_id: int,
    external_id: str,
    customer: tuple[int, str],
    channel: str,
    type: str,
    started_at: datetime,
    ended_at: datetime | None,
    text: str | None,
    context: dict[str, Any],
    payload: dict[str, Any],
) -> dict[str, Any]:
    """The stored values of one interaction produced inside cxloop (a survey response)."""
    return {
        "workspace_id": workspace_id,
        "source_id": source_id,
        "external_id": external_id,
        "customer_source_id": customer[0],
        "customer_ref": customer[1],
        "version": 1,
        "content_hash": sha256_hex(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)),
        "channel": channel,
        "type": type,
        "direction": "inbound",
        "started_at": started_at,
        "ended_at": ended_at,
        "transferred": False,
        "text": text,
        "context": context,
        "received_at": clock.now(),
        "payload": payload,
    }


def record_interaction(session: Session, values: dict[str, Any]) -> int:
    """Record one interaction (values from ``interaction_values``); return its id."""
    row = Interaction(**values)
    session.add(row)
    session.flush()
    return row.id


def record_interactions(session: Session, values: Sequence[dict[str, Any]]) -> list[int]:
    """Record several (each from ``interaction_values``) in one statement; ids in order."""
    if not values:
        return []
    stmt = insert(Interaction).returning(Interaction.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt.execution_options(render_nulls=True), list(values)))
