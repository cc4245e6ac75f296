"""A write that cannot get the database in time is a 503 to retry, not a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cxloop.core import db
from tests.factories import World


def test_a_write_waiting_too_long_for_the_writer_is_a_503(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.get_engine().dialect.name != "sqlite":
        pytest.skip("the in-process writer queue exists on SQLite only")
    monkeypatch.setattr(db, "WRITER_WAIT_SECONDS", 0.2)
    with db.unit_of_work() as held:  # another request's write, still open
        held.execute(text("SELECT 1"))
        r = client.post(
            "/api/v1/sources", json={"name": "crm", "kind": "crm"}, headers=world.headers()
        )
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "5"
    assert r.json()["error"]["code"] == "server.busy"
    again = client.post(
        "/api/v1/sources", json={"name": "crm", "kind": "crm"}, headers=world.headers()
    )
    assert again.status_code == 201, again.text
