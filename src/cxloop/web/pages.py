"""Pages that belong to no single domain: home, audit log, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text

from cxloop.auth.dependencies import DbSession, WebActor, web_require
from cxloop.core import audit
from cxloop.core.actor import Actor
from cxloop.core.permissions import AUDIT_READ
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.profiles import queries as profile_queries
from cxloop.profiles import resolve
from cxloop.profiles.ingest import queries as ingest_queries
from cxloop.web.render import render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Auditor = Annotated[Actor, Depends(web_require(AUDIT_READ))]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession, actor: WebActor) -> Response:
    """The start page: search box and the state of the workspace."""
    profiles = profile_queries.count_profiles(session, actor)
    _items, pending_reviews = profile_queries.review_queue(session, actor, 1, 0)
    return render(
        request,
        "home.html",
        {
            "profiles": profiles or 0,
            "pending_reviews": pending_reviews,
            "unresolved": resolve.pending_count(session, actor.workspace_id),
            "batches": ingest_queries.list_batches(session, actor, None, 5),
        },
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: DbSession,
    actor: Auditor,
    entity_type: str | None = None,
    entity_id: str | None = None,
    before: int | None = None,
) -> Response:
    """The audit log."""
    entries = audit.list_entries(session, actor.workspace_id, entity_type, entity_id, 100, before)
    return render(request, "audit.html", {"entries": entries})


@router.get("/healthz", response_model=None)
def health(session: DbSession) -> Response:
    """Liveness and database check (public, reveals nothing)."""
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
