"""REST API of the website widget: its keys (survey managers) and the public answer endpoint.

``OPTIONS``/``POST /api/v1/widget/answers`` and ``GET /api/v1/widget/surveys/{survey}`` are
public on purpose: a visitor of a customer's site has no account. The public key names the
workspace and what it may collect; the page's Origin must be one of the key's exact origins
(checked here, on every request, not only by the browser), CORS is answered by the channel's
pure functions (no credentials, no wildcard), and answers are rate-limited per key and address.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from cxloop.auth.dependencies import CurrentActor, DbSession
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError, TooLarge, from_validation
from cxloop.core.params import IdPath
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import errors, widget_collect, widget_keys
from cxloop.surveys.channels.widget import (
    WidgetAnswer,
    is_public_key,
    preflight_headers,
    response_headers,
)
from cxloop.surveys.schemas_widget import (
    WidgetKeyCreate,
    WidgetKeyRead,
    WidgetKeyUpdate,
    WidgetSurvey,
)

router = APIRouter(prefix="/api/v1/widget", tags=["survey widget"], route_class=UnitOfWorkRoute)
MAX_ANSWER_BYTES = 16 * 1024  # a score, a 2000-character comment and a page address fit easily
PUBLIC_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Unknown or revoked key, origin not allowed, or survey not collected"},
    410: {"description": "The survey is closed"},
    422: {"description": "The answer does not fit the survey (field and reason named)"},
    429: {"description": "Too many answers from this address with this key"},
}


@router.get("/keys", response_model=list[WidgetKeyRead])
def list_keys(session: DbSession, actor: CurrentActor) -> Any:
    """The workspace's widget keys with their origins and embed snippets."""
    return widget_keys.list_keys(session, actor)


@router.post("/keys", response_model=WidgetKeyRead, status_code=201)
def create_key(data: WidgetKeyCreate, session: DbSession, actor: CurrentActor) -> Any:
    """A new public key for the widget (surveys, channel, origins, optional customer source)."""
    key = widget_keys.create_key(session, actor, data)
    return widget_keys.key_view(session, key)


@router.get("/keys/{key_id}", response_model=WidgetKeyRead)
def get_key(key_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """One widget key."""
    return widget_keys.key_view(session, widget_keys.get_key(session, actor, key_id))


@router.patch("/keys/{key_id}", response_model=WidgetKeyRead)
def update_key(
    key_id: IdPath, data: WidgetKeyUpdate, session: DbSession, actor: CurrentActor
) -> Any:
    """Change a key's name, channel, surveys, origins (the whole list) or customer source."""
    key = widget_keys.update_key(session, actor, key_id, data)
    return widget_keys.key_view(session, key)


@router.post("/keys/{key_id}/revoke", response_model=WidgetKeyRead)
def revoke_key(key_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Stop a key from collecting answers."""
    key = widget_keys.revoke_key(session, actor, key_id)
    return widget_keys.key_view(session, key)


# --- public ---------------------------------------------------------------------------------


def _error(exc: AppError, headers: dict[str, str]) -> JSONResponse:
    extra = dict(headers)
    if exc.status_code == 429 and "retry_after" in exc.data:
        extra["Retry-After"] = str(exc.data["retry_after"])
    return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=extra)


@router.options("/answers", include_in_schema=False)
def answer_preflight(request: Request) -> Response:
    """The CORS preflight: allowed when some valid key lists the origin (it carries no key)."""
    origin = request.headers.get("origin")
    with unit_of_work(write=False) as session:
        known = widget_keys.origin_known(session, origin)
    headers = preflight_headers(
        origin,
        [origin] if known and origin else [],
        request.headers.get("access-control-request-method"),
        request.headers.get("access-control-request-headers"),
    )
    if headers is None:
        return _error(errors.widget_origin_not_allowed(origin), {"Vary": "Origin"})
    return Response(status_code=204, headers=headers)


@router.post(
    "/answers",
    status_code=201,
    response_model=dict[str, str],
    responses=PUBLIC_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": WidgetAnswer.model_json_schema()}},
        }
    },
)
async def post_answer(request: Request) -> Response:
    """An answer from widget.js (public: the key and the page's origin decide; no cookies)."""
    body = await request.body()
    origin = request.headers.get("origin")
    ip = request.client.host if request.client else None
    # one worker thread opens, writes and commits (see api_surveys.respond for why)
    return await run_in_threadpool(_answer, body, origin, ip)


def _answer(body: bytes, origin: str | None, ip: str | None) -> Response:
    vary = {"Vary": "Origin"}
    if len(body) > MAX_ANSWER_BYTES:
        too_big = TooLarge("request.too_large", f"An answer is at most {MAX_ANSWER_BYTES:,} bytes.")
        return _error(too_big, vary)
    try:
        data = WidgetAnswer.model_validate_json(body)
    except ValidationError as exc:
        with unit_of_work(write=False) as session:
            known = widget_keys.origin_known(session, origin)
        allowed = [origin] if known and origin else []
        return _error(from_validation(exc, "request.invalid"), response_headers(origin, allowed))
    with unit_of_work() as session:
        try:
            key, origins = widget_keys.key_for_answer(session, data.key)
        except AppError as exc:
            return _error(exc, vary)
        cors = response_headers(origin, origins)
        if "Access-Control-Allow-Origin" not in cors:
            return _error(errors.widget_origin_not_allowed(origin), vary)
        try:
            widget_collect.submit(session, key, data, ip)
        except AppError as exc:
            session.rollback()
            return _error(exc, cors)
    return JSONResponse({"status": "completed"}, status_code=201, headers=cors)


@router.get("/surveys/{survey}", response_model=WidgetSurvey, responses=PUBLIC_RESPONSES)
def widget_survey(
    survey: str,
    request: Request,
    key: str = Query(min_length=1, max_length=40),
    lang: str = Query(default="en", max_length=16),
) -> Response:
    """The survey's first question in one language, as widget.js shows it (public)."""
    origin = request.headers.get("origin")
    vary = {"Vary": "Origin"}
    if not is_public_key(key) or len(survey) > 64:
        return _error(errors.widget_key_invalid(), vary)
    with unit_of_work(write=False) as session:
        try:
            found, origins = widget_keys.key_for_answer(session, key)
        except AppError as exc:
            return _error(exc, vary)
        cors = response_headers(origin, origins)
        if "Access-Control-Allow-Origin" not in cors:
            return _error(errors.widget_origin_not_allowed(origin), vary)
        try:
            _s, _v, d = widget_collect.open_survey(session, found, survey)
            view = widget_collect.survey_view(d, survey, lang)
        except AppError as exc:
            return _error(exc, cors)
    return JSONResponse(view, headers=cors)
