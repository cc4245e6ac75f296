"""A lone UTF-16 surrogate anywhere in a request is a 422 naming where it was.

Python's JSON parser turns ``"\\ud800"`` into a string no encoder accepts, so such a value, once
stored, made every later read of it a server error.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import World, make_source, post_records
from tests.surveys.helpers import create_survey, make_customer, personal_link
from tests.web.test_pages import login

LONE = "contains an unpaired UTF-16 surrogate"


def _refused(response: Any, field: str, escape: str = "\\ud800") -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]  # the answer itself is valid JSON
    assert error["code"] == "request.invalid"
    [detail] = error["data"]["errors"]
    assert (detail["field"], detail["in"]) == (field, "body"), detail
    assert LONE in detail["reason"] and f"({escape})" in detail["reason"], detail
    assert error["message"] == f"{field}: {detail['reason']}"


def test_a_stored_value_cannot_poison_later_reads(client: TestClient, world: World) -> None:
    body = b'{"name": "p1", "filters": {"tiers": ["gold", "\\ud800"]}}'
    r = client.post("/api/v1/segments", content=body, headers=_json(world))
    _refused(r, "filters.tiers.1")
    listed = client.get("/api/v1/segments", headers=world.headers())
    assert listed.status_code == 200 and listed.json() == []


def test_paired_surrogates_are_one_character_and_accepted(client: TestClient, world: World) -> None:
    body = b'{"name": "\\ud83d\\ude00 fans", "filters": {"tiers": ["\\uD83D\\uDE00"]}}'
    r = client.post("/api/v1/segments", content=body, headers=_json(world))
    assert r.status_code == 201, r.text
    [seg] = client.get("/api/v1/segments", headers=world.headers()).json()
    assert seg["name"] == "\U0001f600 fans" and seg["filters"]["tiers"] == ["\U0001f600"]


@pytest.mark.parametrize(
    ("text", "escape"),
    [
        (b"\\udfff", "\\udfff"),  # a trail surrogate on its own
        (b"\\ud83d", "\\ud83d"),  # a lead surrogate at the end of the string
        (b"\\ude00\\ud83d", "\\ude00"),  # the pair in the wrong order
        (b"\\ud83d x", "\\ud83d"),
        (b"\xed\xa0\x80", "\\ud800"),  # the surrogate encoded as UTF-8 bytes (CESU-8)
    ],
)
def test_every_form_of_a_lone_surrogate_is_refused(
    client: TestClient, world: World, text: bytes, escape: str
) -> None:
    body = b'{"name": "a' + text + b'", "filters": {}}'
    _refused(client.post("/api/v1/segments", content=body, headers=_json(world)), "name", escape)


def test_utf16_bodies_are_checked_too(client: TestClient, world: World) -> None:
    text = '{"name": "\ud800", "filters": {}}'.encode("utf-16-le", "surrogatepass")
    _refused(client.post("/api/v1/segments", content=text, headers=_json(world)), "name")


def test_object_keys_are_checked_and_named_without_the_surrogate(
    client: TestClient, world: World
) -> None:
    body = b'{"name": "crm", "kind": "crm", "field_mapping": {"customer": {"Na\\udc00me": "x"}}}'
    r = client.post("/api/v1/sources", content=body, headers=_json(world))
    _refused(r, "field_mapping.customer.Na\\udc00me", "\\udc00")
    assert client.get("/api/v1/sources", headers=world.headers()).json() == []


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("put", "/api/v1/identity/settings", {"unique_sources": ["\ud800"]}, "unique_sources.0"),
        ("post", "/api/v1/segments/preview", {"tiers": ["\ud800"]}, "tiers.0"),
        ("patch", "/api/v1/users/{agent}", {"name": "Bill\ud800"}, "name"),
        ("post", "/api/v1/widget/keys", {"name": "\ud800", "surveys": []}, "name"),
    ],
)
def test_api_bodies_are_checked_before_anything_else(
    client: TestClient, world: World, method: str, path: str, body: Any, field: str
) -> None:
    url = path.format(agent=world.users["agent"])
    _refused(client.request(method, url, content=_dumps(body), headers=_json(world)), field)


def test_ingest_records_are_checked(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    for records, extra, field in [
        ([{"id": "\ud800", "full_name": "Ann"}], {}, "records.0.id"),
        ([{"id": "N1", "full\ud800": "Ann"}], {}, "records.0.full\\ud800"),
        ([{"id": "N1", "full_name": "Ann"}], {"idempotency_key": "k\ud800"}, "idempotency_key"),
    ]:
        body = {"entity": "customer", "records": records, **extra}
        r = client.post("/api/v1/sources/crm/records", content=_dumps(body), headers=_json(world))
        _refused(r, field)
    assert post_records(client, world, "crm", "customer", [{"id": "N1"}]).status_code == 200


def test_a_whole_body_that_is_a_lone_surrogate(client: TestClient, world: World) -> None:
    r = client.put("/api/v1/identity/settings", content=b'"\\ud800"', headers=_json(world))
    _refused(r, "body")


def test_public_respond_is_checked(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    link = personal_link(client, world, survey["id"], make_customer(client, world))
    body = {"token": link["token"], "answers": {"nps": 9, "channel": "phone", "why_low": "\ud800"}}
    r = client.post(
        "/api/v1/respond", content=_dumps(body), headers={"content-type": "application/json"}
    )
    _refused(r, "answers.why_low")


def test_widget_answers_refuse_them_with_cors(client: TestClient, world: World) -> None:
    """The widget's endpoint parses its own body; it must still refuse, and say why to the page."""
    from tests.surveys.test_widget_api import SHOP, URL, answer, make_key, nps_survey

    survey = nps_survey(client, world)
    key = make_key(client, world, [survey["id"]])
    body = _dumps(answer(key, survey, comment="ok \ud800"))
    for ctype in ("application/json", "text/plain"):
        r = client.post(URL, content=body, headers={"Origin": SHOP, "content-type": ctype})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "request.invalid"
        assert r.headers["access-control-allow-origin"] == SHOP


