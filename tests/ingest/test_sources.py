"""Declaring and changing sources: time zones are checked before they are saved."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import World, make_source, post_records


def create(client: TestClient, world: World, **fields: Any) -> Any:
    return client.post(
        "/api/v1/sources",
        json={"name": "crm", "kind": "crm", **fields},
        headers=world.headers(),
    )


def refused(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["data"]["field"] == field, error
    message: str = error["message"]
    return message


@pytest.mark.parametrize("tz", ["x" * 70_000, "x" * 65, "America", "Mars/Base", "", "../etc"])
def test_a_time_zone_that_is_not_one_is_a_422(client: TestClient, world: World, tz: str) -> None:
    assert "IANA time zone" in refused(create(client, world, timezone=tz), "timezone")
    assert create(client, world, timezone="Asia/Taipei").status_code == 201
    r = client.patch("/api/v1/sources/crm", json={"timezone": tz}, headers=world.headers())
    refused(r, "timezone")
    kept = client.get("/api/v1/sources/crm", headers=world.headers()).json()
    assert kept["timezone"] == "Asia/Taipei"


def test_a_preference_with_a_time_zone_directory_is_rejected_by_field(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    rows = [
        {"customer_id": "C1", "timezone": "America"},
        {"customer_id": "C2", "timezone": "Asia/Taipei"},
    ]
    rep = post_records(client, world, "crm", "preference", rows).json()
    assert (rep["accepted"], rep["rejected"]) == (1, 1), rep
    assert rep["errors"][0]["errors"][0]["field"] == "timezone"
