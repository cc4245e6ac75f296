"""Files that cannot be read as they are: a wrong encoding, broken bytes, odd CSV quoting.

Never a server error: a declared encoding that is not one is a 422 naming the field, bytes that
cannot be decoded cost only their row (named line, field and byte), a header that cannot be read
is a file error naming the column, and a file that cannot be read to its end ends its batch as
failed with the reason, keeping what was read before (accepted + rejected = received).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
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


BROKEN_UNITS = {
    "utf16-lone-surrogate": ("utf-16-le", b"\x00\xd8", "0x00 0xD8"),
    "utf16-odd-byte": ("utf-16-be", b"\x41", "0x41"),
    "utf32-beyond-unicode": ("utf-32-le", b"\x00\x00\x11\x00", "0x00 0x00 0x11 0x00"),
}


@pytest.mark.parametrize(
    ("case", "bom"),
    # with and without a byte-order mark (UTF-32 is recognised by its mark only)
    [(case, bom) for case in BROKEN_UNITS for bom in (True, False) if bom or "16" in case],
)
def test_broken_utf16_and_utf32_cost_only_their_row(
    client: TestClient, world: World, case: str, bom: bool
) -> None:
    codec, bad, named = BROKEN_UNITS[case]
    make_source(world, "crm")
    mark = "\ufeff".encode(codec) if bom else b""
    data = mark + (HEADER + "B1,Ann\n" + "B2,Bo").encode(codec) + bad + "b\nB3,Cy\n".encode(codec)
    if case == "utf16-odd-byte":  # a byte too many at the very end of the file
        data = mark + (HEADER + "B1,Ann\nB2,Bob").encode(codec) + bad
    r = upload(client, world, data)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["status"] == "done" and rep["file_error"] is None, rep
    assert rep["accepted"] + rep["rejected"] == rep["received"]
    [error] = rep["errors"]
    assert error["line"] == 3
    reason = error["errors"][0]["reason"]
    assert named in reason and "not valid in the file's encoding" in reason, reason
    stored = client.get(f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers())
    assert [r["line"] for r in stored.json()] == [3]
    assert "\\x" in stored.json()[0]["raw"]  # the bytes are kept, shown as \xNN


def test_a_large_utf16_file_with_a_broken_row_late_in_it_is_read_to_its_end(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    broken = b"\x00\xd8"  # a lone surrogate at the start of line 2402 (the header is line 1)
    data = (HEADER + rows(2400)).encode("utf-16-le") + broken + rows(100, 2401).encode("utf-16-le")
    rep = upload(client, world, data).json()
    assert rep["status"] == "done", rep
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (2500, 2499, 1), rep
    assert rep["errors"][0]["line"] == 2402
    [batch] = batches(client, world)
    assert (batch["status"], batch["received"], batch["accepted"]) == ("done", 2500, 2499)


@pytest.mark.parametrize(
    "data",
    [b"external_id,\xff\nx1,a\n", b"external_id,full\x00name\nx1,a\n"],
    ids=["bad-byte", "nul"],
)
def test_a_header_that_cannot_be_read_is_a_file_error_naming_the_column(
    client: TestClient, world: World, data: bytes
) -> None:
    make_source(world, "crm")
    r = upload(client, world, data)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "ingest.file"
    assert error["data"]["line"] == 1
    assert "column 2" in error["message"]


def test_a_bad_byte_in_the_external_id_rejects_the_row_naming_the_field(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    rep = upload(client, world, b"external_id,full_name\n\xff,a\nok,b\n").json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (2, 1, 1), rep
    [error] = rep["errors"]
    assert error["line"] == 2 and error["external_id"] == "\\xff"
    assert error["errors"][0]["field"] == "external_id"
    assert "0xFF" in error["errors"][0]["reason"]
    listed = client.get(f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers())
    assert listed.json()[0]["external_id"] == "\\xff"


def test_field_names_and_ids_that_cannot_be_stored_reject_their_row_by_name(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    data = (
        b'{"external_id": "j1", "full_name": "A", "a\\u0000b": "y"}\n'
        b'{"external_id": "j\\u0000", "full_name": "B"}\n'
        b'{"external_id": "j3", "full_name": "C"}\n'
    )
    r = client.post(
        "/api/v1/sources/crm/files",
        files={"file": ("f.jsonl", data, "application/x-ndjson")},
        data={"entity": "customer"},
        headers=world.headers(),
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (3, 1, 2), rep
    assert [(e["line"], e["errors"][0]["field"]) for e in rep["errors"]] == [
        (1, "a\\x00b"),
        (2, "external_id"),
    ]
    assert rep["errors"][1]["external_id"] == "j\\x00"
    listed = client.get(f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers())
    assert [row["external_id"] for row in listed.json()] == ["j1", "j\\x00"]


class _Failing(codecs.IncrementalDecoder):
    """Decodes ASCII, then fails past its first 70,000 bytes, as a broken decoder would."""

    seen = 0

    def decode(self, data: bytes, final: bool = False) -> str:  # type: ignore[override]
        self.seen += len(data)
        if self.seen > 70_000:
            raise UnicodeDecodeError("test-failing", bytes(data), 0, 1, "broken decoder")
        return bytes(data).decode("ascii")


def _failing_codec(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") != "test_failing":
        return None
    ascii_codec = codecs.lookup("ascii")
    return codecs.CodecInfo(
        ascii_codec.encode,
        ascii_codec.decode,
        name="test-failing",
        incrementalencoder=ascii_codec.incrementalencoder,
        incrementaldecoder=_Failing,
    )


@pytest.fixture
def failing_codec() -> Iterator[None]:
    """A codec whose decoder fails mid-file (none of the standard ones does any more)."""
    codecs.register(_failing_codec)
    yield
    codecs.unregister(_failing_codec)


def test_a_file_failing_mid_way_ends_failed_with_its_reason_and_keeps_what_was_read(
    client: TestClient, world: World, failing_codec: None
) -> None:
    make_source(world, "crm")
    r = upload(client, world, (HEADER + rows(8000)).encode(), encoding="test-failing")
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["status"] == "failed", rep
    assert "cannot be decoded" in rep["file_error"] and "broken decoder" in rep["file_error"]
    assert 2000 < rep["received"] < 8000  # what was read before: the first chunk and more
    assert rep["accepted"] + rep["rejected"] == rep["received"]
    [batch] = batches(client, world)
    assert batch["status"] == "failed" and batch["error"] == rep["file_error"]
    assert (batch["received"], batch["accepted"]) == (rep["received"], rep["accepted"])
    assert batch["finished_at"] is not None
    # sent again in a working encoding: what was stored is found unchanged, the rest is added
    again = upload(client, world, (HEADER + rows(8000)).encode()).json()
    assert (again["unchanged"], again["created"]) == (rep["accepted"], 8000 - rep["accepted"])