def test_form_fields_cannot_smuggle_one(client: TestClient, world: World) -> None:
    csrf = login(client, world)
    # URL-encoded forms are decoded as UTF-8 with replacement: the bytes of a surrogate are
    # three replacement characters, which are valid text
    r = client.post(
        "/surveys",
        content=f"csrf_token={csrf}&name=A%ED%A0%80".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert client.get("/surveys").status_code == 200
    [survey] = client.get("/api/v1/surveys", headers=world.headers()).json()
    assert survey["name"] == "A\ufffd\ufffd\ufffd"
    # a multipart form names its charset, and UTF-7 can spell a lone surrogate
    for charset, text in [("utf-7", b"+2AA-"), ("unicode_escape", b"\\ud800")]:
        r = client.post("/surveys", content=_multipart(csrf, text), headers=_boundary(charset))
        assert r.status_code == 422, r.text
        assert "form.name" in r.text and LONE in r.text
    assert client.get("/surveys").status_code == 200
    assert len(client.get("/api/v1/surveys", headers=world.headers()).json()) == 1


def test_respondent_pages_cannot_be_sent_one(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    link = personal_link(client, world, survey["id"], make_customer(client, world))
    body = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="' + key + b'"\r\n\r\n' + value + b"\r\n"
        for key, value in [(b"q", b"comment"), (b"answer", b"+2AA-")]
    )
    headers = {"content-type": "multipart/form-data; boundary=B; charset=utf-7"}
    r = client.post(link["path"], content=body + b"--B--\r\n", headers=headers)
    assert r.status_code == 422, r.text
    assert "form.answer" in r.text and LONE in r.text
    answered = client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers())
    assert answered.status_code == 200 and answered.json() == []


def _json(world: World) -> dict[str, str]:
    return {**world.headers(), "content-type": "application/json"}


def _dumps(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()  # escapes every non-ASCII character, surrogates included


def _multipart(csrf: str, name: bytes) -> bytes:
    parts = [(b"csrf_token", csrf.encode()), (b"name", name)]
    out = b"".join(
        b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"" + key + b'"\r\n\r\n' + value
        + b"\r\n"
        for key, value in parts
    )  # fmt: skip
    return out + b"--BOUNDARY--\r\n"


def _boundary(charset: str) -> dict[str, str]:
    return {"content-type": f"multipart/form-data; boundary=BOUNDARY; charset={charset}"}
