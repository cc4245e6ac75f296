"""Reads of the journeys domain: a customer's timeline and effort figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.journeys.models import Interaction

Ref = tuple[int, str]  # (customer_source_id, customer_ref)


def _ref_filter(workspace_id: int, refs: list[Ref]) -> Any:
    return and_(
        Interaction.workspace_id == workspace_id,
        or_(
            *[
                and_(Interaction.customer_source_id == s, Interaction.customer_ref == r)
                for s, r in refs
            ]
        ),
    )


def timeline(
    session: Session,
    workspace_id: int,
    refs: list[Ref],
    limit: int = 50,
    before: tuple[datetime, int] | None = None,
    channel: str | None = None,
) -> list[dict[str, Any]]:
    """A customer's interactions on every channel, newest first (ties by id), with their context.

    ``before`` is a keyset: only interactions strictly older than ``(started_at, id)`` are read.
    """
    if not refs:
        return []
    stmt = select(Interaction).where(_ref_filter(workspace_id, refs))
    if channel is not None:
        stmt = stmt.where(Interaction.channel == channel)
    if before is not None:
        at, last_id = before
        stmt = stmt.where(
            or_(
                Interaction.started_at < at,
                and_(Interaction.started_at == at, Interaction.id < last_id),
            )
        )
    stmt = stmt.order_by(Interaction.started_at.desc(), Interaction.id.desc()).limit(limit)
    return [_as_dict(i) for i in session.scalars(stmt)]


def timeline_count(
    session: Session, workspace_id: int, refs: list[Ref], channel: str | None = None
) -> int:
    """How many interactions a customer has (on one channel if given)."""
    if not refs:
        return 0
    stmt = select(func.count()).select_from(Interaction).where(_ref_filter(workspace_id, refs))
    if channel is not None:
        stmt = stmt.where(Interaction.channel == channel)
    return int(session.scalar(stmt) or 0)


def _as_dict(i: Interaction) -> dict[str, Any]:
    minutes = None
    if i.ended_at is not None:
        minutes = round((i.ended_at - i.started_at).total_seconds() / 60, 1)
    return {
        "id": i.id,
        "source_id": i.source_id,
        "external_id": i.external_id,
        "channel": i.channel,
        "type": i.type,
        "direction": i.direction,
        "started_at": i.started_at,
        "ended_at": i.ended_at,
        "minutes": minutes,
        "agent": i.agent,
        "team": i.team,
        "issue_key": i.issue_key,
        "outcome": i.outcome,
        "transferred": i.transferred,
        "text": i.text,
        "context": i.context,
    }


def effort(session: Session, workspace_id: int, refs: list[Ref], days: int = 90) -> dict[str, Any]:
    """The customer's effort: contacts, channels, agents, minutes and repeat contacts per issue."""
    if not refs:
        return {"days": days, "contacts": 0}
    since = clock.now() - timedelta(days=days)
    rows = list(
        session.execute(
            select(
                Interaction.channel,
                Interaction.agent,
                Interaction.issue_key,
                Interaction.started_at,
                Interaction.ended_at,
                Interaction.transferred,
                Interaction.direction,
            ).where(_ref_filter(workspace_id, refs), Interaction.started_at >= since)
        )
    )
    inbound = [r for r in rows if r.direction == "inbound"]
    issues = Counter(r.issue_key for r in inbound if r.issue_key)
    minutes = sum(
        (r.ended_at - r.started_at).total_seconds() / 60 for r in rows if r.ended_at is not None
    )
    return {
        "days": days,
        "contacts": len(inbound),
        "channels": dict(Counter(r.channel for r in inbound)),
        "distinct_agents": len({r.agent for r in rows if r.agent}),
        "transfers": sum(1 for r in rows if r.transferred),
        "minutes": round(minutes, 1),
        "repeat_issues": {k: v for k, v in issues.items() if v > 1},
        "last_contact": max((r.started_at for r in rows), default=None),
    }


def texts_page(
    session: Session,
    workspace_id: int,
    after_id: int = 0,
    limit: int = 500,
    batch_id: int | None = None,
    ids: list[int] | None = None,
    exclude_sources: Sequence[int] = (),
) -> list[tuple[int, int, str, str, datetime]]:
    """``(id, version, text, channel, started_at)`` of interactions carrying free text, by id
    (leaving out those recorded under ``exclude_sources``)."""
    stmt = select(
        Interaction.id,
        Interaction.version,
        Interaction.text,
        Interaction.channel,
        Interaction.started_at,
    ).where(
        Interaction.workspace_id == workspace_id,
        Interaction.id > after_id,
        Interaction.text.is_not(None),
        Interaction.text != "",
    )
    if batch_id is not None:
        stmt = stmt.where(Interaction.batch_id == batch_id)
    if ids is not None:
        stmt = stmt.where(Interaction.id.in_(ids))
    if exclude_sources:
        stmt = stmt.where(Interaction.source_id.not_in(list(exclude_sources)))
    rows = session.execute(stmt.order_by(Interaction.id).limit(limit))
    return [(r[0], r[1], r[2] or "", r[3], r[4]) for r in rows]


