"""Web pages of profiles: customer search, the 360 view, identity review and settings, sources
and imports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cxloop.auth.dependencies import DbSession, WebActor, web_require
from cxloop.core.actor import Actor
from cxloop.core.errors import AppError, from_validation
from cxloop.core.i18n import translate
from cxloop.core.params import MAX_ID, IdPath, IdQuery, Page, parse_int
from cxloop.core.permissions import IDENTITY_REVIEW, IDENTITY_RUN, INGEST_WRITE, SOURCES_MANAGE
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.profiles import (
    access,
    errors,
    queries,
    queries_identity,
    service,
    settings_form,
    timeline,
    view360,
)
from cxloop.profiles.ingest import errors as ingest_errors
from cxloop.profiles.ingest import queries as ingest_queries
from cxloop.profiles.ingest import service as ingest
from cxloop.profiles.ingest.fields import ENTITIES, SOURCE_KINDS, field_names
from cxloop.profiles.ingest.parsing import FileProblem, iter_file
from cxloop.profiles.ingest.schemas import SourceCreate, SourceUpdate
from cxloop.profiles.survivorship import ATTRIBUTES, RULES
from cxloop.web.render import render, ui_language

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Reviewer = Annotated[Actor, Depends(web_require(IDENTITY_REVIEW))]
Ingester = Annotated[Actor, Depends(web_require(INGEST_WRITE))]
Manager = Annotated[Actor, Depends(web_require(SOURCES_MANAGE))]
Tuner = Annotated[Actor, Depends(web_require(IDENTITY_RUN))]
SETTINGS = "/identity/settings"


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, session: DbSession, actor: WebActor, q: str = "") -> Response:
    """Search customers."""
    hits = queries.search_profiles(session, actor, q) if q.strip() else []
    return render(request, "profiles/search.html", {"q": q, "hits": hits})


@router.get("/customers/{profile_id}", response_class=HTMLResponse)
def customer(
    request: Request,
    profile_id: IdPath,
    session: DbSession,
    actor: WebActor,
    before: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The 360 view of a customer; ``before`` shows the older part of the timeline."""
    p = access.get_profile(session, actor, profile_id)
    if p.status == "merged" and p.merged_into_id:
        return RedirectResponse(f"/customers/{p.merged_into_id}", status_code=303)
    cursor = timeline.decode_cursor(before) if before is not None else None
    view = view360.customer_360(session, actor, profile_id, ui_language(request), cursor)
    links = queries.record_links(session, actor, profile_id) if actor.can(IDENTITY_REVIEW) else []
    return render(
        request, "profiles/customer.html", {"c": view, "links": links, "older": cursor is not None}
    )


@router.post("/customers/{profile_id}/merge", response_model=None)
def merge(
    profile_id: IdPath,
    session: DbSession,
    actor: WebActor,
    other_id: Annotated[str, Form(max_length=40)],
) -> Response:
    """Merge another customer into this one."""
    other = parse_int(other_id)
    if other is None or not 1 <= other <= MAX_ID:
        raise errors.invalid("other_id", f"must be a customer id from 1 to {MAX_ID}", "not_an_id")
    service.merge_profiles(session, actor, profile_id, other, "manual")
    return RedirectResponse(f"/customers/{profile_id}", status_code=303)


@router.post("/identity/merges/{merge_id}/undo", response_model=None)
def undo(merge_id: IdPath, session: DbSession, actor: Reviewer) -> Response:
    """Undo a merge."""
    event = service.undo_merge(session, actor, merge_id)
    return RedirectResponse(f"/customers/{event.survivor_id}", status_code=303)


@router.post("/identity/records/{record_id}/detach", response_model=None)
def detach(record_id: IdPath, session: DbSession, actor: Reviewer) -> Response:
    """Move a source record out into its own customer."""
    p = service.detach_record(session, actor, record_id)
    return RedirectResponse(f"/customers/{p.id}", status_code=303)


@router.get("/identity/review", response_class=HTMLResponse)
def review(request: Request, session: DbSession, actor: Reviewer, page: Page = 1) -> Response:
    """The review queue."""
    page = max(page, 1)
    items, total = queries.review_queue(session, actor, 20, (page - 1) * 20)
    return render(request, "profiles/review.html", {"items": items, "total": total, "page": page})


