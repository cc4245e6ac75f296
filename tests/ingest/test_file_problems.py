"""Files that cannot be read as they are: a wrong encoding, broken bytes, odd CSV quoting.

Never a server error: a declared encoding that is not one is a 422 naming the field, bytes that
cannot be decoded cost only their row (named line, field and byte), a header that cannot be read
is a file error naming the column, and a file that cannot be read to its end ends its batch as
failed with the reason, keeping what was read before (accepted + rejected = received).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import World, make_source
from tests.web.test_pages import login

HEADER = "external_id,full_name\n"


def upload(client: TestClient, world: World, data: bytes, **form: str) -> Any:
    return client.post(
        "/api/v1/sources/crm/files",
        files={"file": ("f.csv", data, "application/octet-stream")},
        data={"entity": "customer", **form},
        headers=world.headers(),
    )


def batches(client: TestClient, world: World) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = client.get("/api/v1/batches", headers=world.headers()).json()
    return out


def rows(n: int, start: int = 1) -> str:
    return "".join(f"X{i},Person {i}\n" for i in range(start, start + n))


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        (b'external_id;full_name\nx1;Ann "Jo" Lee\nx2;Bo\n', 2),  # a quote in a plain field
        (b'a;b"\n1;2"\n', 0),  # no id column: rejected, not a crash
    ],
)
def test_csv_quoting_the_writer_would_not_repeat_is_read(
    client: TestClient, world: World, data: bytes, accepted: int
) -> None:
    make_source(world, "crm")
    r = upload(client, world, data)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["status"] == "done", rep
    assert rep["accepted"] == accepted and rep["accepted"] + rep["rejected"] == rep["received"]


NOT_TEXT_ENCODINGS = [
    *("base64", "hex", "rot13", "zlib", "bz2", "uu", "quopri"),  # bytes to bytes
    *("undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape"),  # not for files
    "no-such-codec",
]


@pytest.mark.parametrize("encoding", NOT_TEXT_ENCODINGS)
def test_an_encoding_that_is_not_a_text_encoding_is_a_422_naming_the_field(
    client: TestClient, world: World, encoding: str
) -> None:
    make_source(world, "crm")
    r = upload(client, world, (HEADER + rows(1)).encode(), encoding=encoding)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "ingest.invalid"
    assert error["data"]["field"] == "encoding"
    assert repr(encoding) in error["message"]
    assert batches(client, world) == []  # the refused upload left no batch behind


def test_the_web_upload_refuses_such_an_encoding_too(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    token = login(client, world)
    r = client.post(
        "/sources/crm/upload",
        data={"entity": "customer", "csrf_token": token, "encoding": "base64"},
        files={"file": ("people.csv", (HEADER + rows(1)).encode(), "text/csv")},
    )
    assert r.status_code == 422, r.text
    assert "not a text encoding" in r.text


@pytest.mark.parametrize(
    ("declared", "codec", "read_as"),
    [
        ("utf-16", "utf-16", "utf-16-le"),  # with its byte-order mark
        ("utf-16", "utf-16-le", "utf-16-le"),  # without: the byte order is read from the text
        ("UTF16", "utf-16-be", "utf-16-be"),
        ("utf-32", "utf-32", "utf-32-le"),
        ("utf-32", "utf-32-le", "utf-32-le"),
        ("utf_32", "utf-32-be", "utf-32-be"),
        ("utf-8-sig", "utf-8-sig", "utf-8"),
        ("windows-1252", "cp1252", "cp1252"),
    ],
)
def test_unicode_encodings_are_read_with_or_without_a_byte_order_mark(
    client: TestClient, world: World, declared: str, codec: str, read_as: str
) -> None:
    make_source(world, "crm")
    text = HEADER + rows(2) + "X3,Zoë Ång\n"
    r = upload(client, world, text.encode(codec), encoding=declared)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (3, 3, 0), rep
    assert batches(client, world)[0]["encoding"] == read_as


def test_utf16_without_a_byte_order_the_text_shows_is_a_422(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    # a header alone, no ASCII at all: nothing in the bytes tells the byte order
    r = upload(client, world, "編號，姓名".encode("utf-16-le"), encoding="utf-16")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["data"]["field"] == "encoding"
    assert "utf-16-le" in r.json()["error"]["message"]
