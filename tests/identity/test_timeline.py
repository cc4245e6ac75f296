"""Every interaction of a customer: the 360 view's newest page, its total, and the older pages."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import World, post_records
from tests.identity.conftest import profile_of

CHANNELS = ("phone", "chat", "email")
PHONE = "+1 217 555 0199"


def _many(n: int) -> list[dict[str, Any]]:
    """``n`` interactions of Michael Turner (S2); two at a time share a start, to test ties."""
    return [
        {
            "id": f"M{k:03d}",
            "customer_id": "S2",
            "channel": CHANNELS[k % 3],
            "type": "billing",
            "agent": f"agent-{k}",
            "started_at": f"2025-{1 + (k // 2) // 28:02d}-{1 + (k // 2) % 28:02d}T09:00:00Z",
            "ended_at": f"2025-{1 + (k // 2) // 28:02d}-{1 + (k // 2) % 28:02d}T09:05:00Z",
            "outcome": "resolved",
            "text": f"please call me back on {PHONE}",
        }
        for k in range(n)
    ]


@pytest.fixture
def busy(client: TestClient, loaded: World) -> dict[str, Any]:
    """Michael Turner with 130 more interactions (133 in all); his 360 view as the admin sees it."""
    rows = _many(130)
    for start in range(0, len(rows), 50):
        rep = post_records(client, loaded, "support", "interaction", rows[start : start + 50])
        assert rep.status_code in (200, 201), rep.text
        assert rep.json()["rejected"] == 0, rep.json()
    return profile_of(client, loaded, "C2")


def _page(
    client: TestClient, world: World, profile: int, role: str = "admin", **params: Any
) -> dict[str, Any]:
    r = client.get(
        f"/api/v1/customers/{profile}/timeline", params=params, headers=world.headers(role)
    )
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return page


def _key(item: dict[str, Any]) -> tuple[str, int]:
    return (item["started_at"], item["id"])


def test_the_360_view_says_how_many_interactions_and_that_there_are_more(
    busy: dict[str, Any],
) -> None:
    assert busy["timeline_total"] == 133
    assert len(busy["timeline"]) == 100
    assert busy["timeline_has_more"] is True
    assert isinstance(busy["timeline_next_before"], str) and busy["timeline_next_before"]
    keys = [_key(i) for i in busy["timeline"]]
    assert keys == sorted(keys, reverse=True)  # newest first, ties by id


def test_a_customer_with_few_interactions_has_no_more(client: TestClient, loaded: World) -> None:
    michael = profile_of(client, loaded, "C2")
    assert michael["timeline_total"] == 3
    assert michael["timeline_has_more"] is False
    assert michael["timeline_next_before"] is None


def test_paging_from_the_360_cursor_returns_every_other_interaction_once(
    client: TestClient, loaded: World, busy: dict[str, Any]
) -> None:
    seen = [i["external_id"] for i in busy["timeline"]]
    keys = [_key(i) for i in busy["timeline"]]
    cursor = busy["timeline_next_before"]
    pages = 0
    while cursor:
        page = _page(client, loaded, busy["id"], before=cursor, limit=13)
        assert page["total"] == 133
        assert len(page["items"]) <= 13
        seen += [i["external_id"] for i in page["items"]]
        keys += [_key(i) for i in page["items"]]
        assert page["has_more"] is (page["next_before"] is not None)
        cursor = page["next_before"]
        pages += 1
    assert pages == 3  # 33 older ones in pages of 13, 13 and 7
    assert len(seen) == len(set(seen)) == 133
    assert set(seen) == {f"M{k:03d}" for k in range(130)} | {"I0", "I1", "I2"}
    assert keys == sorted(keys, reverse=True)


def test_the_first_page_is_the_newest_and_the_limit_is_kept(
    client: TestClient, loaded: World, busy: dict[str, Any]
) -> None:
    page = _page(client, loaded, busy["id"], limit=5)
    assert [i["id"] for i in page["items"]] == [i["id"] for i in busy["timeline"][:5]]
    assert page["has_more"] is True and page["total"] == 133
    default = _page(client, loaded, busy["id"])
    assert len(default["items"]) == 50
    everything = _page(client, loaded, busy["id"], limit=200)
    assert len(everything["items"]) == 133
    assert everything["has_more"] is False and everything["next_before"] is None


def test_the_timeline_filters_by_channel(
    client: TestClient, loaded: World, busy: dict[str, Any]
) -> None:
    chats = _page(client, loaded, busy["id"], channel="chat", limit=20)
    expected = sum(1 for k in range(130) if CHANNELS[k % 3] == "chat") + 1  # I1 is a chat
    assert chats["total"] == expected
    assert {i["channel"] for i in chats["items"]} == {"chat"}
    rest = _page(client, loaded, busy["id"], channel="chat", before=chats["next_before"], limit=200)
    assert {i["channel"] for i in rest["items"]} == {"chat"}
    assert len(chats["items"]) + len(rest["items"]) == expected
    r = client.get(
        f"/api/v1/customers/{busy['id']}/timeline",
        params={"channel": "fax"},
        headers=loaded.headers(),
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["error"]["data"]["errors"]] == ["channel"]


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"before": "not a cursor"}, "before"),
        ({"before": "x" * 500}, "before"),
        ({"before": _cursor("2025-01-01T00:00:00+00:00")}, "before"),
        ({"before": _cursor("yesterday~12")}, "before"),
        ({"before": _cursor("2025-01-01T00:00:00+00:00~0")}, "before"),
        ({"before": _cursor("2025-01-01T00:00:00+00:00~" + "9" * 30)}, "before"),
        ({"before": _cursor("2025-01-01T00:00:00~12")}, "before"),  # no time zone
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_a_422_naming_the_field(
    client: TestClient, loaded: World, params: dict[str, Any], field: str
) -> None:
    michael = profile_of(client, loaded, "C2")
    r = client.get(
        f"/api/v1/customers/{michael['id']}/timeline", params=params, headers=loaded.headers()
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "request.invalid"
    assert [e["field"] for e in error["data"]["errors"]] == [field]
    assert error["message"].startswith(f"{field}:")


def test_a_cursor_from_the_api_round_trips_exactly(
    client: TestClient, loaded: World, busy: dict[str, Any]
) -> None:
    first = _page(client, loaded, busy["id"], limit=1)
    second = _page(client, loaded, busy["id"], limit=1, before=first["next_before"])
    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert second["items"][0]["started_at"] <= first["items"][0]["started_at"]
    assert [i["id"] for i in second["items"]] == [busy["timeline"][1]["id"]]


def test_other_workspaces_and_other_account_managers_get_a_404(
    client: TestClient, loaded: World, rival: World
) -> None:
    chen, michael = profile_of(client, loaded, "C1"), profile_of(client, loaded, "C2")
    r = client.get(f"/api/v1/customers/{michael['id']}/timeline", headers=rival.headers())
    assert r.status_code == 404 and r.json()["error"]["code"] == "customer.not_found"
    am = loaded.users["account_manager"]
    client.put(
        f"/api/v1/customers/{michael['id']}/owner", json={"user_id": am}, headers=loaded.headers()
    )
    h = loaded.headers("account_manager")
    assert client.get(f"/api/v1/customers/{michael['id']}/timeline", headers=h).status_code == 200
    r = client.get(f"/api/v1/customers/{chen['id']}/timeline", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "customer.not_found"


def test_older_pages_are_masked_like_the_360_view(
    client: TestClient, loaded: World, busy: dict[str, Any]
) -> None:
    old = _page(client, loaded, busy["id"], "analyst", before=busy["timeline_next_before"])
    assert old["items"]
    for item in old["items"]:
        assert item["text_redacted"] is True
        assert PHONE not in item["text"] and "[PHONE]" in item["text"]
    agent = _page(client, loaded, busy["id"], "agent", before=busy["timeline_next_before"])
    assert all(PHONE in i["text"] and not i["text_redacted"] for i in agent["items"])


def test_a_merged_customer_s_timeline_redirects_to_the_survivor(
    client: TestClient, loaded: World
) -> None:
    laura, michael = profile_of(client, loaded, "C3"), profile_of(client, loaded, "C2")
    r = client.post(
        f"/api/v1/customers/{michael['id']}/merge",
        json={"other_id": laura["id"]},
        headers=loaded.headers(),
    )
    assert r.status_code == 200, r.text
    r = client.get(
        f"/api/v1/customers/{laura['id']}/timeline",
        params={"limit": 2},
        headers=loaded.headers(),
        follow_redirects=False,
    )
    assert r.status_code == 307
    assert r.headers["location"] == f"/api/v1/customers/{michael['id']}/timeline?limit=2"
