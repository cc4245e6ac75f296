"""FastAPI dependencies: the request's unit of work and the authenticated actor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from cxloop.auth import errors, service
from cxloop.core.actor import Actor
from cxloop.core.db import unit_of_work


@dataclass(frozen=True)
class UserView:
    """What pages show of the logged-in user."""

    id: int
    name: str
    email: str
    role: str
    language: str


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "cxloop_session"
CSRF_HEADER = "x-csrf-token"


def _unit_of_work(request: Request) -> Iterator[Session]:
    """One session per request; unsafe methods commit once when the endpoint returns."""
    with unit_of_work(write=request.method not in SAFE_METHODS) as session:
        yield session


# scope="function": commit before the response is sent, so a commit error is the response.
DbSession = Annotated[Session, Depends(_unit_of_work, scope="function")]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def resolve_actor(request: Request, session: Session, csrf_from_form: str | None = None) -> Actor:
    """Authenticate a request by API key or session cookie (with CSRF on unsafe methods)."""
    presented = _bearer(request)
    if presented is not None:
        found = service.api_key_user(session, presented)
        if found is None:
            raise errors.not_authenticated()
        user, _key = found
        actor = service.actor_for_user(user, kind="api_key")
        request.state.actor = actor
        return actor
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found_session = service.session_user(session, cookie)
        if found_session is not None:
            user, web_session = found_session
            if request.method not in SAFE_METHODS:
                service.check_csrf(web_session, request.headers.get(CSRF_HEADER) or csrf_from_form)
            request.state.csrf_token = web_session.csrf_token
            # a plain copy: pages (error pages too) render after the session has closed
            request.state.user = UserView(user.id, user.name, user.email, user.role, user.language)
            actor = service.actor_for_user(user)
            request.state.actor = actor
            return actor
    raise errors.not_authenticated()


def _authenticate(request: Request, csrf_from_form: str | None = None) -> Actor:
    # Its own short read-only session, not the request's: a write session takes SQLite's write
    # lock at its first statement, and the endpoint then waits for a worker thread; with every
    # thread blocked on that lock, nobody could run (a burst beyond the pool deadlocked).
    with unit_of_work(write=False) as session:
        return resolve_actor(request, session, csrf_from_form)


def api_actor(request: Request) -> Actor:
    """The authenticated actor of an API request."""
    return _authenticate(request)


CurrentActor = Annotated[Actor, Depends(api_actor)]


def require(permission: str) -> Callable[[Actor], Actor]:
    """A dependency that yields the actor if it holds ``permission``, else 403."""

    def dep(actor: CurrentActor) -> Actor:
        if not actor.can(permission):
            raise errors.forbidden(permission)
        return actor

    return dep


async def _form_csrf(request: Request) -> str | None:
    """The CSRF token of a submitted form (the form is parsed once and cached by Starlette)."""
    if request.method in SAFE_METHODS:
        return None
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def web_actor(request: Request, csrf: Annotated[str | None, Depends(_form_csrf)]) -> Actor:
    """The logged-in user of a web page (unauthenticated visitors are sent to the login page)."""
    if _bearer(request) is not None:
        raise errors.not_authenticated()  # pages are for browsers, not API keys
    return _authenticate(request, csrf)


WebActor = Annotated[Actor, Depends(web_actor)]


def web_require(permission: str) -> Callable[[Actor], Actor]:
    """A page dependency that yields the user if they hold ``permission``, else 403."""

    def dep(actor: WebActor) -> Actor:
        if not actor.can(permission):
            raise errors.forbidden(permission)
        return actor

    return dep
