"""Pydantic schemas of the auth domain."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.core.params import Text

Role = Literal["admin", "analyst", "agent", "account_manager"]


class UserCreate(BaseModel):
    """A new user."""

    email: Text = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    name: Text = Field(min_length=1, max_length=200)
    role: Role
    password: Text = Field(min_length=10, max_length=1024)
    language: Literal["en", "zh-Hant", "zh-Hans", "th"] = "en"


class UserUpdate(BaseModel):
    """Changes to a user."""

    name: Text | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    language: Literal["en", "zh-Hant", "zh-Hans", "th"] | None = None
    is_active: bool | None = None


class UserRead(BaseModel):
    """A user as shown to admins."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    language: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class ApiKeyCreate(BaseModel):
    """A new API key for the calling user."""

    name: Text = Field(min_length=1, max_length=200)


class ApiKeyRead(BaseModel):
    """An API key without its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    user_id: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    """An API key just created: the only time its secret is shown."""

    key: str


class Me(BaseModel):
    """The calling principal."""

    workspace_id: int
    workspace: str
    kind: str
    user_id: int | None
    role: str
    permissions: list[str]
