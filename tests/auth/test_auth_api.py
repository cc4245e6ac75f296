"""Authentication, roles, API keys and workspace isolation through the public API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import PASSWORD, World


def test_every_api_endpoint_requires_authentication(client: TestClient, world: World) -> None:
    for path in ("/api/v1/me", "/api/v1/sources", "/api/v1/customers?q=x", "/api/v1/batches"):
        r = client.get(path)
        assert r.status_code == 401, path
        body = r.json()
        assert body["error"]["code"] == "auth.required"
        assert r.headers["www-authenticate"] == "Bearer"


def test_wrong_or_revoked_api_key_is_refused(client: TestClient, world: World) -> None:
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer cxk_nope_nope"}).status_code
        == 401
    )
    key = world.keys["analyst"]
    tampered = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    )
    me = client.get("/api/v1/me", headers=world.headers("analyst")).json()
    assert me["role"] == "analyst" and me["workspace"] == "acme"
    keys = client.get("/api/v1/api-keys", headers=world.headers("analyst")).json()
    assert len(keys) == 1 and "key" not in keys[0] and "key_hash" not in keys[0]
    r = client.delete(f"/api/v1/api-keys/{keys[0]['id']}", headers=world.headers("analyst"))
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert client.get("/api/v1/me", headers=world.headers("analyst")).status_code == 401


def test_roles_limit_what_users_may_do(client: TestClient, world: World) -> None:
    new_user = {"email": "x@acme.example", "name": "X", "role": "agent", "password": PASSWORD}
    r = client.post("/api/v1/users", json=new_user, headers=world.headers("analyst"))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "auth.forbidden"
    r = client.post("/api/v1/users", json=new_user, headers=world.headers("admin"))
    assert r.status_code == 201, r.text
    assert "password" not in r.text and "hash" not in r.text
    r = client.post("/api/v1/users", json=new_user, headers=world.headers("admin"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "user.exists"


def test_validation_errors_have_the_one_error_shape(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/users", json={"email": "nope", "role": "king"}, headers=world.headers()
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "request.invalid"
    fields = {e["field"] for e in err["data"]["errors"]}
    assert {"email", "role", "name", "password"} <= fields


def test_new_api_key_is_shown_once_and_works(client: TestClient, world: World) -> None:
    r = client.post("/api/v1/api-keys", json={"name": "etl"}, headers=world.headers("agent"))
    assert r.status_code == 201
    secret = r.json()["key"]
    assert secret.startswith("cxk_")
    listed = client.get("/api/v1/api-keys", headers=world.headers("agent")).json()
    assert all(secret not in str(k) for k in listed)
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["role"]
        == "agent"
    )


def test_users_of_one_workspace_cannot_touch_another(
    client: TestClient, world: World, rival: World
) -> None:
    rival_user = rival.users["agent"]
    r = client.patch(f"/api/v1/users/{rival_user}", json={"role": "admin"}, headers=world.headers())
    assert r.status_code == 404
    listed = client.get("/api/v1/users", headers=world.headers()).json()
    assert {u["email"] for u in listed} == set(world.emails.values())
    keys = client.get("/api/v1/api-keys", headers=rival.headers()).json()
    mine = client.get("/api/v1/api-keys", headers=world.headers()).json()
    r = client.delete(f"/api/v1/api-keys/{keys[0]['id']}", headers=world.headers())
    assert r.status_code == 404
    assert {k["id"] for k in mine}.isdisjoint({k["id"] for k in keys})
