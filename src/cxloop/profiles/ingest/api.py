"""REST API of ingest: sources, record batches, file uploads, webhooks, batches, rejected rows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cxloop.auth.dependencies import CurrentActor, DbSession, require
from cxloop.core import clock
from cxloop.core.actor import Actor, system_actor
from cxloop.core.config import get_settings
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError
from cxloop.core.params import MAX_ID, IdPath
from cxloop.core.permissions import INGEST_WRITE, SOURCES_MANAGE
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.core.tenancy import Workspace
from cxloop.profiles.ingest import errors, exports, queries, service, webhook
from cxloop.profiles.ingest.models import Source, WebhookDelivery
from cxloop.profiles.ingest.parsing import FileProblem, iter_file, rows_from_objects
from cxloop.profiles.ingest.schemas import (
    BatchRead,
    BatchReport,
    Entity,
    RecordBatch,
    RejectedRead,
    SourceCreate,
    SourceCreated,
    SourceRead,
    SourceUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["ingest"], route_class=UnitOfWorkRoute)
Manager = Annotated[Actor, Depends(require(SOURCES_MANAGE))]
Writer = Annotated[Actor, Depends(require(INGEST_WRITE))]


@router.get("/sources", response_model=list[SourceRead])
def list_sources(session: DbSession, actor: CurrentActor) -> Any:
    """List the workspace's sources."""
    return queries.list_sources(session, actor)


@router.post("/sources", response_model=SourceCreated, status_code=201)
def create_source(data: SourceCreate, session: DbSession, actor: Manager) -> Any:
    """Declare a source; the response carries its webhook secret, shown only this once."""
    src = service.create_source(session, actor, data)
    return SourceCreated(
        **SourceRead.model_validate(src).model_dump(), webhook_secret=src.webhook_secret
    )


@router.get("/sources/{source}", response_model=SourceRead)
def get_source(source: str, session: DbSession, actor: CurrentActor) -> Any:
    """One source by name or id."""
    return service.get_source(session, actor, source)


@router.patch("/sources/{source}", response_model=SourceRead)
def update_source(source: str, data: SourceUpdate, session: DbSession, actor: Manager) -> Any:
    """Change a source."""
    return service.update_source(session, actor, source, data)


@router.post("/sources/{source}/webhook-secret")
def rotate_secret(source: str, session: DbSession, actor: Manager) -> dict[str, str]:
    """Replace the webhook secret; the new one is shown only this once."""
    return {"webhook_secret": service.rotate_webhook_secret(session, actor, source)}


def _check_size(count: int) -> None:
    limit = get_settings().max_batch_records
    if count > limit:
        raise errors.too_many_records(count, limit)


@router.post("/sources/{source}/records", response_model=BatchReport)
def post_records(source: str, batch_in: RecordBatch, session: DbSession, actor: Writer) -> Any:
    """Ingest a batch of records; the report says what was accepted and what was rejected."""
    _check_size(len(batch_in.records))
    src = service.get_source(session, actor, source)
    batch, replayed = service.open_batch(
        session, actor, src, batch_in.entity, "rest", None, batch_in.idempotency_key
    )
    if replayed:
        return service.report(src, batch).model_copy(update={"replayed": True})
    return service.process(session, actor, src, batch, rows_from_objects(batch_in.records))


@router.post("/sources/{source}/files", response_model=BatchReport)
def upload_file(
    source: str,
    session: DbSession,
    actor: Writer,
    file: Annotated[UploadFile, File(description="CSV, JSON Lines or a JSON array")],
    entity: Annotated[Entity, Form()],
    format: Annotated[Literal["csv", "jsonl", "json"] | None, Form()] = None,
    encoding: Annotated[str | None, Form(max_length=40)] = None,
    idempotency_key: Annotated[str | None, Form(max_length=200)] = None,
) -> Any:
    """Upload a file of records; it is committed in chunks so a crash keeps what was accepted."""
    src = service.get_source(session, actor, source)
    key = idempotency_key or None
    batch, replayed = service.open_batch(session, actor, src, entity, "file", file.filename, key)
    if replayed:
        return service.report(src, batch).model_copy(update={"replayed": True})
    try:
        _fmt, enc, rows = iter_file(file.file, file.filename, format, encoding)
    except FileProblem as exc:
        if exc.field:
            raise errors.invalid(exc.field, exc.reason) from exc
        raise errors.file_problem(exc.reason, exc.line) from exc
    batch.encoding = enc
    session.commit()  # the batch row exists even if the server dies mid-file
    try:
        return service.process(session, actor, src, batch, rows, commit_every_chunk=True)
    except FileProblem as exc:
        session.rollback()
        service.fail(session, batch, exc.reason, exc.line)
        return service.report(src, batch)


@router.post("/webhooks/{workspace}/{source}", response_model=BatchReport)
async def receive_webhook(
    request: Request,
    workspace: Annotated[str, Path(max_length=64)],
    source: Annotated[str, Path(max_length=64)],
    x_cxloop_timestamp: Annotated[str | None, Header()] = None,
    x_cxloop_signature: Annotated[str | None, Header()] = None,
    x_cxloop_delivery: Annotated[str | None, Header()] = None,
) -> Any:
    """Receive a signed delivery (public: authenticated by its HMAC signature, not a key)."""
    body = await request.body()
    return await run_in_threadpool(
        _webhook, workspace, source, body, x_cxloop_timestamp, x_cxloop_signature, x_cxloop_delivery
    )


