"""The only write path of the auth domain: workspaces, users, sessions and API keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.auth import errors
from cxloop.auth.models import ApiKey, User, WebSession
from cxloop.auth.passwords import (
    dummy_hash,
    hash_password,
    password_problem,
    verify_password,
)
from cxloop.auth.schemas import UserCreate, UserUpdate
from cxloop.core import audit, clock
from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.crypto import equal, sha256_hex, token
from cxloop.core.permissions import ROLES, USERS_MANAGE, permissions_for
from cxloop.core.tenancy import Workspace, owned

MAX_FAILED_LOGINS = 8
LOCKOUT = timedelta(minutes=10)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        raise errors.forbidden(permission)


def create_workspace(session: Session, slug: str, name: str, region: str = "US") -> Workspace:
    """Create a workspace (operator action, from the CLI or the demo loader)."""
    if not _SLUG.match(slug):
        raise errors.invalid("slug", "use lowercase letters, digits and dashes")
    if session.scalar(select(Workspace).where(Workspace.slug == slug)) is not None:
        raise errors.invalid("slug", f"workspace {slug!r} already exists")
    ws = Workspace(slug=slug, name=name, default_region=region.upper(), settings={})
    session.add(ws)
    session.flush()
    return ws


def get_workspace(session: Session, slug: str) -> Workspace:
    """A workspace by slug."""
    ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise errors.workspace_not_found(slug)
    return ws


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "language": user.language,
        "is_active": user.is_active,
    }


def create_user(session: Session, actor: Actor, data: UserCreate) -> User:
    """Create a user in the actor's workspace."""
    _require(actor, USERS_MANAGE)
    problem = password_problem(data.password)
    if problem:
        raise errors.invalid("password", problem)
    email = data.email.strip().lower()
    exists = session.scalar(
        select(User).where(User.workspace_id == actor.workspace_id, User.email == email)
    )
    if exists is not None:
        raise errors.user_exists(email)
    user = User(
        workspace_id=actor.workspace_id,
        email=email,
        name=data.name.strip(),
        role=data.role,
        language=data.language,
        password_hash=hash_password(data.password),
        is_active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None, _user_snapshot(user))
    return user


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """A user of the actor's workspace, else 404."""
    user = owned(session, User, user_id, actor.workspace_id)
    if user is None:
        raise errors.user_not_found(user_id)
    return user


def update_user(session: Session, actor: Actor, user_id: int, data: UserUpdate) -> User:
    """Change a user's name, role, language or active flag."""
    _require(actor, USERS_MANAGE)
    user = get_user(session, actor, user_id)
    before = _user_snapshot(user)
    if data.role is not None:
        if data.role not in ROLES:
            raise errors.invalid("role", f"must be one of {', '.join(ROLES)}")
        user.role = data.role
    if data.name is not None:
        user.name = data.name.strip()
    if data.language is not None:
        user.language = data.language
    if data.is_active is not None:
        user.is_active = data.is_active
        if not data.is_active:
            _revoke_sessions(session, user.id)
    session.flush()
    audit.record(session, actor, "user.update", "user", user.id, before, _user_snapshot(user))
    return user


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> None:
    """Set a user's password (admins for anyone; users for themselves) and end their sessions."""
    if not (actor.kind == "user" and actor.id == user_id):
        _require(actor, USERS_MANAGE)
    problem = password_problem(password)
    if problem:
        raise errors.invalid("password", problem)
    user = get_user(session, actor, user_id)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    _revoke_sessions(session, user.id)
    session.flush()
    audit.record(session, actor, "user.password", "user", user.id, None, {"changed": True})


def _revoke_sessions(session: Session, user_id: int) -> None:
    for ws in session.scalars(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    ):
        ws.revoked_at = clock.now()


def actor_for_user(user: User, kind: str = "user") -> Actor:
    """The Actor a user acts as."""
    return Actor(
        workspace_id=user.workspace_id,
        kind=kind,
        id=user.id,
        role=user.role,
        permissions=permissions_for(user.role),
        label=user.email,
    )


