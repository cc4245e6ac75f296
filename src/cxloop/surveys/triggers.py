"""Trigger-based distributions (outbox kind ``surveys.distribution.poll``): every poll looks for
interactions of the trigger's channel/type that ended at least ``delay_hours`` ago and after
the distribution's cursor, and queues one invitation per customer and interaction.

The invitation key (distribution, customer, ``source:external id`` of the interaction) makes a
trigger that fires twice — a repeated poll after a crash, the same interaction ingested again
— add nothing. Interactions that arrive with an end time older than the cursor are not seen.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core import clock, jobs
from cxloop.core.config import get_settings
from cxloop.journeys import queries as journeys
from cxloop.profiles import queries as profiles
from cxloop.surveys import distribution, segments
from cxloop.surveys.collect import INTERACTION_TYPE
from cxloop.surveys.dispatch import insert_rows, new_row
from cxloop.surveys.models_distribution import Distribution, Segment


def poll(session: Session, job: jobs.Job) -> dict[str, Any]:
    """Handle ``surveys.distribution.poll``: queue invitations for new trigger events."""
    dist = session.get(Distribution, int(job.payload.get("distribution_id", 0)))
    if dist is None or dist.status != "active" or dist.mode != "trigger":
        return {"skipped": "not an active trigger"}
    t = clock.now()
    _next_poll(session, dist, job.id, t)
    session.commit()  # the next poll is queued even if this one dies
    trigger = dist.trigger or {}
    until = t - timedelta(hours=float(trigger.get("delay_hours") or 0))
    events = journeys.ended_interactions(
        session,
        dist.workspace_id,
        dist.trigger_cursor,
        until,
        trigger.get("channel"),
        trigger.get("type"),
    )
    own = [e for e in events if e["type"] != INTERACTION_TYPE]  # not our own survey answers
    owners = profiles.profiles_of_refs(session, dist.workspace_id, [e["customer"] for e in own])
    allowed: set[int] | None = None
    if dist.segment_id:
        seg = session.get(Segment, dist.segment_id)
        filters = segments.filters_of(seg) if seg else None
        allowed = set(segments.members(session, dist.workspace_id, filters)) if filters else set()
    rows = []
    for e in own:
        pid = owners.get(e["customer"])
        if pid is None or (allowed is not None and pid not in allowed):
            continue
        rows.append(new_row(dist, pid, f"{e['source_id']}:{e['external_id']}"[:200], t))
    if rows:
        insert_rows(session, rows)
        distribution.follow_up(session, dist, t)
    if events:
        dist.trigger_cursor = max(clock.ensure_utc(e["ended_at"]) for e in events)
        dist.started_at = dist.started_at or t
    dist.updated_at = t
    session.commit()
    return {"events": len(events), "queued": len(rows)}


def _next_poll(session: Session, dist: Distribution, current: int, t: Any) -> None:
    """Queue the next poll unless one is queued already (one chain per distribution)."""
    queued = session.scalars(
        select(jobs.Job).where(
            jobs.Job.kind == distribution.POLL,
            jobs.Job.status == "queued",
            jobs.Job.workspace_id == dist.workspace_id,
            jobs.Job.id != current,
        )
    )
    if any(j.payload.get("distribution_id") == dist.id for j in queued):
        return
    every = timedelta(seconds=get_settings().survey_trigger_poll_seconds)
    jobs.enqueue(
        session, distribution.POLL, {"distribution_id": dist.id}, dist.workspace_id, t + every
    )
