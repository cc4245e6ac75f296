"""Test data builders that go through the services (the only write path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from cxloop.auth import service as auth
from cxloop.auth.schemas import UserCreate
from cxloop.core.actor import system_actor
from cxloop.core.db import unit_of_work
from cxloop.profiles.ingest import service as ingest
from cxloop.profiles.ingest.schemas import SourceCreate

PASSWORD = "correct horse battery"


@dataclass
class World:
    """A workspace with one user per role, their API keys and an authenticated client each."""

    slug: str
    workspace_id: int
    users: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str = "admin") -> dict[str, str]:
        """Authorization headers of the role's API key."""
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_world(slug: str = "acme", region: str = "TW") -> World:
    """Create a workspace, a user per role and an API key per user."""
    with unit_of_work() as s:
        ws = auth.create_workspace(s, slug, slug.title(), region)
        world = World(slug, ws.id)
        op = system_actor(ws.id, "test")
        for role in ("admin", "analyst", "agent", "account_manager"):
            email = f"{role}@{slug}.example"
            user = auth.create_user(
                s,
                op,
                UserCreate(email=email, name=role.title(), role=role, password=PASSWORD),  # type: ignore[arg-type]
            )
            _key, secret = auth.create_api_key(s, auth.actor_for_user(user), "tests")
            world.users[role] = user.id
            world.keys[role] = secret
            world.emails[role] = email
    return world


def make_source(world: World, name: str, kind: str = "crm", **kw: Any) -> str:
    """Declare a source; return its webhook secret."""
    with unit_of_work() as s:
        src = ingest.create_source(
            s,
            system_actor(world.workspace_id, "test"),
            SourceCreate(name=name, kind=kind, **kw),  # type: ignore[arg-type]
        )
        world.secrets[name] = src.webhook_secret
        return src.webhook_secret


def post_records(
    client: TestClient,
    world: World,
    source: str,
    entity: str,
    records: list[Any],
    role: str = "admin",
    **extra: Any,
) -> Any:
    """POST a REST batch and return the response."""
    return client.post(
        f"/api/v1/sources/{source}/records",
        json={"entity": entity, "records": records, **extra},
        headers=world.headers(role),
    )
