"""A NUL character anywhere in a request is a 422 naming where it was, never a server error.

PostgreSQL cannot store U+0000 in text, so these run on both lanes with the same answers.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import World, make_source, post_records
from tests.web.test_pages import login


def _refused(response, field: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    fields = [e["field"] for e in body["data"]["errors"]]
    assert field in fields, body
    assert "NUL" in body["message"]


def test_json_fields_name_the_field(client: TestClient, world: World) -> None:
    r = client.post("/api/v1/api-keys", json={"name": "\x00"}, headers=world.headers())
    _refused(r, "name")
    r = client.post(
        "/api/v1/sources",
        json={"name": "crm", "kind": "crm", "field_mapping": {"customer": {"Name\x00": "x"}}},
        headers=world.headers(),
    )
    assert r.status_code == 422 and "NUL" in r.text, r.text
    r = client.put(
        "/api/v1/identity/settings",
        json={"unique_sources": ["billing\x00"]},
        headers=world.headers(),
    )
    _refused(r, "unique_sources.0")
    # nothing was created by the refused requests
    keys = client.get("/api/v1/api-keys", headers=world.headers()).json()
    assert all("\x00" not in k["name"] for k in keys)


def test_query_and_path_are_checked(client: TestClient, world: World) -> None:
    _refused(client.get("/api/v1/customers/search?q=a%00b", headers=world.headers()), "query.q")
    _refused(client.get("/api/v1/sources/cr%00m", headers=world.headers()), "path")


def test_form_fields_are_checked_but_file_rows_are_rejected_one_by_one(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    r = client.post(
        "/api/v1/sources/crm/files",
        files={"file": ("f.csv", b"id,full_name\nN1,Ann\n", "text/csv")},
        data={"entity": "customer", "idempotency_key": "k\x00"},
        headers=world.headers(),
    )
    _refused(r, "form.idempotency_key")
    # a NUL inside the file only costs its own row
    r = client.post(
        "/api/v1/sources/crm/files",
        files={"file": ("f.csv", b"id,full_name\nN1,Ann\nN2,B\x00b\n", "text/csv")},
        data={"entity": "customer"},
        headers=world.headers(),
    )
    assert r.status_code in (200, 201), r.text
    report = r.json()
    assert (report["accepted"], report["rejected"]) == (1, 1), report
    # and the same in a REST batch
    r = post_records(client, world, "crm", "customer", [{"id": "N3", "full_name": "C\x00"}])
    assert r.json()["rejected"] == 1, r.text


def test_web_forms_are_checked(client: TestClient, world: World) -> None:
    token = login(client, world)
    r = client.post(
        "/settings/api-keys",
        data={"name": "laptop\x00", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    assert "NUL" in r.text