def authenticate(session: Session, workspace_slug: str | None, email: str, password: str) -> User:
    """Check a login; counts failures and locks the account after too many."""
    email = email.strip().lower()
    stmt = select(User).where(User.email == email, User.is_active.is_(True))
    if workspace_slug:
        stmt = stmt.join(Workspace, Workspace.id == User.workspace_id).where(
            Workspace.slug == workspace_slug
        )
    users = list(session.scalars(stmt))
    if len(users) != 1:
        verify_password(dummy_hash(), password)
        raise errors.bad_credentials()
    user = users[0]
    t = clock.now()
    if user.locked_until is not None and user.locked_until > t:
        raise errors.locked()
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = t + LOCKOUT
            user.failed_logins = 0
        session.flush()
        raise errors.bad_credentials()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = t
    session.flush()
    return user


@dataclass(frozen=True)
class NewSession:
    """A session just started: the cookie value is only known here."""

    cookie: str
    csrf_token: str


def start_session(session: Session, user: User) -> NewSession:
    """Start a web session for a user who has just authenticated."""
    raw = token(32)
    csrf = token(24)
    t = clock.now()
    session.add(
        WebSession(
            token_hash=sha256_hex(raw),
            user_id=user.id,
            csrf_token=csrf,
            created_at=t,
            expires_at=t + timedelta(hours=get_settings().session_hours),
        )
    )
    session.flush()
    audit.record(session, actor_for_user(user), "session.start", "user", user.id)
    return NewSession(raw, csrf)


def session_user(session: Session, cookie: str) -> tuple[User, WebSession] | None:
    """The live session and user behind a cookie value, or None."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == sha256_hex(cookie)))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user, row


def end_session(session: Session, cookie: str) -> None:
    """Log out: revoke the session behind a cookie."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == sha256_hex(cookie)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
        session.flush()


def check_csrf(web_session: WebSession, presented: str | None) -> None:
    """Raise unless ``presented`` is the session's CSRF token."""
    if not presented or not equal(presented, web_session.csrf_token):
        raise errors.csrf_failed()


API_KEY_PREFIX = "cxk_"


def create_api_key(session: Session, actor: Actor, name: str) -> tuple[ApiKey, str]:
    """Create an API key for the acting user; return it with its secret (shown once)."""
    if actor.kind not in ("user", "api_key") or actor.id is None:
        raise errors.invalid("user", "API keys belong to a user; log in as that user")
    prefix = token(6)[:8].replace("-", "a").replace("_", "b")
    secret = token(32)
    key = ApiKey(
        workspace_id=actor.workspace_id,
        user_id=actor.id,
        name=name.strip()[:200],
        prefix=prefix,
        key_hash=sha256_hex(secret),
        created_at=clock.now(),
    )
    session.add(key)
    session.flush()
    audit.record(session, actor, "apikey.create", "api_key", key.id, None, {"name": key.name})
    return key, f"{API_KEY_PREFIX}{prefix}_{secret}"


def revoke_api_key(session: Session, actor: Actor, key_id: int) -> ApiKey:
    """Revoke an API key (its owner, or an admin)."""
    key = owned(session, ApiKey, key_id, actor.workspace_id)
    if key is None:
        raise errors.apikey_not_found(key_id)
    if key.user_id != actor.id and not actor.can(USERS_MANAGE):
        raise errors.apikey_not_found(key_id)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        session.flush()
        audit.record(session, actor, "apikey.revoke", "api_key", key.id, None, {"revoked": True})
    return key


def api_key_user(session: Session, presented: str) -> tuple[User, ApiKey] | None:
    """The active user behind a presented API key, or None."""
    if not presented.startswith(API_KEY_PREFIX):
        return None
    body = presented[len(API_KEY_PREFIX) :]
    prefix, _, secret = body.partition("_")
    if not prefix or not secret:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None or not equal(key.key_hash, sha256_hex(secret)):
        return None
    user = session.get(User, key.user_id)
    if user is None or not user.is_active:
        return None
    return user, key
