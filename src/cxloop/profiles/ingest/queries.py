"""Reads of ingest: sources, batches, rejected records."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.tenancy import owned
from cxloop.profiles.ingest import errors
from cxloop.profiles.ingest.models import IngestBatch, RejectedRecord, Source


def list_sources(session: Session, actor: Actor) -> list[Source]:
    """Sources of the actor's workspace, by name."""
    return list(
        session.scalars(
            select(Source).where(Source.workspace_id == actor.workspace_id).order_by(Source.name)
        )
    )


def list_batches(
    session: Session, actor: Actor, source_id: int | None = None, limit: int = 50, offset: int = 0
) -> list[IngestBatch]:
    """Recent batches, newest first."""
    stmt = select(IngestBatch).where(IngestBatch.workspace_id == actor.workspace_id)
    if source_id is not None:
        stmt = stmt.where(IngestBatch.source_id == source_id)
    stmt = stmt.order_by(IngestBatch.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def get_batch(session: Session, actor: Actor, batch_id: int) -> IngestBatch:
    """One batch of the actor's workspace, else 404."""
    batch = owned(session, IngestBatch, batch_id, actor.workspace_id)
    if batch is None:
        raise errors.batch_not_found(batch_id)
    return batch


def list_rejected(
    session: Session,
    actor: Actor,
    batch_id: int | None = None,
    source_id: int | None = None,
    include_resubmitted: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[RejectedRecord], int]:
    """Rejected records (filtered) and their total count."""
    cond = [RejectedRecord.workspace_id == actor.workspace_id]
    if batch_id is not None:
        cond.append(RejectedRecord.batch_id == batch_id)
    if source_id is not None:
        cond.append(RejectedRecord.source_id == source_id)
    if not include_resubmitted:
        cond.append(RejectedRecord.resubmitted_at.is_(None))
    total = session.scalar(select(func.count()).select_from(RejectedRecord).where(*cond)) or 0
    rows = session.scalars(
        select(RejectedRecord).where(*cond).order_by(RejectedRecord.id).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def iter_rejected(session: Session, actor: Actor, batch_id: int) -> Iterator[RejectedRecord]:
    """Every rejected record of a batch, in line order (for downloads)."""
    get_batch(session, actor, batch_id)
    stmt = (
        select(RejectedRecord)
        .where(
            RejectedRecord.workspace_id == actor.workspace_id, RejectedRecord.batch_id == batch_id
        )
        .order_by(RejectedRecord.line, RejectedRecord.id)
        .execution_options(yield_per=500)
    )
    yield from session.scalars(stmt)


def get_rejected(session: Session, actor: Actor, rejected_id: int) -> RejectedRecord:
    """One rejected record, else 404."""
    row = owned(session, RejectedRecord, rejected_id, actor.workspace_id)
    if row is None:
        raise errors.rejected_not_found(rejected_id)
    return row
