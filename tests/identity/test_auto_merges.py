"""Automatic merges are undoable and audited; decisions can be overridden; namesakes wait."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxloop.cli.main import app as cli_app
from cxloop.core import jobs
from tests.factories import World, make_source, post_records
from tests.identity.conftest import find, profile_of, resolve_unsure
from tests.web.test_pages import login


def _ids(view: dict[str, Any]) -> set[str]:
    return {r["external_id"] for r in view["records"]}


def _trail(client: TestClient, world: World, profile_id: int) -> list[dict[str, Any]]:
    r = client.get(
        "/api/v1/audit",
        params={"entity_type": "profile", "entity_id": profile_id},
        headers=world.headers(),
    )
    assert r.status_code == 200, r.text
    trail: list[dict[str, Any]] = r.json()
    return trail


def _post(client: TestClient, world: World, source: str, rows: list[dict[str, Any]]) -> None:
    rep = post_records(client, world, source, "customer", rows).json()
    assert rep["accepted"] == len(rows), rep
    jobs.run_pending()


def test_a_record_joining_a_customer_automatically_is_an_audited_undoable_merge(
    client: TestClient, loaded: World
) -> None:
    h = loaded.headers()
    chen = profile_of(client, loaded, "C1")
    _post(client, loaded, "support", [
        {"id": "S9", "full_name": "陳威廷", "phone": "+886-912-345-678", "email": "weiting@example.tw"}
    ])  # fmt: skip
    joined = client.get(f"/api/v1/customers/{chen['id']}", headers=h).json()
    assert "S9" in _ids(joined)
    s9 = next(r for r in joined["records"] if r["external_id"] == "S9")
    auto = [m for m in joined["merges"] if m["reason"] == "auto"]
    assert len(auto) == 1 and auto[0]["records"] == 1 and auto[0]["undone_at"] is None
    merge_id = auto[0]["id"]
    entry = next(e for e in _trail(client, loaded, chen["id"]) if e["action"] == "identity.merge")
    assert entry["after"]["merge_id"] == merge_id
    assert entry["after"]["reason"] == "auto" and entry["after"]["records"] == [s9["id"]]
    # the web page offers the same undo as for a manual merge
    token = login(client, loaded, "analyst")
    page = client.get(f"/customers/{chen['id']}").text
    assert f'action="/identity/merges/{merge_id}/undo"' in page
    r = client.post(
        f"/identity/merges/{merge_id}/undo", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    assert _ids(profile_of(client, loaded, "S9")) == {"S9"}
    assert _ids(profile_of(client, loaded, "C1")) == {"C1", "B1", "S1"}
    assert _trail(client, loaded, chen["id"])[0]["action"] == "identity.unmerge"
    # an undone automatic merge is remembered: resolution does not join them again
    client.post("/api/v1/identity/resolve", headers=h)
    jobs.run_pending()
    assert profile_of(client, loaded, "S9")["id"] != profile_of(client, loaded, "C1")["id"]


def test_an_automatic_merge_can_be_undone_from_the_cli(client: TestClient, loaded: World) -> None:
    _post(client, loaded, "support", [
        {"id": "S9", "full_name": "Mike Turner", "email": "michael.turner@example.com",
         "phone": "+1 217 555 0134", "country": "US"}
    ])  # fmt: skip
    michael = profile_of(client, loaded, "C2")
    assert "S9" in _ids(michael)
    merge = next(m for m in michael["merges"] if m["reason"] == "auto")
    r = CliRunner().invoke(cli_app, ["identity", "undo", str(merge["id"])])
    assert r.exit_code == 0, r.stderr
    assert _ids(profile_of(client, loaded, "S9")) == {"S9"}
    assert _ids(profile_of(client, loaded, "C2")) == {"C2", "B2", "S2"}


def test_a_manual_merge_overrides_an_earlier_keep_apart_and_lasts(
    client: TestClient, loaded: World
) -> None:
    a, b = profile_of(client, loaded, "C4"), profile_of(client, loaded, "C5")
    h = loaded.headers()
    merge = client.post(
        f"/api/v1/customers/{a['id']}/merge", json={"other_id": b["id"]}, headers=h
    ).json()
    assert client.post(f"/api/v1/identity/merges/{merge['id']}/undo", headers=h).status_code == 200
    # without identity.run the keep-apart decision stands (agents may merge, not override)
    r = client.post(
        f"/api/v1/customers/{a['id']}/merge",
        json={"other_id": b["id"]},
        headers=loaded.headers("agent"),
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "identity.not_mergeable"
    assert "identity.run" in r.json()["error"]["message"]
    # an admin merges them deliberately: the earlier decision is overridden, and audited
    r = client.post(f"/api/v1/customers/{a['id']}/merge", json={"other_id": b["id"]}, headers=h)
    assert r.status_code == 200, r.text
    assert _ids(profile_of(client, loaded, "C4")) == {"C4", "C5"}
    entry = next(e for e in _trail(client, loaded, a["id"]) if e["action"] == "identity.merge")
    assert entry["after"]["merge_id"] == r.json()["id"] and entry["after"]["overrode"]
    # automatic resolution respects the new decision as it respected the old one
    client.post("/api/v1/identity/resolve", headers=h)
    jobs.run_pending()
    assert profile_of(client, loaded, "C4")["id"] == profile_of(client, loaded, "C5")["id"]


def test_a_rejected_match_can_be_approved_later_by_an_identity_runner(
    client: TestClient, loaded: World
) -> None:
    h = loaded.headers()
    resolve_unsure(client, loaded)
    items = client.get("/api/v1/identity/review", params={"limit": 200}, headers=h).json()
    cross = next(i for i in items if i["record_a"]["profile_id"] != i["record_b"]["profile_id"])
    no = client.post(f"/api/v1/identity/links/{cross['id']}/reject", headers=h)
    assert no.json()["status"] == "rejected"
    # analysts review but do not override a decision; admins (identity.run) may
    again = client.post(
        f"/api/v1/identity/links/{cross['id']}/approve", headers=loaded.headers("analyst")
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "identity.already_decided"
    ok = client.post(f"/api/v1/identity/links/{cross['id']}/approve", headers=h)
    assert ok.status_code == 200, ok.text
    link = ok.json()
    assert link["status"] == "approved"
    assert link["record_a"]["profile_id"] == link["record_b"]["profile_id"]


def test_the_web_merge_form_refuses_an_id_beyond_64_bits(client: TestClient, loaded: World) -> None:
    c4 = profile_of(client, loaded, "C4")
    token = login(client, loaded, "admin")
    for bad in ("99999999999999999999", "0", "-3", "x", "²"):
        r = client.post(
            f"/customers/{c4['id']}/merge",
            data={"csrf_token": token, "other_id": bad},
            follow_redirects=False,
        )
        assert r.status_code == 422, (bad, r.status_code, r.text[:200])
    assert _ids(profile_of(client, loaded, "C4")) == {"C4"}


def _pending_for(client: TestClient, world: World, ext: str) -> list[dict[str, Any]]:
    items = client.get(
        "/api/v1/identity/review", params={"limit": 200}, headers=world.headers()
    ).json()
    return [i for i in items if ext in (i["record_a"]["external_id"], i["record_b"]["external_id"])]


def test_a_namesake_with_other_email_and_phone_waits_for_review(
    client: TestClient, loaded: World
) -> None:
    make_source(loaded, "web", "web", trust_rank=5)
    _post(client, loaded, "web", [
        {"id": "W1", "full_name": "Michael Turner", "email": "mturner.sea@example.net",
         "phone": "+1 206 555 0199", "country": "US"}
    ])  # fmt: skip
    assert _ids(profile_of(client, loaded, "W1")) == {"W1"}
    assert _ids(profile_of(client, loaded, "C2")) == {"C2", "B2", "S2"}
    waiting = _pending_for(client, loaded, "W1")
    assert waiting, "the strong name match goes to the review queue"
    assert all(i["review_reason"]["code"] == "different_contact" for i in waiting)
    assert all("email" in i["review_reason"]["message"] for i in waiting)
    login(client, loaded, "analyst")
    assert 'data-testid="review-reason">different email' in client.get("/identity/review").text


def test_a_different_name_on_a_shared_mobile_waits_for_review(
    client: TestClient, loaded: World
) -> None:
    make_source(loaded, "web", "web", trust_rank=5)
    _post(client, loaded, "web", [
        {"id": "W2", "full_name": "黃淑芬", "phone": "0912-345-678", "email": "sufen@example.tw",
         "country": "TW"}
    ])  # fmt: skip
    assert _ids(profile_of(client, loaded, "W2")) == {"W2"}
    assert len(find(client, loaded, "C1")) == 1
    assert _ids(profile_of(client, loaded, "C1")) == {"C1", "B1", "S1"}