@router.post("/identity/links/{link_id}/{decision}", response_model=None)
def decide(
    link_id: IdPath,
    decision: Literal["approve", "reject"],
    session: DbSession,
    actor: Reviewer,
    next: Annotated[str, Form(max_length=200)] = "/identity/review",
) -> Response:
    """Approve or reject a match."""
    service.decide_link(session, actor, link_id, approve=decision == "approve")
    target = next if next.startswith("/") and not next.startswith("//") else "/identity/review"
    return RedirectResponse(target, status_code=303)


def _settings_page(
    request: Request,
    session: Session,
    actor: Actor,
    form: dict[str, Any] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    conf = queries_identity.identity_settings(session, actor)
    return render(
        request,
        "profiles/identity_settings.html",
        {
            "conf": conf,
            "form": form or settings_form.form_of(conf),
            "problems": problems or [],
            "sources": ingest_queries.list_sources(session, actor),
            "rules": RULES,
            "editable": actor.can(IDENTITY_RUN),
            "last_run": queries_identity.full_resolution(session, actor),
            **extra,
        },
        status,
    )


@router.get(SETTINGS, response_class=HTMLResponse)
def identity_settings(
    request: Request,
    session: DbSession,
    actor: Reviewer,
    notice: Annotated[str, Query(max_length=20)] = "",
    job: IdQuery = None,
) -> Response:
    """Thresholds, survivorship rules and unique sources (read-only without identity.run)."""
    queued = queries_identity.full_resolution(session, actor, job) if job else None
    return _settings_page(request, session, actor, notice=notice, queued=queued)


# Reason codes (identity.invalid's ``problem``, the form's own, an error code) -> message keys.
_REASONS = {
    "not_a_number": "idset.error_number",
    "out_of_range": "idset.error_range",
    "review_above_auto": "idset.error_order",
    "unknown_rule": "idset.error_rule",
    "unknown_attribute": "idset.error_attribute",
    "unknown_setting": "idset.error_attribute",
    "source.not_found": "idset.error_source",
}
_LABELS = {
    "auto_threshold": "idset.auto_threshold",
    "review_threshold": "idset.review_threshold",
    "unique_sources": "idset.unique_sources",
}


def _problem(lang: str, field: str, reason: str, fallback: str = "") -> dict[str, str]:
    """A field error in the page's language: the field's label and why its value was refused."""
    attr = field.removeprefix("survivorship.")
    label = _LABELS.get(field) or (f"attr.{attr}" if attr in ATTRIBUTES else attr)
    key = _REASONS.get(reason)
    return {
        "field": field,
        "label": translate(lang, label),
        "reason": translate(lang, key) if key else fallback or reason,
    }


@router.post(SETTINGS, response_model=None)
def save_identity_settings(
    request: Request,
    session: DbSession,
    actor: Tuner,
    auto_threshold: Annotated[str | None, Form(max_length=40)] = None,
    review_threshold: Annotated[str | None, Form(max_length=40)] = None,
    rule: Annotated[list[str] | None, Form()] = None,
    unique_source: Annotated[list[str] | None, Form()] = None,
    unique_sources_listed: Annotated[bool, Form()] = False,
) -> Response:
    """Save what changed through the service; on bad input show the form again with why."""
    lang = ui_language(request)
    conf = queries_identity.identity_settings(session, actor)
    change = settings_form.parse(
        conf,
        {"auto_threshold": auto_threshold, "review_threshold": review_threshold},
        rule or [],
        (unique_source or []) if unique_sources_listed else None,
    )
    problems = [_problem(lang, f, r) for f, r in change.problems]
    if not problems and change.changes_nothing:
        return RedirectResponse(f"{SETTINGS}?notice=unchanged", status_code=303)
    status = 422
    if not problems:
        try:
            service.update_settings(
                session, actor, change.thresholds, change.rules, change.unique_sources
            )
            return RedirectResponse(f"{SETTINGS}?notice=saved", status_code=303)
        except AppError as exc:
            session.rollback()
            unknown_source = exc.code == "source.not_found"
            field = str(exc.data.get("field") or ("unique_sources" if unknown_source else exc.code))
            reason = str(exc.data.get("problem") or exc.code)
            problems.append(_problem(lang, field, reason, exc.message))
            status = exc.status_code
    return _settings_page(request, session, actor, change.form, problems, status)


@router.post(SETTINGS + "/resolve", response_model=None)
def resolve_everyone(session: DbSession, actor: Tuner) -> Response:
    """Queue a full re-resolution of the workspace with the current settings."""
    job = service.queue_full_resolution(session, actor)
    return RedirectResponse(f"{SETTINGS}?job={job.id}", status_code=303)


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, session: DbSession, actor: Ingester) -> Response:
    """Sources and recent imports."""
    return render(
        request,
        "profiles/sources.html",
        {
            "sources": ingest_queries.list_sources(session, actor),
            "batches": ingest_queries.list_batches(session, actor, None, 20),
            "kinds": SOURCE_KINDS,
        },
    )


