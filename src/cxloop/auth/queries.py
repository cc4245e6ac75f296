"""Reads of the auth domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.auth.models import ApiKey, User
from cxloop.core.actor import Actor
from cxloop.core.permissions import USERS_MANAGE


def list_users(session: Session, actor: Actor) -> list[User]:
    """Users of the actor's workspace."""
    return list(
        session.scalars(
            select(User).where(User.workspace_id == actor.workspace_id).order_by(User.email)
        )
    )


def user_by_email(session: Session, workspace_id: int, email: str) -> User | None:
    """A user of a workspace by email (case-insensitive), or None."""
    return session.scalar(
        select(User).where(User.workspace_id == workspace_id, User.email == email.strip().lower())
    )


def list_api_keys(session: Session, actor: Actor) -> list[ApiKey]:
    """API keys the actor may see: their own, or all of the workspace for admins."""
    stmt = select(ApiKey).where(ApiKey.workspace_id == actor.workspace_id)
    if not actor.can(USERS_MANAGE):
        stmt = stmt.where(ApiKey.user_id == actor.id)
    return list(session.scalars(stmt.order_by(ApiKey.id)))
