"""The write path of ingest: sources, batches, and the processing of their rows.

Rows are validated, hashed and stored with their lineage by ``pipeline`` (see there for commits
and crash safety); a record whose content is already stored is counted as unchanged, never
written twice, so a batch re-sent under the same idempotency key continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxloop.core import audit, clock, jobs
from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.crypto import token
from cxloop.core.params import parse_int
from cxloop.core.permissions import INGEST_WRITE, SOURCES_MANAGE
from cxloop.core.tenancy import Workspace
from cxloop.profiles.ingest import errors, pipeline
from cxloop.profiles.ingest.fields import field_names
from cxloop.profiles.ingest.models import IngestBatch, RejectedRecord, Source
from cxloop.profiles.ingest.parsing import ParsedRow
from cxloop.profiles.ingest.pipeline import Run
from cxloop.profiles.ingest.projections import Context
from cxloop.profiles.ingest.schemas import BatchReport, Entity, SourceCreate, SourceUpdate
from cxloop.profiles.ingest.validation import Validator, clean_key, mapping_target
from cxloop.profiles.ingest.values import time_zone
from cxloop.text import service as text_service

RESOLVE_JOB = "identity.resolve_pending"
# Batches being stored by this process. A batch left open by a crash is resumed by sending it
# again under its key; one still in this set is not: resuming would reset the counts and the
# rejected rows under the running delivery. (A server is one process; see docs/ingest.md.)
_running: set[int] = set()


def _require(actor: Actor, permission: str) -> None:
    from cxloop.core.errors import Forbidden

    if not actor.can(permission):
        raise Forbidden("auth.forbidden", f"Your role does not allow this (needs '{permission}').")


def _source_snapshot(s: Source) -> dict[str, Any]:
    return {
        "name": s.name,
        "kind": s.kind,
        "trust_rank": s.trust_rank,
        "field_mapping": s.field_mapping,
        "default_region": s.default_region,
        "timezone": s.timezone,
        "is_active": s.is_active,
    }


def _check_timezone(tz: str) -> None:
    if time_zone(tz) is None:
        raise errors.invalid("timezone", f"{tz[:64]!r} is not an IANA time zone")


def _checked_mapping(mapping: Mapping[Entity, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """The field mapping with each target as the canonical field it names, else a 422.

    A column mapped onto a name that is not a field of the entity would be dropped from every row
    (neither a field nor kept as an extra attribute); an alias is taken as its field. Two columns
    that name one column once normalised (``E-mail``, ``e_mail``) are refused: rows match column
    names normalised, so only the last of the two would apply.
    """
    out: dict[str, dict[str, str]] = {}
    for entity, columns in mapping.items():
        out[entity] = {}
        seen: dict[str, str] = {}  # normalised column name -> the key that gave it
        for column, target in columns.items():
            clean = clean_key(column)
            if clean in seen:
                first = seen[clean]
                raise errors.invalid(
                    f"field_mapping.{entity}.{column}",
                    f"{first!r} and {column!r} name the same column ({clean!r}): column names "
                    "are matched ignoring case, width, spaces, dashes, dots and slashes; keep one",
                    keys=[first, column],
                )
            seen[clean] = column
            name = mapping_target(entity, target)
            if name is None:
                fields = field_names(entity)
                raise errors.invalid(
                    f"field_mapping.{entity}.{column}",
                    f"{target!r} is not a field of {entity}; map to one of {', '.join(fields)}",
                    fields=fields,
                )
            out[entity][column] = name
    return out


def create_source(session: Session, actor: Actor, data: SourceCreate) -> Source:
    """Declare a source system; its webhook secret is generated here and shown once."""
    _require(actor, SOURCES_MANAGE)
    _check_timezone(data.timezone)
    mapping = _checked_mapping(data.field_mapping)
    exists = session.scalar(
        select(Source).where(Source.workspace_id == actor.workspace_id, Source.name == data.name)
    )
    if exists is not None:
        raise errors.source_exists(data.name)
    t = clock.now()
    src = Source(
        workspace_id=actor.workspace_id,
        name=data.name,
        kind=data.kind,
        trust_rank=data.trust_rank,
        field_mapping=mapping,
        default_region=data.default_region.upper() if data.default_region else None,
        timezone=data.timezone,
        webhook_secret=token(32),
        is_active=True,
        created_at=t,
        updated_at=t,
    )
    session.add(src)
    session.flush()
    audit.record(session, actor, "source.create", "source", src.id, None, _source_snapshot(src))
    return src


def get_source(session: Session, actor: Actor, ref: str | int) -> Source:
    """A source of the actor's workspace by name or id, else 404."""
    stmt = select(Source).where(Source.workspace_id == actor.workspace_id)
    source_id = ref if isinstance(ref, int) else parse_int(ref)
    if source_id is not None:
        stmt = stmt.where(Source.id == source_id)
    else:  # a name, or more digits than an id has (which a name may have)
        stmt = stmt.where(Source.name == ref)
    src = session.scalar(stmt)
    if src is None:
        raise errors.source_not_found(ref[:100] if isinstance(ref, str) else ref)
    return src