def ids_of_sources(workspace_id: int, source_ids: Sequence[int]) -> Select[Any]:
    """A subquery: the ids of the interactions recorded under these sources."""
    return select(Interaction.id).where(
        Interaction.workspace_id == workspace_id, Interaction.source_id.in_(list(source_ids))
    )


def external_ids(session: Session, workspace_id: int, ids: Sequence[int]) -> dict[int, str]:
    """The external id of interactions by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(Interaction.id, Interaction.external_id).where(
            Interaction.workspace_id == workspace_id, Interaction.id.in_(list(ids))
        )
    )
    return {r[0]: r[1] for r in rows}


def texts_by_id(session: Session, workspace_id: int, ids: list[int]) -> dict[int, str]:
    """The raw free text of interactions by id (callers check the PII permission)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Interaction.id, Interaction.text).where(
            Interaction.workspace_id == workspace_id, Interaction.id.in_(ids)
        )
    )
    return {r[0]: r[1] for r in rows if r[1] is not None}


# Outcomes that close an issue. The latest interaction of an issue key decides: one of these,
# or no outcome on an interaction that ended, means resolved; anything else (escalated,
# technician, unresolved, …) or an interaction still going on means the issue is open.
RESOLVED_OUTCOMES = frozenset(
    {"resolved", "closed", "solved", "done", "refund", "replaced", "apology", "cancelled"}
)


def open_issue_refs(
    session: Session, workspace_id: int, refs: list[Ref], days: int = 90
) -> set[Ref]:
    """The customer records among ``refs`` with an unresolved issue touched in the last days."""
    found: set[Ref] = set()
    since = clock.now() - timedelta(days=days)
    for i in range(0, len(refs), 500):
        latest: dict[tuple[Ref, str], tuple[datetime, bool]] = {}
        rows = session.execute(
            select(
                Interaction.customer_source_id,
                Interaction.customer_ref,
                Interaction.issue_key,
                Interaction.started_at,
                Interaction.ended_at,
                Interaction.outcome,
            ).where(
                _ref_filter(workspace_id, refs[i : i + 500]),
                Interaction.issue_key.is_not(None),
                Interaction.started_at >= since,
            )
        )
        for src, ref, issue, started, ended, outcome in rows:
            key = ((src, ref), str(issue))
            resolved = (outcome or "").lower() in RESOLVED_OUTCOMES or (
                outcome is None and ended is not None
            )
            if key not in latest or started >= latest[key][0]:
                latest[key] = (started, resolved)
        found |= {ref for (ref, _issue), (_t, resolved) in latest.items() if not resolved}
    return found


def refs_with_interactions(
    session: Session,
    workspace_id: int,
    since: datetime,
    channels: list[str] | None = None,
    types: list[str] | None = None,
) -> set[Ref]:
    """Customer records with an interaction since ``since`` (on these channels, of these types)."""
    stmt = select(Interaction.customer_source_id, Interaction.customer_ref).where(
        Interaction.workspace_id == workspace_id, Interaction.started_at >= since
    )
    if channels:
        stmt = stmt.where(Interaction.channel.in_(channels))
    if types:
        stmt = stmt.where(Interaction.type.in_(types))
    return {(s, r) for s, r in session.execute(stmt.distinct())}


def ended_interactions(
    session: Session,
    workspace_id: int,
    after: datetime | None,
    until: datetime,
    channel: str | None = None,
    type: str | None = None,
    limit: int = 5000,
) -> list[dict[str, Any]]:
    """Interactions that ended in (after, until], oldest first (for triggers)."""
    stmt = select(
        Interaction.source_id,
        Interaction.external_id,
        Interaction.customer_source_id,
        Interaction.customer_ref,
        Interaction.ended_at,
        Interaction.type,
    ).where(
        Interaction.workspace_id == workspace_id,
        Interaction.ended_at.is_not(None),
        Interaction.ended_at <= until,
    )
    if after is not None:
        stmt = stmt.where(Interaction.ended_at > after)
    if channel:
        stmt = stmt.where(Interaction.channel == channel)
    if type:
        stmt = stmt.where(Interaction.type == type)
    rows = session.execute(stmt.order_by(Interaction.ended_at, Interaction.id).limit(limit))
    return [
        {
            "source_id": s,
            "external_id": e,
            "customer": (cs, cr),
            "ended_at": ended,
            "type": kind,
        }
        for s, e, cs, cr, ended, kind in rows
    ]
