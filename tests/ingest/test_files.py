"""File uploads: encodings, dialects, ragged rows, huge fields, downloads of rejected rows."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core.db import unit_of_work
from cxloop.profiles.models import CustomerRecord
from tests.factories import World, make_source

HEADER = "id,full_name,email,phone,country\n"
ROWS = [
    "T1,王小明,ming@example.tw,0912 345 678,TW\n",
    "T2,สมหญิง รักดี,somying@example.th,02 123 4567,TH\n",
    "T3,Zoë O'Brien 😀,zoe@example.com,(415) 555-0100,US\n",
]


def upload(
    client: TestClient,
    world: World,
    data: bytes,
    name: str = "f.csv",
    entity: str = "customer",
    **form: str,
):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/sources/crm/files",
        files={"file": (name, data, "application/octet-stream")},
        data={"entity": entity, **form},
        headers=world.headers(),
    )


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),  # with BOM
        lambda s: s.encode("utf-16-le"),  # without BOM
        lambda s: s.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be"],
)
def test_encodings(client: TestClient, world: World, encode) -> None:  # type: ignore[no-untyped-def]
    make_source(world, "crm")
    r = upload(client, world, encode(HEADER + "".join(ROWS)))
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (3, 3, 0), rep
    found = client.get("/api/v1/batches", headers=world.headers()).json()[0]
    assert found["encoding"].startswith("utf")


def test_dialect_sniffing_semicolons_tabs_and_full_width(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    semi = 'id;full_name;phone;country\nS1;"Lee; Ann";０９１２３４５６７８;ｔｗ\n'
    rep = upload(client, world, semi.encode()).json()
    assert rep["accepted"] == 1, rep
    tabbed = "id\tfull_name\temail\nS2\tＡｌｉｃｅ\tＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ\n"
    rep = upload(client, world, tabbed.encode(), "t.tsv").json()
    assert rep["accepted"] == 1, rep
    hits = client.get("/api/v1/customers?q=alice@example.com", headers=world.headers()).status_code
    assert hits == 200


def test_ragged_rows_are_rejected_with_their_line(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    data = HEADER + ROWS[0] + "T9,too,many,fields,here,and,more\n" + "T10,short\n" + ROWS[1]
    rep = upload(client, world, data.encode()).json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (4, 2, 2)
    lines = {e["line"]: e["errors"][0]["reason"] for e in rep["errors"]}
    assert lines == {
        3: "has 7 fields but the header has 5",
        4: "has 2 fields but the header has 5",
    }


def test_multiline_quoted_field_keeps_line_numbers(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    data = HEADER + 'M1,"two\nlines",bad-email,,TW\n' + "M2,x,,notaphone,TW\n"
    rep = upload(client, world, data.encode()).json()
    assert {e["line"] for e in rep["errors"]} == {2, 4}


def test_invalid_bytes_reject_only_their_row_and_name_the_byte(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    data = (HEADER + ROWS[0]).encode() + b"L1,Caf\xe9 Owner,cafe@example.com,,US\n"
    rep = upload(client, world, data).json()
    assert (rep["accepted"], rep["rejected"]) == (1, 1)
    err = rep["errors"][0]
    assert err["line"] == 3
    assert err["errors"][0]["field"] == "full_name"
    assert "0xE9" in err["errors"][0]["reason"]


def test_legacy_encoding_can_be_declared(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    data = (HEADER + ROWS[0]).encode("big5")
    rep = upload(client, world, data, encoding="big5").json()
    assert rep["accepted"] == 1, rep


def test_one_megabyte_field_and_formula_injection(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    big = "x" * (1024 * 1024)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "full_name", "email", "notes"])
    w.writerow(["F1", '=HYPERLINK("http://evil.example","click")', "f1@example.com", "ok"])
    w.writerow(["F2", "Big Notes", "f2@example.com", big])
    w.writerow(["F3", "Robert'); DROP TABLE customers;--", "f3@example.com", "+SUM(A1)"])
    rep = upload(client, world, buf.getvalue().encode()).json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (3, 2, 1), rep
    assert rep["errors"][0]["line"] == 3
    assert "too long" in rep["errors"][0]["errors"][0]["reason"]
    # the rejected rows download is safe to open in a spreadsheet
    csv_text = client.get(
        f"/api/v1/batches/{rep['batch_id']}/rejected.csv", headers=world.headers()
    ).text
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0][-2:] == ["_line", "_errors"]
    # and a formula-looking value from a rejected row would be neutralised
    from cxloop.profiles.ingest.exports import spreadsheet_safe

    assert spreadsheet_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert spreadsheet_safe("+SUM(A1)") == "'+SUM(A1)"
    assert spreadsheet_safe("plain") == "plain"


def test_rejected_rows_download_and_resubmit(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    data = HEADER + ROWS[0] + "R2,Fix Me,fix-me-at-example.com,,US\n"
    rep = upload(client, world, data.encode()).json()
    assert rep["rejected"] == 1
    jl = client.get(f"/api/v1/batches/{rep['batch_id']}/rejected.jsonl", headers=world.headers())
    row = orjson.loads(jl.content.splitlines()[0])
    assert row["id"] == "R2" and row["_line"] == 3 and "email" in row["_errors"]
    # fix and re-upload the downloaded file as is, after correcting the value
    row["email"] = "fix-me@example.com"
    rep2 = upload(client, world, orjson.dumps(row) + b"\n", "fixed.jsonl").json()
    assert (rep2["accepted"], rep2["rejected"]) == (1, 0), rep2
    # or re-submit one rejected record through the API with a correction
    rej = client.get(
        f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers()
    ).json()[0]
    bad = client.post(f"/api/v1/rejected/{rej['id']}/resubmit", headers=world.headers())
    assert bad.json()["rejected"] == 1  # unchanged, still invalid
    fixed = client.post(
        f"/api/v1/rejected/{rej['id']}/resubmit",
        json={"id": "R2", "full_name": "Fix Me", "email": "fixed@example.com"},
        headers=world.headers(),
    ).json()
    assert fixed["accepted"] == 1
    left = client.get(f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers())
    assert left.headers["x-total-count"] == "0"


def test_jsonl_with_broken_lines(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    data = (
        b'{"id": "J1", "full_name": "A"}\n\n{"id": "J2", broken\n[1,2]\n'
        b'{"id": "J3", "email": "j3@example.com"}\n'
    )
    rep = upload(client, world, data, "x.jsonl").json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (4, 2, 2)
    assert {e["line"] for e in rep["errors"]} == {3, 4}


def test_duplicate_header_is_a_file_error(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    r = upload(client, world, b"id,email,email\n1,a@b.co,c@d.co\n")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "ingest.file"
    assert "both named 'email'" in r.json()["error"]["message"]


def test_fields_beyond_the_csv_field_limit_are_read_and_an_unclosed_quote_costs_its_row(
    client: TestClient, world: World
) -> None:
    # the csv module stops at its field size limit; such a row is read again by our own scanner
    make_source(world, "crm")
    old = csv.field_size_limit(1000)
    try:
        data = (
            "id,full_name,notes\n"
            + "Q1,Ann,short\n"
            + 'Q2,Bo,"'
            + ("y" * 5000)
            + '"\n'  # properly quoted, past the limit
            + 'Q3,"never closed,'
            + ("y" * 5000)
            + "\n"  # line 4
            + "Q4,Cy,short\n"
        )
        rep = upload(client, world, data.encode()).json()
    finally:
        csv.field_size_limit(old)
    assert rep["status"] == "done" and rep["file_error"] is None, rep
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (4, 3, 1), rep
    assert rep["errors"][0]["line"] == 4
    assert "never closed" in rep["errors"][0]["errors"][0]["reason"]


def test_file_upload_over_the_limit_is_413(client: TestClient, world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cxloop.api.app import create_app
    from cxloop.core import config

    monkeypatch.setenv("CXLOOP_MAX_UPLOAD_BYTES", "1000")
    config.get_settings.cache_clear()
    make_source(world, "crm")
    with TestClient(create_app()) as small:
        r = small.post(
            "/api/v1/sources/crm/files",
            files={"file": ("f.csv", b"id\n" + b"1\n" * 2000, "text/csv")},
            data={"entity": "customer"},
            headers=world.headers(),
        )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "request.too_large"


def test_a_downloaded_rejected_file_fixed_in_place_uploads_again(
    client: TestClient, world: World
) -> None:
    # the download escapes cells that start like a formula ('+886…); sent back, the escape goes
    make_source(world, "crm")
    data = (
        "external_id,full_name,email,phone,country,notes\n"
        "P1,Wang Da,not-an-email,+886 912 000 111,TW,-5 points\n"
        "P2,Lee Er,also-bad,+886 912 000 222,TW,@home\n"
    )
    rep = upload(client, world, data.encode()).json()
    assert rep["rejected"] == 2, rep
    got = client.get(f"/api/v1/batches/{rep['batch_id']}/rejected.csv", headers=world.headers())
    assert "'+886 912 000 111" in got.text  # safe to open in a spreadsheet
    fixed = got.text.replace("not-an-email", "wang@example.com").replace(
        "also-bad", "lee@example.com"
    )
    again = upload(client, world, fixed.encode()).json()
    assert (again["accepted"], again["rejected"]) == (2, 0), again
    with unit_of_work(write=False) as s:
        rows = s.execute(select(CustomerRecord.external_id, CustomerRecord.payload)).all()
    payloads: dict[str, Any] = {r[0]: r[1] for r in rows}
    assert payloads["P1"]["phone"] == "+886 912 000 111" and payloads["P1"]["notes"] == "-5 points"
    assert payloads["P2"]["notes"] == "@home"


def test_a_retry_while_the_upload_is_still_being_stored_is_a_409(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from cxloop.profiles.ingest import pipeline

    make_source(world, "crm")
    started, release = threading.Event(), threading.Event()
    real = pipeline.ingest

    def slow(session: Any, *args: Any, **kwargs: Any) -> None:
        session.commit()  # as between two chunks: the writer lock is free for the retry
        started.set()
        assert release.wait(30)
        real(session, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest", slow)
    data = (HEADER + "".join(ROWS)).encode()
    first: list[Any] = []
    worker = threading.Thread(
        target=lambda: first.append(upload(client, world, data, idempotency_key="slow"))
    )
    worker.start()
    try:
        assert started.wait(30)
        retry = upload(client, world, data, idempotency_key="slow")
        assert retry.status_code == 409, retry.text
        assert retry.json()["error"]["code"] == "batch.in_progress"
    finally:
        release.set()
        worker.join(60)
    rep = first[0].json()
    assert (rep["status"], rep["received"], rep["accepted"]) == ("done", 3, 3), rep
    # once finished, the same key answers with the first report
    again = upload(client, world, data, idempotency_key="slow").json()
    assert again["replayed"] and (again["batch_id"], again["accepted"]) == (rep["batch_id"], 3)


def test_json_lines_integers_beyond_64_bits_are_rejected_not_rounded(
    client: TestClient, world: World
) -> None:
    # the JSON parser reads such a number as a float: taken as written, the id would be stored
    # rounded as "1.8446744073709552e+19" and two customers could share it
    make_source(world, "crm")
    big = 2**64
    lines = [
        f'{{"external_id": {big}, "full_name": "Big Id"}}',
        f'{{"external_id": "J-2", "full_name": "Big Extra", "meta": {-big}}}',
        f'{{"external_id": "J-3", "full_name": "Nested", "notes": {{"n": [1, {big}]}}}}',
        f'{{"external_id": "J-4", "full_name": "Id As Text", "meta": "{big}", "x": 1.5e3}}',
        '{"external_id": "J-5", "full_name": "Float", "score": 9.5e17}',
    ]
    r = upload(client, world, "\n".join(lines).encode(), "f.jsonl")
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (5, 2, 3), rep["errors"]
    errors = {e["line"]: e["errors"][0] for e in rep["errors"]}
    assert errors[1]["field"] == "external_id" and "64-bit" in errors[1]["reason"]
    assert errors[2]["field"] == "meta" and "64-bit" in errors[2]["reason"]
    assert errors[3]["field"] == "notes" and "64-bit" in errors[3]["reason"]
    with unit_of_work(write=False) as s:
        stored = {r.external_id for r in s.scalars(select(CustomerRecord))}
    assert stored == {"J-4", "J-5"}
