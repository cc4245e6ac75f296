"""A file sent in a form field that takes text is a 422 naming the field, never stored as text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import World, make_source
from tests.web.test_pages import login

FILE = ("x.txt", b"hello", "text/plain")


def _refused(response, field: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert f"{field}: is a file, but this field takes text" in response.text, response.text


def test_pages_refuse_a_file_for_a_text_field(client: TestClient, world: World) -> None:
    csrf = login(client, world)
    r = client.post("/surveys", data={"csrf_token": csrf}, files={"name": FILE})
    _refused(r, "form.name")
    r = client.post("/audiences", data={"csrf_token": csrf, "action": "save"}, files={"name": FILE})
    _refused(r, "form.name")
    assert client.get("/api/v1/surveys", headers=world.headers()).json() == []
    assert client.get("/api/v1/segments", headers=world.headers()).json() == []
    # the same forms with text work (multipart as well as URL-encoded)
    r = client.post(
        "/surveys", data={"csrf_token": csrf}, files={"name": (None, b"Visit")},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    [survey] = client.get("/api/v1/surveys", headers=world.headers()).json()
    assert survey["name"] == "Visit"


def test_api_forms_take_files_only_where_they_are_declared(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    url = "/api/v1/sources/crm/files"
    csv = ("f.csv", b"id,full_name\nN1,Ann\n", "text/csv")
    r = client.post(url, files={"file": csv, "entity": FILE}, headers=world.headers())
    _refused(r, "form.entity")
    r = client.post(url, files={"file": csv}, data={"entity": "customer"}, headers=world.headers())
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text


def test_a_file_name_must_be_storable_text(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    for filename, reason in [(b"+2AA-.csv", "surrogate (\\ud800)"), (b"+AAA-.csv", "NUL")]:
        body = (
            b'--B\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncustomer\r\n'
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            b"Content-Type: text/csv\r\n\r\nid,full_name\nN1,Ann\n\r\n--B--\r\n"
        )
        r = client.post(
            "/api/v1/sources/crm/files",
            content=body,
            headers={
                **world.headers(),
                "content-type": "multipart/form-data; boundary=B; charset=utf-7",
            },
        )
        assert r.status_code == 422, r.text
        message = r.json()["error"]["message"]
        assert message.startswith("form.file: its file name contains") and reason in message
    batches = client.get("/api/v1/batches", headers=world.headers())
    assert batches.status_code == 200 and batches.json() == [], batches.text
