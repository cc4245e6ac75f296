"""REST batches: validation per row, lineage, idempotency, versions, limits."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cxloop.core.db import unit_of_work
from cxloop.journeys import queries as _journeys  # noqa: F401  (models registered)
from cxloop.profiles.ingest.models import RawRecord
from cxloop.profiles.models import CustomerRecord
from tests.factories import World, make_source, post_records

GOOD = {
    "id": "C-1",
    "full_name": "陳大文",
    "email": "TaiMan.Chan@Example.com",
    "phone": "0912-345-678",
    "country": "TW",
    "birth_date": "1980-03-04",
}


def test_batch_reports_accepted_and_rejected_with_line_field_and_reason(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    records = [
        GOOD,
        {"id": "C-2", "full_name": "Somchai", "email": "not-an-email"},
        {"id": "C-3", "phone": "123", "country": "TH"},
        {"id": "C-4", "full_name": "สมชาย ใจดี", "phone": "081 234 5678", "country": "TH"},
        ["not", "an", "object"],
        {"full_name": "no id"},
        {"id": "C-7", "full_name": "x", "birth_date": "31/31/2020"},
    ]
    r = post_records(client, world, "crm", "customer", records)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["received"] == 7
    assert rep["accepted"] == 2
    assert rep["rejected"] == 5
    assert rep["accepted"] + rep["rejected"] == rep["received"]
    by_line = {e["line"]: e for e in rep["errors"]}
    assert by_line[2]["errors"] == [
        {"field": "emails", "reason": "'not-an-email' is not an email address"}
    ]
    assert by_line[3]["errors"][0]["field"] == "phones"
    assert "TH" in by_line[3]["errors"][0]["reason"]
    assert by_line[5]["errors"][0]["reason"] == "must be a JSON object"
    assert by_line[6]["errors"] == [{"field": "external_id", "reason": "is required"}]
    assert by_line[7]["errors"][0]["field"] == "birth_date"
    listed = client.get(f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers())
    assert listed.headers["x-total-count"] == "5"
    assert {row["line"] for row in listed.json()} == {2, 3, 5, 6, 7}


def test_resending_the_same_record_changes_nothing_and_any_other_content_is_a_new_version(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    first = post_records(client, world, "crm", "customer", [GOOD]).json()
    assert (first["created"], first["unchanged"]) == (1, 0)
    again = post_records(client, world, "crm", "customer", [dict(GOOD)]).json()
    assert (again["accepted"], again["created"], again["updated"], again["unchanged"]) == (
        1,
        0,
        0,
        1,
    )
    # same content in another shape (CSV-ish strings, other key order) is still the same record
    reshaped = {k: GOOD[k] for k in reversed(list(GOOD))}
    assert post_records(client, world, "crm", "customer", [reshaped]).json()["unchanged"] == 1
    moved = dict(GOOD, phone="+886 933 111 222")
    upd = post_records(client, world, "crm", "customer", [moved]).json()
    assert (upd["created"], upd["updated"]) == (0, 1)
    with unit_of_work(write=False) as s:
        kept = s.execute(
            select(RawRecord.version, RawRecord.payload, RawRecord.content_hash).where(
                RawRecord.external_id == "C-1"
            )
        ).all()
        current = s.execute(
            select(
                CustomerRecord.version, CustomerRecord.payload, CustomerRecord.content_hash
            ).where(CustomerRecord.external_id == "C-1")
        ).all()
    # every version is kept, exactly as received: the superseded one in raw_records, the current
    # one in its projection row
    assert [tuple(r[:2]) for r in kept] == [(1, GOOD)]
    assert [tuple(r[:2]) for r in current] == [(2, moved)]
    assert kept[0][2] != current[0][2]
    # the older content sent again is the record's content again (the last delivery wins)
    old = post_records(client, world, "crm", "customer", [GOOD]).json()
    assert (old["unchanged"], old["updated"], old["created"]) == (0, 1, 0)
    same = post_records(client, world, "crm", "customer", [GOOD]).json()
    assert same["unchanged"] == 1
    with unit_of_work(write=False) as s:
        assert s.scalar(select(CustomerRecord.version)) == 3
        assert s.scalar(select(CustomerRecord.payload)) == GOOD
        assert s.scalar(select(func.count()).select_from(RawRecord)) == 2


def test_idempotency_key_replays_the_first_report(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    a = post_records(client, world, "crm", "customer", [GOOD], idempotency_key="k1").json()
    b = post_records(client, world, "crm", "customer", [GOOD], idempotency_key="k1").json()
    assert b["replayed"] is True and b["batch_id"] == a["batch_id"] and b["created"] == 1


def test_too_many_records_is_a_413_with_a_message(
    client: TestClient, world: World, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from cxloop.core import config

    monkeypatch.setenv("CXLOOP_MAX_BATCH_RECORDS", "3")
    config.get_settings.cache_clear()
    make_source(world, "crm")
    r = post_records(client, world, "crm", "customer", [GOOD] * 4)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "ingest.too_many_records"
    assert "limit is 3" in r.json()["error"]["message"]


def test_oversized_body_is_a_413_not_a_crash(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    huge = {"entity": "customer", "records": [{"id": "x", "full_name": "a" * (17 * 1024 * 1024)}]}
    r = client.post("/api/v1/sources/crm/records", json=huge, headers=world.headers())
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "request.too_large"


def test_nasty_values_are_stored_verbatim_or_rejected_by_name(
    client: TestClient, world: World
) -> None:
    make_source(world, "support", "support")
    post_records(client, world, "support", "customer", [GOOD])
    nasty = [
        {
            "id": "i1",
            "customer_id": "C-1",
            "channel": "chat",
            "type": "complaint",
            "started_at": "2026-01-02T10:00:00+08:00",
            "text": '=HYPERLINK("http://evil","x") 😡',
        },
        {
            "id": "i2",
            "customer_id": "C-1",
            "channel": "phone",
            "type": "billing",
            "started_at": "2026-01-02T10:00:00",
            "text": "'; DROP TABLE interactions; --",
        },
        {
            "id": "i3",
            "customer_id": "C-1",
            "channel": "email",
            "type": "x",
            "started_at": "2026-01-02T10:00:00Z",
            "text": "ข้อความภาษาไทย 中文內容",
        },
        {
            "id": "i4",
            "customer_id": "C-1",
            "channel": "pigeon",
            "type": "x",
            "started_at": "2026-01-02",
        },
        {
            "id": "i5",
            "customer_id": "C-1",
            "channel": "chat",
            "type": "x",
            "started_at": "yesterday",
        },
        {
            "id": "i6",
            "customer_id": "C-1",
            "channel": "chat",
            "type": "x",
            "started_at": "2026-01-02T10:00:00Z",
            "text": "a\u0000b",
        },
        {
            "id": "i7",
            "customer_id": "C-1",
            "channel": "chat",
            "type": "x",
            "started_at": "2026-01-02T10:00:00Z",
            "text": "x" * (1024 * 1024),
        },
        {
            "id": "i8",
            "customer_id": "C-1",
            "channel": "chat",
            "type": "x",
            "started_at": "2026-01-02T10:00:00Z",
            "ended_at": "2026-01-02T09:00:00Z",
        },
    ]
    rep = post_records(client, world, "support", "interaction", nasty).json()
    assert (rep["accepted"], rep["rejected"]) == (3, 5)
    reasons = {e["line"]: e["errors"][0] for e in rep["errors"]}
    assert reasons[4]["field"] == "channel" and "must be one of" in reasons[4]["reason"]
    assert reasons[5]["field"] == "started_at"
    assert reasons[6] == {"field": "text", "reason": "contains a NUL character"}
    assert reasons[7]["field"] == "text" and "too long" in reasons[7]["reason"]
    assert reasons[8] == {"field": "ended_at", "reason": "is before started_at"}
    from cxloop.journeys.models import Interaction

    with unit_of_work(write=False) as s:
        stored = s.execute(
            select(Interaction.external_id, Interaction.payload, Interaction.line).order_by(
                Interaction.line
            )
        ).all()
    # the accepted rows only, each with its payload exactly as sent and its line in the batch
    assert [tuple(r) for r in stored] == [
        ("i1", nasty[0], 1),
        ("i2", nasty[1], 2),
        ("i3", nasty[2], 3),
    ]


def test_unknown_source_and_other_workspace_source_are_404(
    client: TestClient, world: World, rival: World
) -> None:
    make_source(rival, "crm")
    r = post_records(client, world, "crm", "customer", [GOOD])
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "source.not_found"


def test_agents_cannot_ingest(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    r = post_records(client, world, "crm", "customer", [GOOD], role="agent")
    assert r.status_code == 403


BIG = 2**64  # one more than the largest unsigned 64-bit integer


def test_integers_beyond_64_bits_reject_their_field_and_can_be_sent_again(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    records = [
        {"external_id": BIG, "full_name": "Big Id"},
        {"external_id": "C-2", "full_name": "Big Extra", "meta": {"n": -BIG}},
        {"external_id": "C-3", "full_name": "Ok", "phones": [BIG]},
        {"external_id": str(BIG), "full_name": "Id As Text"},
    ]
    r = post_records(client, world, "crm", "customer", records)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (4, 1, 3), rep
    fields = {e["line"]: e["errors"][0] for e in rep["errors"]}
    assert fields[1]["field"] == "external_id" and "64-bit" in fields[1]["reason"]
    assert fields[1]["reason"].endswith("send it as text")
    assert fields[2]["field"] == "meta" and "64-bit" in fields[2]["reason"]
    assert fields[3]["field"] == "phones" and "64-bit" in fields[3]["reason"]
    assert rep["errors"][0]["external_id"] == str(BIG)
    # the rejected rows are kept; re-sending one as it is, or with the same number, is refused
    rejected = client.get(f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers())
    first = rejected.json()[0]
    assert str(BIG) in first["raw"]
    again = client.post(f"/api/v1/rejected/{first['id']}/resubmit", headers=world.headers())
    assert again.status_code == 422 and again.json()["error"]["data"]["field"] == "record"
    again = client.post(
        f"/api/v1/rejected/{first['id']}/resubmit",
        json={"external_id": BIG, "full_name": "Big Id"},
        headers=world.headers(),
    )
    assert again.status_code == 200, again.text
    assert (again.json()["accepted"], again.json()["rejected"]) == (0, 1)
    fixed = client.post(
        f"/api/v1/rejected/{first['id']}/resubmit",
        json={"external_id": str(BIG) + "-x", "full_name": "Big Id"},
        headers=world.headers(),
    )
    assert fixed.json()["accepted"] == 1


def test_a_batch_holding_text_that_is_not_valid_unicode_is_refused_whole(
    client: TestClient, world: World
) -> None:
    # A lone surrogate makes the body itself invalid Unicode, like a JSON syntax error: the
    # boundary refuses the request, naming the first place (files reject such rows one by one).
    make_source(world, "crm")
    records = [
        {"external_id": "C-1", "full_name": "Fine"},
        {"external_id": "C-2", "full_name": "Bad Key", "no\ud800te": "x"},
        {"external_id": "\udcff", "full_name": "Bad Id"},
    ]
    body = json.dumps({"entity": "customer", "records": records})  # lone surrogates as \\uXXXX
    r = client.post(
        "/api/v1/sources/crm/records",
        content=body,
        headers={**world.headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["error"]["data"]["errors"]] == ["records.1.no\\ud800te"]
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(CustomerRecord)) == 0


@pytest.mark.parametrize("ref", ["9" * 5000, "9" * 19, "²", "-1", "0"])
def test_a_source_reference_that_is_no_id_or_name_is_a_404(
    client: TestClient, world: World, ref: str
) -> None:
    make_source(world, "crm")
    for method, path in [
        ("GET", f"/api/v1/sources/{ref}"),
        ("GET", f"/api/v1/batches?source={ref}"),
        ("GET", f"/api/v1/rejected?source={ref}"),
        ("POST", f"/api/v1/sources/{ref}/records"),
    ]:
        body = {"entity": "customer", "records": [GOOD]} if method == "POST" else None
        r = client.request(method, path, json=body, headers=world.headers())
        assert r.status_code == 404, (method, path[:40], r.text)
        assert r.json()["error"]["code"] == "source.not_found"


def test_a_source_named_by_digits_is_found_by_its_name(client: TestClient, world: World) -> None:
    name = "2" * 20  # more digits than any id
    make_source(world, name)
    assert client.get(f"/api/v1/sources/{name}", headers=world.headers()).json()["name"] == name
    assert post_records(client, world, name, "customer", [GOOD]).json()["accepted"] == 1


def test_an_amount_is_never_rounded_however_many_digits_or_whatever_its_exponent(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    amounts = {
        "12.50": 1250,
        "1e3": 100000,
        "1.0000000000000000000000000000000000000001": "has more decimals than USD allows (2)",
        "0.00000000000000000000000000000001": "has more decimals than USD allows (2)",
        "1e-999999999": "has more decimals than USD allows (2)",
        "1e999999": "is out of range",
        "-1E+999999999": "is out of range",
        "90071992547409.93": "is out of range",
    }
    records = [
        {
            "external_id": f"O{i}",
            "customer_id": "C-1",
            "ordered_at": "2026-03-01T10:00:00Z",
            "amount": amount,
            "currency": "USD",
        }
        for i, amount in enumerate(amounts)
    ]
    r = post_records(client, world, "crm", "order", records)
    assert r.status_code == 200, r.text
    rep = r.json()
    reasons = {e["line"]: e["errors"][0]["reason"] for e in rep["errors"]}
    expected = {i: want for i, want in enumerate(amounts.values(), 1) if isinstance(want, str)}
    assert reasons == expected
    assert all(e["errors"][0]["field"] == "amount" for e in rep["errors"])
    from cxloop.profiles.models import Order

    with unit_of_work(write=False) as s:
        stored = dict(s.execute(select(Order.external_id, Order.amount_minor)).all())
    assert stored == {"O0": 1250, "O1": 100000}
