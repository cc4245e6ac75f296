"""Audiences: saved filters over the workspace's customers (write path, and who is in one)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core import audit, clock
from cxloop.core.actor import Actor
from cxloop.core.errors import Conflict, NotFound
from cxloop.core.permissions import SURVEYS_MANAGE, SURVEYS_READ
from cxloop.core.tenancy import owned
from cxloop.journeys import queries as journeys
from cxloop.profiles import queries as profiles
from cxloop.surveys import access
from cxloop.surveys.models_distribution import Distribution, Segment
from cxloop.surveys.schemas_distribution import SegmentCreate, SegmentFilters, SegmentUpdate


def not_found(ref: object) -> NotFound:
    """No such audience visible to the caller."""
    return NotFound("segment.not_found", f"Audience {ref} not found.", {"id": str(ref)})


def _taken(name: str) -> Conflict:
    return Conflict(
        "segment.name_taken", f"An audience named {name!r} exists already.", {"name": name}
    )


def get_segment(session: Session, actor: Actor, segment_id: int) -> Segment:
    """An audience of the actor's workspace, else 404."""
    access.require(actor, SURVEYS_READ)
    seg = owned(session, Segment, segment_id, actor.workspace_id)
    if seg is None:
        raise not_found(segment_id)
    return seg


def list_segments(session: Session, actor: Actor) -> list[Segment]:
    """The workspace's audiences by name."""
    access.require(actor, SURVEYS_READ)
    return list(
        session.scalars(
            select(Segment).where(Segment.workspace_id == actor.workspace_id).order_by(Segment.name)
        )
    )


def create_segment(session: Session, actor: Actor, data: SegmentCreate) -> Segment:
    """Save a new audience (audited)."""
    access.require(actor, SURVEYS_MANAGE)
    t = clock.now()
    name = data.name.strip()
    seg = Segment(
        workspace_id=actor.workspace_id,
        name=name,
        filters=data.filters.model_dump(mode="json", exclude_defaults=True),
        created_by=actor.ref,
        created_at=t,
        updated_at=t,
    )
    try:
        with session.begin_nested():
            session.add(seg)
    except IntegrityError:
        raise _taken(name) from None
    audit.record(session, actor, "segment.create", "segment", seg.id, None, _snapshot(seg))
    return seg


def update_segment(session: Session, actor: Actor, segment_id: int, data: SegmentUpdate) -> Segment:
    """Rename an audience or change its filters (audited)."""
    access.require(actor, SURVEYS_MANAGE)
    seg = get_segment(session, actor, segment_id)
    before = _snapshot(seg)
    name = seg.name if data.name is None else data.name.strip()
    try:
        # the changes are made inside the savepoint: begin_nested() flushes what is pending
        # first, and a duplicate name flushed there would fail the whole transaction
        with session.begin_nested():
            seg.name = name
            if data.filters is not None:
                seg.filters = data.filters.model_dump(mode="json", exclude_defaults=True)
            seg.updated_at = clock.now()
            session.flush()
    except IntegrityError:
        raise _taken(name) from None
    audit.record(session, actor, "segment.update", "segment", seg.id, before, _snapshot(seg))
    return seg


FINISHED = ("done", "cancelled")  # distributions that no longer read their audience


def _in_use(seg: Segment, ids: list[int]) -> Conflict:
    which = ", ".join(str(i) for i in ids) if ids else "one that started just now"
    return Conflict(
        "segment.in_use",
        f"Audience {seg.name!r} is used by a distribution that is not finished ({which}); "
        "cancel it or wait until it is done.",
        {"id": seg.id, "distributions": ids},
    )


def delete_segment(session: Session, actor: Actor, segment_id: int) -> None:
    """Delete an audience that no unfinished distribution uses (audited); finished ones that
    used it are detached (their ``segment_id`` becomes null, the audit keeps which)."""
    access.require(actor, SURVEYS_MANAGE)
    seg = get_segment(session, actor, segment_id)
    users = session.execute(
        select(Distribution.id, Distribution.status)
        .where(Distribution.segment_id == seg.id)
        .order_by(Distribution.id)
    ).all()
    busy = [dist_id for dist_id, status in users if status not in FINISHED]
    if busy:
        raise _in_use(seg, busy)
    before = {**_snapshot(seg), "distributions": [dist_id for dist_id, _status in users]}
    try:
        with session.begin_nested():
            session.execute(
                update(Distribution)
                .where(Distribution.segment_id == seg.id, Distribution.status.in_(FINISHED))
                .values(segment_id=None)
                .execution_options(synchronize_session=False)
            )
            session.delete(seg)
            session.flush()
    except IntegrityError:  # a distribution started using it meanwhile
        raise _in_use(seg, []) from None
    audit.record(session, actor, "segment.delete", "segment", segment_id, before, None)


def _snapshot(seg: Segment) -> dict[str, Any]:
    return {"name": seg.name, "filters": seg.filters}


def filters_of(seg: Segment) -> SegmentFilters:
    """The audience's filters, parsed."""
    return SegmentFilters.model_validate(seg.filters or {})


def members(session: Session, workspace_id: int, filters: SegmentFilters) -> list[int]:
    """The profile ids in an audience now, in id order."""
    ids = profiles.audience_ids(
        session,
        workspace_id,
        tiers=filters.tiers,
        regions=filters.regions,
        languages=filters.languages,
        products=filters.products,
        categories=filters.categories,
    )
    if filters.interaction is not None:
        f = filters.interaction
        refs = journeys.refs_with_interactions(
            session,
            workspace_id,
            clock.now() - timedelta(days=f.within_days),
            list(f.channels) or None,
            list(f.types) or None,
        )
        recent = set(profiles.profiles_of_refs(session, workspace_id, refs).values())
        ids = [i for i in ids if i in recent]
    if filters.consent is not None and ids:
        wanted, require = filters.consent.channel, filters.consent.require
        found = profiles.contacts(session, workspace_id, ids)
        kept = []
        for pid in ids:
            c = found.get(pid)
            if c is None:
                continue
            given = c.survey_consent.get(wanted, c.survey_consent.get("all"))
            if given is True or (given is None and require == "not_withdrawn"):
                kept.append(pid)
        ids = kept
    return ids


def preview(session: Session, actor: Actor, filters: SegmentFilters) -> int:
    """How many customers these filters select now."""
    access.require(actor, SURVEYS_READ)
    return len(members(session, actor.workspace_id, filters))