def _webhook(
    workspace: str,
    source: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    delivery: str | None,
) -> BatchReport:
    with unit_of_work() as session:
        src = _webhook_source(session, workspace, source)
        webhook.verify(
            src.webhook_secret,
            timestamp,
            signature,
            delivery,
            body,
            get_settings().webhook_tolerance_seconds,
        )
        actor = system_actor(src.workspace_id, f"webhook:{src.name}")
        seen = session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.source_id == src.id, WebhookDelivery.delivery_id == delivery
            )
        )
        if seen is not None and seen.batch_id is not None:
            batch = queries.get_batch(session, actor, seen.batch_id)
            return service.report(src, batch).model_copy(update={"replayed": True})
        try:
            payload = RecordBatch.model_validate(orjson.loads(body))
        except (orjson.JSONDecodeError, ValueError) as exc:
            raise AppError(
                "webhook.body",
                'The body must be JSON: {"entity": ..., "records": [...]}.',
                {"reason": str(exc)[:500]},
                status_code=422,
            ) from exc
        _check_size(len(payload.records))
        batch, _ = service.open_batch(session, actor, src, payload.entity, "webhook")
        try:
            with session.begin_nested():
                session.add(
                    WebhookDelivery(
                        workspace_id=src.workspace_id,
                        source_id=src.id,
                        delivery_id=delivery,
                        batch_id=batch.id,
                        received_at=clock.now(),
                    )
                )
        except IntegrityError:
            # the same delivery is being processed concurrently: this copy has no effect
            raise AppError(
                "webhook.in_progress",
                "This delivery id is being processed; retry later to get its report.",
                {"delivery": delivery},
                status_code=409,
            ) from None
        return service.process(session, actor, src, batch, rows_from_objects(payload.records))


def _webhook_source(session: Session, workspace: str, source: str) -> Source:
    src = session.scalar(
        select(Source)
        .join(Workspace, Workspace.id == Source.workspace_id)
        .where(Workspace.slug == workspace, Source.name == source)
    )
    if src is None:
        # same answer as a bad signature: do not reveal which sources exist
        raise errors.signature("unknown source or signature does not match")
    return src


@router.get("/batches", response_model=list[BatchRead])
def list_batches(
    session: DbSession,
    actor: CurrentActor,
    source: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Any:
    """Recent batches, newest first."""
    source_id = service.get_source(session, actor, source).id if source else None
    return queries.list_batches(session, actor, source_id, limit, offset)


@router.get("/batches/{batch_id}", response_model=BatchRead)
def get_batch(batch_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """One batch."""
    return queries.get_batch(session, actor, batch_id)


@router.get("/rejected", response_model=list[RejectedRead])
def list_rejected(
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    batch_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    source: str | None = None,
    include_resubmitted: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Any:
    """Rejected records with where and why; the total is in the X-Total-Count header."""
    source_id = service.get_source(session, actor, source).id if source else None
    rows, total = queries.list_rejected(
        session, actor, batch_id, source_id, include_resubmitted, limit, offset
    )
    response.headers["X-Total-Count"] = str(total)
    return rows


@router.get("/batches/{batch_id}/rejected.{fmt}", response_model=None)
def download_rejected(
    batch_id: IdPath, fmt: Literal["csv", "jsonl"], session: DbSession, actor: CurrentActor
) -> Response:
    """Download a batch's rejected rows to fix and re-upload (spreadsheet-safe CSV or JSONL)."""
    records = list(queries.iter_rejected(session, actor, batch_id))
    name = f"batch-{batch_id}-rejected.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return PlainTextResponse(
            exports.rejected_csv(records), media_type="text/csv; charset=utf-8", headers=headers
        )
    return Response(
        b"".join(exports.rejected_jsonl(records)),
        media_type="application/x-ndjson",
        headers=headers,
    )


@router.post("/rejected/{rejected_id}/resubmit", response_model=BatchReport)
def resubmit(
    rejected_id: IdPath,
    session: DbSession,
    actor: Writer,
    record: dict[str, Any] | None = None,
) -> Any:
    """Re-send one rejected row, corrected (body) or as stored (e.g. after a mapping fix)."""
    rej = queries.get_rejected(session, actor, rejected_id)
    src = service.get_source(session, actor, rej.source_id)
    if record is None:
        try:
            stored = orjson.loads(rej.raw)
        except orjson.JSONDecodeError as exc:
            raise errors.invalid(
                "record", "this row could not be parsed when received; send it corrected"
            ) from exc
        record = stored if isinstance(stored, dict) else None
        if record is None:
            raise errors.invalid("record", "this row is not an object; send it corrected")
    batch, _ = service.open_batch(session, actor, src, rej.entity, "resubmit")
    report = service.process(session, actor, src, batch, rows_from_objects([record]))
    if report.accepted == 1:
        rej.resubmitted_at = clock.now()
        rej.resubmitted_batch_id = batch.id
    return report
