"""Signed webhooks: HMAC over timestamp and body, a 5-minute window, replays without effect."""

from __future__ import annotations

import time
import uuid

import orjson
from fastapi.testclient import TestClient

from cxloop.profiles.ingest.webhook import sign
from tests.factories import World, make_source

BODY = {
    "entity": "customer",
    "records": [{"id": "W1", "full_name": "林志玲", "phone": "+886 912 000 111"}],
}


def deliver(
    client: TestClient,
    secret: str,
    body: dict | bytes,
    ts: int | None = None,
    delivery: str | None = None,
    path: str = "/api/v1/webhooks/acme/web",
):  # type: ignore[no-untyped-def,type-arg]
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    ts = int(time.time()) if ts is None else ts
    headers = {
        "X-Cxloop-Timestamp": str(ts),
        "X-Cxloop-Signature": sign(secret, ts, raw),
        "X-Cxloop-Delivery": delivery or uuid.uuid4().hex,
        "Content-Type": "application/json",
    }
    return client.post(path, content=raw, headers=headers)


def test_signed_delivery_is_accepted_without_an_api_key(client: TestClient, world: World) -> None:
    secret = make_source(world, "web", "web")
    r = deliver(client, secret, BODY)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1


def test_bad_signature_old_timestamp_and_missing_headers_are_401(
    client: TestClient, world: World
) -> None:
    secret = make_source(world, "web", "web")
    assert deliver(client, "wrong-secret", BODY).status_code == 401
    old = deliver(client, secret, BODY, ts=int(time.time()) - 301)
    assert old.status_code == 401 and "away from the server clock" in old.json()["error"]["message"]
    future = deliver(client, secret, BODY, ts=int(time.time()) + 400)
    assert future.status_code == 401
    r = client.post("/api/v1/webhooks/acme/web", json=BODY)
    assert r.status_code == 401 and r.json()["error"]["code"] == "webhook.signature"
    # a body changed after signing fails
    raw = orjson.dumps(BODY)
    ts = int(time.time())
    r = client.post(
        "/api/v1/webhooks/acme/web",
        content=raw.replace(b"W1", b"W2"),
        headers={
            "X-Cxloop-Timestamp": str(ts),
            "X-Cxloop-Signature": sign(secret, ts, raw),
            "X-Cxloop-Delivery": "d1",
        },
    )
    assert r.status_code == 401
    listed = client.get("/api/v1/batches", headers=world.headers()).json()
    assert listed == []


def test_replayed_delivery_id_has_no_effect(client: TestClient, world: World) -> None:
    secret = make_source(world, "web", "web")
    first = deliver(client, secret, BODY, delivery="abc").json()
    changed = {"entity": "customer", "records": [{"id": "W1", "full_name": "Changed"}]}
    again = deliver(client, secret, changed, delivery="abc").json()
    assert again["replayed"] is True and again["batch_id"] == first["batch_id"]
    hits = client.get("/api/v1/batches", headers=world.headers()).json()
    assert len(hits) == 1


def test_unknown_workspace_or_source_looks_like_a_bad_signature(
    client: TestClient, world: World
) -> None:
    secret = make_source(world, "web", "web")
    assert deliver(client, secret, BODY, path="/api/v1/webhooks/acme/nope").status_code == 401
    assert deliver(client, secret, BODY, path="/api/v1/webhooks/nope/web").status_code == 401


def test_malformed_signed_body_is_a_clear_422(client: TestClient, world: World) -> None:
    secret = make_source(world, "web", "web")
    r = deliver(client, secret, b"{not json")
    assert r.status_code == 422 and r.json()["error"]["code"] == "webhook.body"
    r = deliver(client, secret, {"entity": "spaceship", "records": []})
    assert r.status_code == 422


def test_rotated_secret_replaces_the_old_one(client: TestClient, world: World) -> None:
    old = make_source(world, "web", "web")
    new = client.post("/api/v1/sources/web/webhook-secret", headers=world.headers()).json()[
        "webhook_secret"
    ]
    assert deliver(client, old, BODY).status_code == 401
    assert deliver(client, new, BODY).status_code == 200
    # the secret never appears when reading the source
    assert new not in client.get("/api/v1/sources/web", headers=world.headers()).text


def test_a_timestamp_that_is_no_number_of_seconds_is_a_401(
    client: TestClient, world: World
) -> None:
    secret = make_source(world, "web", "web")
    raw = orjson.dumps(BODY)
    for stamp in ("9" * 400, "-" + "9" * 400, "9" * 5000, "²", "1²", "1e9", "0x10", " "):
        r = client.post(
            "/api/v1/webhooks/acme/web",
            content=raw,
            headers={
                "X-Cxloop-Timestamp": stamp.encode("latin-1"),  # as a server decodes headers
                "X-Cxloop-Signature": sign(secret, 0, raw),
                "X-Cxloop-Delivery": uuid.uuid4().hex,
            },
        )
        assert r.status_code == 401, (stamp[:10], r.text)
        assert r.json()["error"]["code"] == "webhook.signature"
    assert client.get("/api/v1/batches", headers=world.headers()).json() == []
