"""Who may do what with distributions (docs/security.md): only `surveys.manage` (admin, analyst)
plans and cancels them and manages audiences; account managers send personal links to their own
accounts only, so the per-customer lists of a distribution show them only their own customers;
roles without `profiles.pii` never read an address in an invitation's error message."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World
from tests.surveys.channels.conftest import SmtpServer
from tests.surveys.helpers import create_survey

from .conftest import audience, customers, distribute, email


def _own(client: TestClient, world: World, profile_id: int, role: str = "account_manager") -> None:
    r = client.put(
        f"/api/v1/customers/{profile_id}/owner",
        json={"user_id": world.users[role]},
        headers=world.headers("admin"),
    )
    assert r.status_code == 204, r.text


def test_account_managers_do_not_plan_distributions_but_send_to_their_own_customers(
    client: TestClient, world: World
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": f"M{i}", "email": email(i)} for i in range(3)])
    _own(client, world, ids["M0"])
    seg = audience(client, world)
    am = world.headers("account_manager")

    for role in ("account_manager", "agent"):  # surveys.manage only
        h = world.headers(role)
        body = {"segment_id": seg, "channels": ["web"]}
        r = client.post(f"/api/v1/surveys/{survey['id']}/distributions", json=body, headers=h)
        assert r.status_code == 403 and "surveys.manage" in r.text, (role, r.text)
        r = client.post("/api/v1/segments", json={"name": role, "filters": {}}, headers=h)
        assert r.status_code == 403, (role, r.text)
        assert client.put("/api/v1/survey-rules", json={}, headers=h).status_code == 403

    # a personal link: to an own customer yes, to anyone else's no (not even whether they exist)
    url = f"/api/v1/surveys/{survey['id']}/links"
    mine = client.post(url, json={"kind": "personal", "profile_id": ids["M0"]}, headers=am)
    assert mine.status_code == 201, mine.text
    other = client.post(url, json={"kind": "personal", "profile_id": ids["M1"]}, headers=am)
    assert other.status_code == 404, other.text

    dist = distribute(client, world, survey["id"], segment_id=seg, channels=["web"])
    jobs.run_pending()
    d = dist["id"]
    links = client.get(f"/api/v1/distributions/{d}/links", headers=am)
    assert links.status_code == 200
    assert [x["profile_id"] for x in links.json()] == [ids["M0"]]  # only their own customer
    invs = client.get(f"/api/v1/distributions/{d}/invitations", headers=am)
    assert [x["profile_id"] for x in invs.json()] == [ids["M0"]]
    counts = client.get(f"/api/v1/distributions/{d}", headers=am).json()
    assert counts["invitations"] == 3  # figures are counts over everyone (surveys.read)
    for role in ("agent", "analyst", "admin"):  # profiles.all: every customer
        h = world.headers(role)
        got = client.get(f"/api/v1/distributions/{d}/invitations", headers=h).json()
        assert sorted(x["profile_id"] for x in got) == sorted(ids.values()), role
    agent_links = client.get(f"/api/v1/distributions/{d}/links", headers=world.headers("agent"))
    assert len(agent_links.json()) == 3
    analyst = client.get(f"/api/v1/distributions/{d}/links", headers=world.headers("analyst"))
    assert len(analyst.json()) == 3


def test_addresses_in_provider_errors_are_masked_without_profiles_pii(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    customers(client, world, [{"id": "N1", "email": "nouser@example.org"}])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    jobs.run_pending()
    url = f"/api/v1/distributions/{dist['id']}/invitations"
    [seen] = client.get(url, headers=world.headers("agent")).json()  # profiles.pii
    assert seen["status"] == "bounced" and "nouser@example.org" in seen["error_message"]
    [masked] = client.get(url, headers=world.headers("analyst")).json()  # no profiles.pii
    assert "nouser@example.org" not in masked["error_message"].lower()
    assert masked["error_message"] == seen["error_message"].replace("nouser@example.org", "[EMAIL]")
