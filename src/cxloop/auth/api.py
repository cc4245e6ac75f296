"""REST API of auth: the caller, users, API keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cxloop.auth import queries, service
from cxloop.auth.dependencies import CurrentActor, DbSession, require
from cxloop.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    Me,
    UserCreate,
    UserRead,
    UserUpdate,
)
from cxloop.core.actor import Actor
from cxloop.core.params import IdPath, Text
from cxloop.core.permissions import USERS_MANAGE
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.core.tenancy import Workspace

router = APIRouter(prefix="/api/v1", tags=["auth"], route_class=UnitOfWorkRoute)
Admin = Annotated[Actor, Depends(require(USERS_MANAGE))]


class PasswordChange(BaseModel):
    """A new password."""

    password: Text = Field(min_length=10, max_length=1024)


@router.get("/me", response_model=Me)
def me(session: DbSession, actor: CurrentActor) -> Any:
    """Who the caller is and what they may do."""
    ws = session.get(Workspace, actor.workspace_id)
    return Me(
        workspace_id=actor.workspace_id,
        workspace=ws.slug if ws else "",
        kind=actor.kind,
        user_id=actor.id,
        role=actor.role,
        permissions=sorted(actor.permissions),
    )


@router.get("/users", response_model=list[UserRead])
def list_users(session: DbSession, actor: Admin) -> Any:
    """Users of the workspace."""
    return queries.list_users(session, actor)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(data: UserCreate, session: DbSession, actor: Admin) -> Any:
    """Create a user."""
    return service.create_user(session, actor, data)


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(user_id: IdPath, data: UserUpdate, session: DbSession, actor: Admin) -> Any:
    """Change a user's name, role, language or active flag."""
    return service.update_user(session, actor, user_id, data)


@router.put("/users/{user_id}/password", status_code=204)
def set_password(
    user_id: IdPath, data: PasswordChange, session: DbSession, actor: CurrentActor
) -> None:
    """Set a password (your own, or anyone's as an admin); ends that user's sessions."""
    service.set_password(session, actor, user_id, data.password)


@router.get("/api-keys", response_model=list[ApiKeyRead])
def list_keys(session: DbSession, actor: CurrentActor) -> Any:
    """Your API keys (all of the workspace's for admins)."""
    return queries.list_api_keys(session, actor)


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_key(data: ApiKeyCreate, session: DbSession, actor: CurrentActor) -> Any:
    """Create an API key for yourself; the key is in this response only."""
    key, secret = service.create_api_key(session, actor, data.name)
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=secret)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyRead)
def revoke_key(key_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Revoke an API key."""
    return service.revoke_api_key(session, actor, key_id)
