"""Permission-checked, workspace-scoped fetches of profile records (404 when not visible)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from cxloop.core.actor import Actor
from cxloop.core.errors import Forbidden
from cxloop.core.permissions import PROFILES_ALL, PROFILES_READ
from cxloop.core.tenancy import owned
from cxloop.profiles import errors
from cxloop.profiles.models import CustomerRecord, MatchLink, MergeEvent, Profile


def require(actor: Actor, permission: str) -> None:
    """Raise 403 unless the actor holds ``permission``."""
    if not actor.can(permission):
        raise Forbidden(
            "auth.forbidden",
            f"Your role does not allow this (needs '{permission}').",
            {"permission": permission},
        )


def can_see(actor: Actor, profile: Profile) -> bool:
    """Whether the actor may see this profile (workspace, role, account assignment)."""
    if profile.workspace_id != actor.workspace_id or not actor.can(PROFILES_READ):
        return False
    return actor.can(PROFILES_ALL) or profile.owner_user_id == actor.id


def scope_profiles(actor: Actor, stmt: Select) -> Select:  # type: ignore[type-arg]
    """Restrict a query over profiles to what the actor may see."""
    stmt = stmt.where(Profile.workspace_id == actor.workspace_id)
    if not actor.can(PROFILES_ALL):
        stmt = stmt.where(Profile.owner_user_id == actor.id)
    return stmt


def visible(
    actor: Actor, profile_id: InstrumentedAttribute[int] | ColumnElement[int]
) -> ColumnElement[bool]:
    """A condition on another table's profile id column: the actor may see that customer
    (rows of the actor's workspace; an account manager only their assigned customers)."""
    if not actor.can(PROFILES_READ):
        return false()
    if actor.can(PROFILES_ALL):
        return true()
    assigned = select(Profile.id).where(
        Profile.workspace_id == actor.workspace_id, Profile.owner_user_id == actor.id
    )
    return profile_id.in_(assigned)


def get_profile(session: Session, actor: Actor, profile_id: int) -> Profile:
    """A profile the actor may see, else 404."""
    require(actor, PROFILES_READ)
    profile = session.get(Profile, profile_id)
    if profile is None or not can_see(actor, profile):
        raise errors.profile_not_found(profile_id)
    return profile


def get_link(session: Session, actor: Actor, link_id: int) -> MatchLink:
    """A match link of the actor's workspace, else 404."""
    link = owned(session, MatchLink, link_id, actor.workspace_id)
    if link is None:
        raise errors.link_not_found(link_id)
    return link


def get_merge(session: Session, actor: Actor, merge_id: int) -> MergeEvent:
    """A merge of the actor's workspace, else 404."""
    merge = owned(session, MergeEvent, merge_id, actor.workspace_id)
    if merge is None:
        raise errors.merge_not_found(merge_id)
    return merge


def get_record(session: Session, actor: Actor, record_id: int) -> CustomerRecord:
    """A source customer record of the actor's workspace, else 404."""
    rec = owned(session, CustomerRecord, record_id, actor.workspace_id)
    if rec is None:
        raise errors.record_not_found(record_id)
    return rec
