"""Search in any script and format; who may see which customer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import World
from tests.identity.conftest import find, profile_of


@pytest.mark.parametrize(
    "query",
    ["+886 912 345 678", "0912-345-678", "(09) 1234-5678", "886912345678", "912345678"],
)
def test_phone_in_any_format(client: TestClient, loaded: World, query: str) -> None:
    hits = find(client, loaded, query)
    assert [h["display_name"] for h in hits] and hits[0]["matched_on"] == "phone"
    assert len(hits) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("陳威廷", "C1"),
        ("陈威廷", "C1"),  # simplified finds traditional
        ("威廷", "C1"),  # partial, no whitespace in Chinese
        ("chen wei", "C1"),  # romanised
        ("สมชาย", "C6"),
        ("ใจดี", "C6"),  # Thai family name, partial
        ("WEITING@example.TW", "C1"),
        ("c6", "C6"),  # external id, any case
        ("Laura", "C3"),
    ],
)
def test_names_emails_and_ids(client: TestClient, loaded: World, query: str, expected: str) -> None:
    target = profile_of(client, loaded, expected)["id"]
    assert target in [h["id"] for h in find(client, loaded, query)]


def test_search_never_crosses_workspaces(client: TestClient, loaded: World, rival: World) -> None:
    assert find(client, rival, "0912345678") == []
    chen = profile_of(client, loaded, "C1")
    r = client.get(f"/api/v1/customers/{chen['id']}", headers=rival.headers())
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "customer.not_found"


def test_account_managers_see_only_their_accounts(client: TestClient, loaded: World) -> None:
    chen = profile_of(client, loaded, "C1")
    michael = profile_of(client, loaded, "C2")
    am = loaded.users["account_manager"]
    r = client.put(
        f"/api/v1/customers/{michael['id']}/owner", json={"user_id": am}, headers=loaded.headers()
    )
    assert r.status_code == 204
    h = loaded.headers("account_manager")
    assert client.get(f"/api/v1/customers/{michael['id']}", headers=h).status_code == 200
    assert client.get(f"/api/v1/customers/{chen['id']}", headers=h).status_code == 404
    assert [x["id"] for x in find(client, loaded, "Turner", "account_manager")] == [michael["id"]]


def test_analysts_see_masked_contact_data(client: TestClient, loaded: World) -> None:
    chen = profile_of(client, loaded, "C1")
    view = client.get(f"/api/v1/customers/{chen['id']}", headers=loaded.headers("analyst")).json()
    assert view["golden"]["email"]["value"].startswith("w***@")
    assert "912345" not in str(view["golden"]["phone"])
    assert all(r["birth_date"] is None for r in view["records"])
    agent_view = client.get(
        f"/api/v1/customers/{chen['id']}", headers=loaded.headers("agent")
    ).json()
    assert agent_view["golden"]["email"]["value"] == "weiting@example.tw"
