"""Manual merge, undo, review decisions, detach — each audited and undoable."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World
from tests.identity.conftest import profile_of, resolve_unsure


def test_manual_merge_then_undo_restores_both_and_keeps_them_apart(
    client: TestClient, loaded: World
) -> None:
    a, b = profile_of(client, loaded, "C4"), profile_of(client, loaded, "C5")
    h = loaded.headers()
    r = client.post(f"/api/v1/customers/{a['id']}/merge", json={"other_id": b["id"]}, headers=h)
    assert r.status_code == 200, r.text
    merge = r.json()
    merged = client.get(f"/api/v1/customers/{a['id']}", headers=h).json()
    assert {x["external_id"] for x in merged["records"]} == {"C4", "C5"}
    old = client.get(f"/api/v1/customers/{b['id']}", headers=h, follow_redirects=False)
    assert old.status_code == 307 and old.headers["location"].endswith(f"/{a['id']}")
    undone = client.post(f"/api/v1/identity/merges/{merge['id']}/undo", headers=h)
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert {x["external_id"] for x in profile_of(client, loaded, "C4")["records"]} == {"C4"}
    assert {x["external_id"] for x in profile_of(client, loaded, "C5")["records"]} == {"C5"}
    again = client.post(f"/api/v1/identity/merges/{merge['id']}/undo", headers=h)
    assert again.status_code == 409
    # the undo is remembered: a full re-resolution does not join them again, nor a manual merge
    # by someone who may not override it (identity.run may: test_auto_merges)
    client.post("/api/v1/identity/resolve", headers=h)
    jobs.run_pending()
    assert profile_of(client, loaded, "C4")["id"] != profile_of(client, loaded, "C5")["id"]
    r = client.post(
        f"/api/v1/customers/{a['id']}/merge",
        json={"other_id": b["id"]},
        headers=loaded.headers("agent"),
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "identity.not_mergeable"
    trail = client.get(
        "/api/v1/audit", params={"entity_type": "profile", "entity_id": a["id"]}, headers=h
    ).json()
    actions = [e["action"] for e in trail]
    assert actions[:2] == ["identity.unmerge", "identity.merge"]
    assert trail[1]["after"]["absorbed"] == b["id"]
    assert trail[1]["actor_label"] == loaded.emails["admin"]
    assert client.get("/api/v1/audit", headers=loaded.headers("agent")).status_code == 403


def test_detach_moves_a_record_out_for_good(client: TestClient, loaded: World) -> None:
    chen = profile_of(client, loaded, "C1")
    support = next(r for r in chen["records"] if r["external_id"] == "S1")
    h = loaded.headers()
    r = client.post(f"/api/v1/identity/records/{support['id']}/detach", headers=h)
    assert r.status_code == 200, r.text
    alone = profile_of(client, loaded, "S1")
    assert {x["external_id"] for x in alone["records"]} == {"S1"}
    client.post("/api/v1/identity/resolve", headers=h)
    jobs.run_pending()
    assert profile_of(client, loaded, "S1")["id"] != profile_of(client, loaded, "C1")["id"]


def test_review_queue_approve_and_reject(client: TestClient, loaded: World) -> None:
    h = loaded.headers()
    resolve_unsure(client, loaded)
    queue = client.get("/api/v1/identity/review", headers=h)
    assert queue.status_code == 200
    items = queue.json()
    assert items, "some pairs must wait for a decision"
    assert int(queue.headers["x-total-count"]) == len(items)
    first, *rest = items
    a, b = first["record_a"], first["record_b"]
    ok = client.post(f"/api/v1/identity/links/{first['id']}/approve", headers=h).json()
    assert ok["status"] == "approved"
    pa = client.get(f"/api/v1/customers/{a['profile_id']}", headers=h).json()
    assert {a["external_id"], b["external_id"]} <= {x["external_id"] for x in pa["records"]}
    assert client.post(f"/api/v1/identity/links/{first['id']}/reject", headers=h).status_code == 409
    if rest:
        no = client.post(f"/api/v1/identity/links/{rest[0]['id']}/reject", headers=h).json()
        assert no["status"] == "rejected"
    # analysts may review; agents may not
    assert client.get("/api/v1/identity/review", headers=loaded.headers("agent")).status_code == 403


def test_settings_are_validated(client: TestClient, loaded: World) -> None:
    h = loaded.headers()
    bad = client.put(
        "/api/v1/identity/settings",
        json={"auto_threshold": 0.5, "review_threshold": 0.9},
        headers=h,
    )
    assert bad.status_code == 422
    assert "review_threshold" in bad.json()["error"]["message"]
    bad = client.put(
        "/api/v1/identity/settings", json={"survivorship": {"email": "loudest"}}, headers=h
    )
    assert bad.status_code == 422
    ok = client.put(
        "/api/v1/identity/settings", json={"survivorship": {"full_name": "most_recent"}}, headers=h
    )
    assert ok.json()["survivorship"]["full_name"] == "most_recent"
    # the answer is the settings in force, thresholds included, as GET gives them
    assert ok.json() == client.get("/api/v1/identity/settings", headers=h).json()
    assert (ok.json()["auto_threshold"], ok.json()["review_threshold"]) == (0.95, 0.70)
    assert (
        client.put(
            "/api/v1/identity/settings",
            json={"auto_threshold": 0.99},
            headers=loaded.headers("analyst"),
        ).status_code
        == 403
    )


def test_a_unique_source_reference_longer_than_any_name_or_id_is_refused(
    client: TestClient, loaded: World
) -> None:
    h = loaded.headers()
    before = client.get("/api/v1/identity/settings", headers=h).json()
    for ref in ("9" * 5000, "x" * 65):
        r = client.put("/api/v1/identity/settings", json={"unique_sources": [ref]}, headers=h)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["data"]["errors"][0]["field"] == "unique_sources.0"
    r = client.put("/api/v1/identity/settings", json={"unique_sources": ["9" * 19]}, headers=h)
    assert r.status_code == 404  # as long as an id can be: looked up, and not there
    assert client.get("/api/v1/identity/settings", headers=h).json() == before
