"""The widget settings page (``/settings/widget``, survey managers): public keys, the surveys
each collects for, its channel and customer source, its exact allowed origins, the embed
snippet, and revoking. Plain forms with the session's CSRF token; every change goes through
``widget_keys`` (audited), exactly as through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.auth.dependencies import DbSession, web_require
from cxloop.core.actor import Actor
from cxloop.core.errors import AppError, from_validation
from cxloop.core.params import IdPath
from cxloop.core.permissions import SURVEYS_MANAGE
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.profiles.ingest import queries as ingest_queries
from cxloop.surveys import queries, widget_keys
from cxloop.surveys.schemas_widget import WidgetKeyCreate, WidgetKeyUpdate
from cxloop.web.render import render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Manager = Annotated[Actor, Depends(web_require(SURVEYS_MANAGE))]
PAGE = "/settings/widget"


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    surveys = queries.list_surveys(session, actor)
    sources = ingest_queries.list_sources(session, actor)
    return render(
        request,
        "surveys/widget_keys.html",
        {
            "keys": widget_keys.list_keys(session, actor),
            "surveys": surveys,
            "survey_names": {s["id"]: s["name"] for s in surveys},
            "sources": [(s.id, s.name) for s in sources],
            "source_names": {s.id: s.name for s in sources},
            "error": error,
        },
        status,
    )


def _apply(
    request: Request, session: Session, actor: Actor, change: Callable[[], object]
) -> Response:
    """Run a change; on a problem show the page with the field and reason (nothing saved)."""
    try:
        change()
    except ValidationError as exc:
        session.rollback()
        err = from_validation(exc, "widget.invalid")
        return _page(request, session, actor, dict(err.to_dict()["error"]), err.status_code)
    except AppError as exc:
        session.rollback()
        return _page(request, session, actor, dict(exc.to_dict()["error"]), exc.status_code)
    return RedirectResponse(PAGE, status_code=303)


@router.get(PAGE, response_class=HTMLResponse)
def widget_page(request: Request, session: DbSession, actor: Manager) -> Response:
    """The workspace's widget keys and a form to make one."""
    return _page(request, session, actor)


@router.post(PAGE, response_model=None)
async def create_key(request: Request, session: DbSession, actor: Manager) -> Response:
    """Make a key from the page's form (origins one per line)."""
    form = await request.form()
    origins = [o.strip() for o in str(form.get("origins") or "").splitlines() if o.strip()]
    picked = [str(v) for v in form.getlist("surveys")]
    surveys = [int(v) for v in picked if v.isascii() and v.isdigit() and len(v) < 19]

    def change() -> None:
        data = WidgetKeyCreate(
            name=str(form.get("name") or "").strip()[:100],
            channel="app" if form.get("channel") == "app" else "web",
            surveys=surveys,
            origins=origins,
            customer_source=str(form.get("customer_source") or "") or None,
        )
        widget_keys.create_key(session, actor, data)

    return _apply(request, session, actor, change)


def _origin_change(
    request: Request, session: Session, actor: Actor, key_id: int, edit: Callable[[list[str]], None]
) -> Response:
    def change() -> None:
        current = widget_keys.key_view(session, widget_keys.get_key(session, actor, key_id))
        origins = list(current["origins"])
        edit(origins)
        widget_keys.update_key(session, actor, key_id, WidgetKeyUpdate(origins=origins))

    return _apply(request, session, actor, change)


@router.post(PAGE + "/{key_id}/origins", response_model=None)
async def add_origin(
    key_id: IdPath, request: Request, session: DbSession, actor: Manager
) -> Response:
    """Allow one more origin for a key."""
    origin = str((await request.form()).get("origin") or "").strip()[:300]
    return _origin_change(request, session, actor, key_id, lambda o: o.append(origin))


@router.post(PAGE + "/{key_id}/origins/remove", response_model=None)
async def remove_origin(
    key_id: IdPath, request: Request, session: DbSession, actor: Manager
) -> Response:
    """Stop allowing one origin for a key."""
    origin = str((await request.form()).get("origin") or "")

    def drop(origins: list[str]) -> None:
        if origin in origins:
            origins.remove(origin)

    return _origin_change(request, session, actor, key_id, drop)


@router.post(PAGE + "/{key_id}/revoke", response_model=None)
def revoke_key(key_id: IdPath, request: Request, session: DbSession, actor: Manager) -> Response:
    """Revoke a key: the widget on every site using it stops sending answers."""
    return _apply(request, session, actor, lambda: widget_keys.revoke_key(session, actor, key_id))
