"""Web pages of auth: log in, log out, users (admins), API keys."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxloop.auth import queries, service
from cxloop.auth.dependencies import (
    SESSION_COOKIE,
    DbSession,
    WebActor,
    web_require,
)
from cxloop.auth.schemas import UserCreate, UserUpdate
from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.crypto import equal, token
from cxloop.core.errors import AppError, from_validation
from cxloop.core.params import IdPath
from cxloop.core.permissions import ROLES, USERS_MANAGE
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.web.render import LANG_COOKIE, render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
LOGIN_CSRF_COOKIE = "cxloop_login_csrf"
Admin = Annotated[Actor, Depends(web_require(USERS_MANAGE))]


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or token(24)
    response = render(
        request,
        "auth/login.html",
        {"error": error, "login_csrf": csrf, "next": _safe_next(request.query_params.get("next"))},
        status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=get_settings().secure_cookies(),
        max_age=3600,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    """The login page."""
    return _login_page(request)


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    workspace: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the credentials and start a session."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not csrf_token or not equal(expected, csrf_token):
        return _login_page(request, "login.expired", 403)
    try:
        user = service.authenticate(session, workspace.strip() or None, email, password)
    except AppError as exc:
        session.commit()  # keep the failed-attempt count even though we answer with an error
        key = "login.locked" if exc.code == "auth.locked" else "login.failed"
        return _login_page(request, key, 401 if exc.code != "auth.locked" else 429)
    new = service.start_session(session, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.cookie,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies(),
        max_age=get_settings().session_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    response.set_cookie(LANG_COOKIE, user.language, samesite="lax", max_age=365 * 86400)
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, session: DbSession, actor: WebActor) -> Response:
    """End the session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        service.end_session(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, actor: Admin) -> Response:
    """Users of the workspace, and a form to add one."""
    return render(
        request, "auth/users.html", {"users": queries.list_users(session, actor), "roles": ROLES}
    )


@router.post("/admin/users", response_model=None)
def users_create(
    request: Request,
    session: DbSession,
    actor: Admin,
    email: Annotated[str, Form(max_length=254)],
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=32)],
    password: Annotated[str, Form(max_length=1024)],
    language: Annotated[str, Form(max_length=16)] = "en",
) -> Response:
    """Create a user from the form."""
    try:
        data = UserCreate(email=email, name=name, role=role, password=password, language=language)
    except ValueError as exc:
        raise from_validation(exc) from exc
    service.create_user(session, actor, data)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}", response_model=None)
def users_update(
    user_id: IdPath,
    session: DbSession,
    actor: Admin,
    role: Annotated[str | None, Form(max_length=32)] = None,
    active: Annotated[str | None, Form(max_length=5)] = None,
) -> Response:
    """Change a user's role or deactivate them."""
    changes: dict[str, Any] = {}
    if role:
        changes["role"] = role
    if active in ("true", "false"):
        changes["is_active"] = active == "true"
    try:
        data = UserUpdate(**changes)
    except ValueError as exc:
        raise from_validation(exc) from exc
    service.update_user(session, actor, user_id, data)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/settings/api-keys", response_class=HTMLResponse)
def keys_page(request: Request, session: DbSession, actor: WebActor) -> Response:
    """Your API keys."""
    return render(request, "auth/api_keys.html", {"keys": queries.list_api_keys(session, actor)})


@router.post("/settings/api-keys", response_class=HTMLResponse)
def keys_create(
    request: Request,
    session: DbSession,
    actor: WebActor,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    """Create an API key and show it once."""
    _key, secret = service.create_api_key(session, actor, name)
    return render(
        request,
        "auth/api_keys.html",
        {"keys": queries.list_api_keys(session, actor), "new_key": secret},
    )


@router.post("/settings/api-keys/{key_id}/revoke", response_model=None)
def keys_revoke(key_id: IdPath, session: DbSession, actor: WebActor) -> Response:
    """Revoke one of your API keys."""
    service.revoke_api_key(session, actor, key_id)
    return RedirectResponse("/settings/api-keys", status_code=303)
