"""The builder's links section: public, kiosk and personal links (shown once), revoking, and
QR codes of a just-made public or kiosk link. Plain forms with the session's CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.auth.dependencies import DbSession, web_require
from cxloop.core.actor import Actor
from cxloop.core.errors import AppError, from_validation
from cxloop.core.params import IdPath
from cxloop.core.permissions import SURVEYS_MANAGE, SURVEYS_SEND
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import errors, qr_links, service
from cxloop.surveys.api_surveys import link_url
from cxloop.surveys.schemas import LinkCreate, LinkQr
from cxloop.surveys.web_builder import Form, editor

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Manager = Annotated[Actor, Depends(web_require(SURVEYS_MANAGE))]
Sender = Annotated[Actor, Depends(web_require(SURVEYS_SEND))]
KINDS = ("public", "kiosk", "personal")


def _error(exc: AppError) -> dict[str, Any]:
    return dict(exc.to_dict()["error"])


def _profile_id(form: dict[str, Any]) -> int | None:
    raw = str(form.get("profile_id") or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise errors.invalid("profile_id", f"{raw[:40]!r} is not a customer id")
    return int(raw)


@router.post("/surveys/{survey_id}/links", response_class=HTMLResponse)
def create_link(
    survey_id: IdPath, request: Request, session: DbSession, actor: Sender, form: Form
) -> Response:
    """A public, kiosk or personal link, shown once on the page that answers."""
    kind = form.get("kind") if form.get("kind") in KINDS else "public"
    try:
        data = LinkCreate(
            kind=kind,
            channel="store" if kind == "kiosk" else "web",
            location=(form.get("location") or None) if kind != "personal" else None,
            profile_id=_profile_id(form) if kind == "personal" else None,
        )
        link, token = service.create_link(session, actor, survey_id, data)
    except ValidationError as exc:
        err = from_validation(exc, "survey.invalid")
        return editor(request, session, actor, survey_id, _error(err), status=422)
    except AppError as exc:
        session.rollback()
        return editor(request, session, actor, survey_id, _error(exc), status=exc.status_code)
    shown = {
        "id": link.id,
        "kind": link.kind,
        "location": link.location,
        "profile_id": link.profile_id,
        "token": token,
        "url": link_url(token),
    }
    return editor(request, session, actor, survey_id, new_link=shown)


@router.post("/surveys/{survey_id}/links/{link_id}/revoke", response_model=None)
def revoke_link(
    survey_id: IdPath, link_id: IdPath, request: Request, session: DbSession, actor: Sender
) -> Response:
    """Stop a link from working."""
    try:
        service.revoke_link(session, actor, survey_id, link_id)
    except AppError as exc:
        session.rollback()
        return editor(request, session, actor, survey_id, _error(exc), status=exc.status_code)
    return RedirectResponse(f"/surveys/{survey_id}", status_code=303)


@router.post("/surveys/{survey_id}/links/{link_id}/qr", response_model=None)
def link_qr(
    survey_id: IdPath,
    link_id: IdPath,
    request: Request,
    session: DbSession,
    actor: Manager,
    form: Form,
) -> Response:
    """Download a just-made link's QR code (the token comes from the page, never a URL)."""
    try:
        data = LinkQr(
            token=form.get("token") or "",
            location=form.get("location") or None,
            format="svg" if form.get("format") == "svg" else "png",
        )
        qr = qr_links.link_qr(
            session, actor, survey_id, link_id, data.token, data.location, data.format
        )
    except ValidationError as exc:
        err = from_validation(exc, "survey.invalid")
        return editor(request, session, actor, survey_id, _error(err), status=422)
    except AppError as exc:
        return editor(request, session, actor, survey_id, _error(exc), status=exc.status_code)
    disposition = f'attachment; filename="{qr.filename}"'
    return Response(
        qr.content, media_type=qr.media_type, headers={"Content-Disposition": disposition}
    )