@router.post("/sources", response_model=None)
def create_source(
    request: Request,
    session: DbSession,
    actor: Manager,
    name: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form(max_length=16)],
    trust_rank: Annotated[int, Form(ge=1, le=10)] = 5,
    default_region: Annotated[str, Form(max_length=2)] = "",
    timezone: Annotated[str, Form(max_length=64)] = "UTC",
) -> Response:
    """Declare a source and show its webhook secret once."""
    try:
        data = SourceCreate(
            name=name.strip(),
            kind=kind,
            trust_rank=trust_rank,
            default_region=default_region.strip() or None,
            timezone=timezone.strip() or "UTC",
        )
    except ValueError as exc:
        raise from_validation(exc) from exc
    src = ingest.create_source(session, actor, data)
    return _source_page(request, session, actor, src.name, secret=src.webhook_secret)


def _source_page(
    request: Request, session: DbSession, actor: Actor, name: str, **extra: Any
) -> HTMLResponse:
    src = ingest.get_source(session, actor, name)
    return render(
        request,
        "profiles/source.html",
        {
            "s": src,
            "batches": ingest_queries.list_batches(session, actor, src.id, 50),
            "entities": ENTITIES,
            "fields": {e: field_names(e) for e in ENTITIES},
            "mapping_json": orjson.dumps(src.field_mapping, option=orjson.OPT_INDENT_2).decode(),
            **extra,
        },
    )


@router.get("/sources/{name}", response_class=HTMLResponse)
def source(request: Request, name: str, session: DbSession, actor: Ingester) -> Response:
    """A source: its mapping, an upload form and its imports."""
    return _source_page(request, session, actor, name)


@router.post("/sources/{name}/mapping", response_model=None)
def save_mapping(
    request: Request,
    name: str,
    session: DbSession,
    actor: Manager,
    mapping: Annotated[str, Form(max_length=100_000)],
    trust_rank: Annotated[int, Form(ge=1, le=10)],
) -> Response:
    """Save a source's trust rank and field mapping (JSON)."""
    try:
        data = SourceUpdate(field_mapping=orjson.loads(mapping or "{}"), trust_rank=trust_rank)
    except orjson.JSONDecodeError as exc:
        raise ingest_errors.invalid("field_mapping", f"is not valid JSON ({exc})") from exc
    except ValueError as exc:
        raise from_validation(exc) from exc
    ingest.update_source(session, actor, name, data)
    return RedirectResponse(f"/sources/{name}", status_code=303)


@router.post("/sources/{name}/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    name: str,
    session: DbSession,
    actor: Ingester,
    file: Annotated[UploadFile, File()],
    entity: Annotated[str, Form(max_length=16)],
    encoding: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Upload a file and show its report."""
    if entity not in ENTITIES:
        raise ingest_errors.invalid("entity", f"must be one of {', '.join(ENTITIES)}")
    src = ingest.get_source(session, actor, name)
    batch, _ = ingest.open_batch(session, actor, src, entity, "file", file.filename)
    try:
        _fmt, enc, rows = iter_file(file.file, file.filename, None, encoding or None)
    except FileProblem as exc:
        raise ingest_errors.file_problem(exc.reason, exc.line) from exc
    batch.encoding = enc
    session.commit()
    try:
        ingest.process(session, actor, src, batch, rows, commit_every_chunk=True)
    except FileProblem as exc:
        session.rollback()
        ingest.fail(session, batch, exc.reason, exc.line)
    return RedirectResponse(f"/batches/{batch.id}", status_code=303)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch(
    request: Request, batch_id: IdPath, session: DbSession, actor: Ingester, page: Page = 1
) -> Response:
    """An import: its counts and its rejected rows."""
    b = ingest_queries.get_batch(session, actor, batch_id)
    src = ingest.get_source(session, actor, b.source_id)
    page = max(page, 1)
    rejected, total = ingest_queries.list_rejected(
        session, actor, batch_id, None, True, 50, (page - 1) * 50
    )
    return render(
        request,
        "profiles/batch.html",
        {"b": b, "s": src, "rejected": rejected, "total": total, "page": page},
    )