def update_source(session: Session, actor: Actor, ref: str | int, data: SourceUpdate) -> Source:
    """Change a source's kind, trust rank, mapping, region, time zone or active flag."""
    _require(actor, SOURCES_MANAGE)
    src = get_source(session, actor, ref)
    before = _source_snapshot(src)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("timezone") is not None:
        _check_timezone(changes["timezone"])
    if changes.get("field_mapping") is not None:
        changes["field_mapping"] = _checked_mapping(changes["field_mapping"])
    for key, value in changes.items():
        if value is None and key not in ("default_region",):
            continue
        if key == "default_region" and value:
            value = value.upper()
        setattr(src, key, value)
    src.updated_at = clock.now()
    session.flush()
    audit.record(session, actor, "source.update", "source", src.id, before, _source_snapshot(src))
    return src


def rotate_webhook_secret(session: Session, actor: Actor, ref: str | int) -> str:
    """Replace a source's webhook secret; return the new one (shown once)."""
    _require(actor, SOURCES_MANAGE)
    src = get_source(session, actor, ref)
    src.webhook_secret = token(32)
    src.updated_at = clock.now()
    session.flush()
    audit.record(session, actor, "source.rotate_secret", "source", src.id, None, {"rotated": True})
    return src.webhook_secret


def open_batch(
    session: Session,
    actor: Actor,
    source: Source,
    entity: str,
    channel: str,
    filename: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[IngestBatch, bool]:
    """Start (or resume) a batch; return it and whether it is a replay of a finished one."""
    _require(actor, INGEST_WRITE)
    if not source.is_active:
        raise errors.invalid("source", f"source {source.name!r} is deactivated")
    if idempotency_key:
        existing = session.scalar(
            select(IngestBatch).where(
                IngestBatch.workspace_id == actor.workspace_id,
                IngestBatch.source_id == source.id,
                IngestBatch.idempotency_key == idempotency_key,
            )
        )
        if existing is not None:
            if existing.entity != entity:
                raise errors.invalid(
                    "idempotency_key", f"was used for a batch of {existing.entity} records"
                )
            if existing.status == "done":
                return existing, True
            if existing.id in _running:  # a retry while the first delivery is still going
                raise errors.batch_in_progress(existing.id, idempotency_key)
            session.execute(delete(RejectedRecord).where(RejectedRecord.batch_id == existing.id))
            for counter in ("received", "accepted", "rejected", "created", "updated", "unchanged"):
                setattr(existing, counter, 0)
            existing.status = "open"
            existing.error = None
            session.flush()
            return existing, False
    batch = IngestBatch(
        workspace_id=actor.workspace_id,
        source_id=source.id,
        entity=entity,
        channel=channel,
        filename=(filename or None) and filename[:300],
        idempotency_key=idempotency_key,
        status="open",
        created_by=actor.ref,
        created_at=clock.now(),
    )
    session.add(batch)
    session.flush()
    return batch, False


def _context(session: Session, source: Source, batch: IngestBatch) -> Context:
    ws = session.get(Workspace, source.workspace_id)
    names = dict(
        session.execute(
            select(Source.name, Source.id).where(Source.workspace_id == source.workspace_id)
        ).all()
    )
    region = source.default_region or (ws.default_region if ws else None) or "US"
    sqlite = session.get_bind().dialect.name == "sqlite"
    return Context(source.workspace_id, source.id, region, clock.now(), names, batch.id, sqlite)


def process(
    session: Session,
    actor: Actor,
    source: Source,
    batch: IngestBatch,
    rows: Iterable[ParsedRow],
    commit_every_chunk: bool = False,
) -> BatchReport:
    """Validate and store rows into a batch; return its report."""
    _require(actor, INGEST_WRITE)
    ctx = _context(session, source, batch)
    validator = Validator(
        batch.entity,
        (source.field_mapping or {}).get(batch.entity),
        source.timezone,
        ctx.region,
        get_settings().max_field_chars,
    )
    run = Run(batch)
    _running.add(batch.id)
    try:
        pipeline.ingest(session, ctx, validator, run, rows, commit_every_chunk)
        return finish(session, actor, source, batch, run)
    finally:
        _running.discard(batch.id)


def finish(
    session: Session, actor: Actor, source: Source, batch: IngestBatch, run: Run | None = None
) -> BatchReport:
    """Close a batch, queue identity resolution if customers changed, and report."""
    batch.status = "done"
    if run is not None and run.problem is not None:
        where = f"line {run.problem.line}: " if run.problem.line else ""
        batch.status = "failed"
        batch.error = f"{where}{run.problem.reason}"
    batch.finished_at = clock.now()
    job_id = None
    if batch.entity == "customer" and (batch.created or batch.updated):
        job_id = queue_resolution(session, batch.workspace_id)
    if batch.entity == "interaction" and (batch.created or batch.updated):
        text_service.queue_enrichment(session, batch.workspace_id, batch.id)
    counts = {
        k: getattr(batch, k)
        for k in ("received", "accepted", "rejected", "created", "updated", "unchanged")
    }
    audit.record(session, actor, "ingest.batch", "ingest_batch", batch.id, None, counts)
    session.flush()
    return report(source, batch, run, job_id)


def fail(session: Session, batch: IngestBatch, reason: str, line: int | None) -> None:
    """Record that a file could not be read to the end (what was read is kept)."""
    batch.status = "failed"
    batch.error = f"line {line}: {reason}" if line else reason
    batch.finished_at = clock.now()
    session.flush()


def report(
    source: Source, batch: IngestBatch, run: Run | None = None, job_id: int | None = None
) -> BatchReport:
    """The report of a batch."""
    return BatchReport(
        batch_id=batch.id,
        source=source.name,
        entity=batch.entity,
        status=batch.status,
        received=batch.received,
        accepted=batch.accepted,
        rejected=batch.rejected,
        created=batch.created,
        updated=batch.updated,
        unchanged=batch.unchanged,
        errors=run.errors if run else [],
        errors_truncated=run.truncated if run else False,
        resolution_job_id=job_id,
        file_error=batch.error,
    )


def queue_resolution(session: Session, workspace_id: int) -> int:
    """Queue incremental identity resolution for the workspace unless one is already queued."""
    existing = session.scalar(
        select(jobs.Job.id).where(
            jobs.Job.kind == RESOLVE_JOB,
            jobs.Job.workspace_id == workspace_id,
            jobs.Job.status == "queued",
        )
    )
    if existing is not None:
        return int(existing)
    return jobs.enqueue(session, RESOLVE_JOB, {}, workspace_id=workspace_id).id


def rows_to_resubmit(
    session: Session, actor: Actor, ids: list[int]
) -> tuple[list[RejectedRecord], list[int]]:
    """Rejected records of the workspace with these ids (and the ids not found)."""
    found = list(
        session.scalars(
            select(RejectedRecord).where(
                RejectedRecord.workspace_id == actor.workspace_id, RejectedRecord.id.in_(ids)
            )
        )
    )
    missing = sorted(set(ids) - {r.id for r in found})
    return found, missing
