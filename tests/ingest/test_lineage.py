"""Lineage and versions: every version kept exactly as received, in order, idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from cxloop.core.db import unit_of_work
from cxloop.journeys import queries as _journeys  # noqa: F401  (models registered)
from cxloop.profiles.ingest.models import IngestBatch, RawRecord
from cxloop.profiles.models import ConsentRecord, CustomerRecord, Holding, Profile
from tests.factories import World, make_source, post_records


def _event(ext: str, text: str, **more: Any) -> dict[str, Any]:
    return {
        "id": ext,
        "customer_id": "C-1",
        "channel": "chat",
        "type": "billing",
        "started_at": "2026-03-01T14:30:00+08:00",
        "text": text,
        **more,
    }


def _versions(ext: str) -> list[tuple[int, Any, int | None]]:
    """(version, payload, line) of every version of an interaction, oldest first."""
    from cxloop.journeys.models import Interaction

    with unit_of_work(write=False) as s:
        kept = s.execute(
            select(RawRecord.version, RawRecord.payload, RawRecord.line).where(
                RawRecord.external_id == ext, RawRecord.entity == "interaction"
            )
        ).all()
        current = s.execute(
            select(Interaction.version, Interaction.payload, Interaction.line).where(
                Interaction.external_id == ext
            )
        ).all()
    return sorted(tuple(r) for r in [*kept, *current])


def _interrupt(key: str) -> None:
    """Leave a finished batch as a crash leaves one: open (its rows committed)."""
    with unit_of_work() as s:
        s.execute(
            update(IngestBatch).where(IngestBatch.idempotency_key == key).values(status="open")
        )


def test_versions_in_one_batch_follow_its_lines(client: TestClient, world: World) -> None:
    make_source(world, "support", "support")
    a1, a2, b1 = _event("A", "first"), _event("A", "second"), _event("B", "only")
    batch = [a1, a2, b1, a1, a2]
    rep = post_records(client, world, "support", "interaction", batch, idempotency_key="k").json()
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (5, 5, 0)
    # the last line wins: A goes back and forth, and every line of it is a version
    assert (rep["created"], rep["updated"], rep["unchanged"]) == (2, 3, 0)
    assert _versions("A") == [(1, a1, 1), (2, a2, 2), (3, a1, 4), (4, a2, 5)]
    assert _versions("B") == [(1, b1, 3)]
    _interrupt("k")  # the same batch sent again after a crash: its lines were stored already
    again = post_records(client, world, "support", "interaction", batch, idempotency_key="k")
    assert (again.json()["unchanged"], again.json()["updated"]) == (5, 0)
    assert _versions("A") == [(1, a1, 1), (2, a2, 2), (3, a1, 4), (4, a2, 5)]


def test_an_older_content_sent_again_is_a_new_version(client: TestClient, world: World) -> None:
    make_source(world, "support", "support")
    sent = [_event("X", f"v{i}") for i in (1, 2, 3)]
    for ev in sent:
        post_records(client, world, "support", "interaction", [ev])
    assert [v[:2] for v in _versions("X")] == [(1, sent[0]), (2, sent[1]), (3, sent[2])]
    again = post_records(client, world, "support", "interaction", [sent[1], sent[0]]).json()
    assert (again["unchanged"], again["updated"], again["created"]) == (0, 2, 0)
    assert [v[:2] for v in _versions("X")] == [
        (1, sent[0]),
        (2, sent[1]),
        (3, sent[2]),
        (4, sent[1]),
        (5, sent[0]),
    ]
    with unit_of_work(write=False) as s:
        batches = set(s.scalars(select(RawRecord.batch_id)))
        assert len(batches) == 4 and None not in batches  # each version knows its batch
        from cxloop.journeys.models import Interaction

        assert s.scalar(select(Interaction.text)) == "v1"


def test_a_consent_withdrawn_again_is_withdrawn(client: TestClient, world: World) -> None:
    make_source(world, "crm", "crm")
    consent = {"customer_id": "C-7", "channel": "email", "purpose": "marketing"}
    for granted in (False, True, False):
        rep = post_records(client, world, "crm", "consent", [{**consent, "granted": granted}])
        assert rep.json()["accepted"] == 1
    with unit_of_work(write=False) as s:
        assert s.scalars(select(ConsentRecord.granted)).all() == [False]
        assert s.scalar(select(ConsentRecord.version)) == 3


def test_a_batch_sent_again_after_a_crash_does_not_roll_back(
    client: TestClient, world: World
) -> None:
    make_source(world, "support", "support")
    old, new = _event("Y", "old"), _event("Y", "new")
    post_records(client, world, "support", "interaction", [old])
    # the batch's first line was unchanged then (Y was "old"), its second made Y "new"
    rep = post_records(client, world, "support", "interaction", [old, new], idempotency_key="r")
    assert (rep.json()["unchanged"], rep.json()["updated"]) == (1, 1)
    _interrupt("r")
    again = post_records(client, world, "support", "interaction", [old, new], idempotency_key="r")
    assert (again.json()["unchanged"], again.json()["updated"]) == (2, 0)
    from cxloop.journeys.models import Interaction

    with unit_of_work(write=False) as s:
        assert s.scalar(select(Interaction.text)) == "new"
    assert [v[:2] for v in _versions("Y")] == [(1, old), (2, new)]


def test_a_new_customer_version_is_unresolved_but_keeps_its_profile(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    cust = {"id": "C-9", "full_name": "王小明", "email": "ming@example.tw"}
    post_records(client, world, "crm", "customer", [cust])
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with unit_of_work() as s:
        profile = Profile(workspace_id=world.workspace_id, display_name="王小明")
        s.add(profile)
        s.flush()
        s.execute(update(CustomerRecord).values(profile_id=profile.id, resolved_at=now))
        profile_id = profile.id
    same = post_records(client, world, "crm", "customer", [cust]).json()
    assert same["unchanged"] == 1 and same["resolution_job_id"] is None
    with unit_of_work(write=False) as s:
        assert s.scalar(select(CustomerRecord.resolved_at)) == now  # nothing to re-resolve
    moved = post_records(client, world, "crm", "customer", [dict(cust, phone="0912345678")]).json()
    assert moved["updated"] == 1 and moved["resolution_job_id"] is not None
    with unit_of_work(write=False) as s:
        rec = s.scalars(select(CustomerRecord)).one()
        assert (rec.version, rec.resolved_at, rec.profile_id) == (2, None, profile_id)
        assert rec.phones == ["+886912345678"] and rec.emails == ["ming@example.tw"]


def test_bulk_written_rows_read_back_with_their_types(client: TestClient, world: World) -> None:
    from cxloop.journeys.models import Interaction

    make_source(world, "support", "support", timezone="Asia/Taipei")
    make_source(world, "billing", "billing")
    ev = _event("T1", "網路很慢", ended_at="2026-03-01T15:00:00.25", priority="high")
    ev["started_at"] = "2026-03-01T14:30:00"  # no offset: the source's time zone
    post_records(client, world, "support", "interaction", [ev])
    plan = {
        "id": "H1",
        "customer_id": "C-1",
        "customer_source": "support",
        "product_name": "Fiber 1G",
        "monthly_amount": "1,299",
        "currency": "twd",
        "start_date": "2026/01/15",
    }
    post_records(client, world, "billing", "holding", [plan])
    with unit_of_work(write=False) as s:
        row = s.scalars(select(Interaction)).one()
        holding = s.scalars(select(Holding)).one()
        batch_ids = set(s.scalars(select(IngestBatch.id)))
        assert row.started_at == datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
        assert row.ended_at == datetime(2026, 3, 1, 7, 0, 0, 250000, tzinfo=UTC)
        assert row.context == {"source_fields": {"priority": "high"}}
        assert (row.payload, row.line, row.version, row.direction) == (ev, 1, 1, "inbound")
        assert row.batch_id in batch_ids and row.transferred is False
        assert (holding.monthly_amount_minor, holding.currency) == (129_900, "TWD")
        assert holding.start_date == date(2026, 1, 15) and holding.payload == plan
        assert holding.customer_source_id != holding.source_id


def test_counts_add_up_and_nothing_is_stored_twice(client: TestClient, world: World) -> None:
    from cxloop.journeys.models import Interaction

    make_source(world, "support", "support")
    events = [_event(f"E{i}", "x") for i in range(30)] + [{"id": "bad"}]
    first = post_records(client, world, "support", "interaction", events).json()
    second = post_records(client, world, "support", "interaction", events).json()
    assert (first["created"], first["rejected"]) == (30, 1)
    assert (second["unchanged"], second["created"], second["rejected"]) == (30, 0, 1)
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == 30
        assert s.scalar(select(func.count()).select_from(RawRecord)) == 0


def test_a_stored_id_the_sample_misses_is_found_by_the_unique_key(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A block is inserted as new when a sample of its ids is unknown; a stored id outside
    the sample makes that insert fail whole, and the block is then stored id by id."""
    from cxloop.core import bulk
    from cxloop.journeys.models import Interaction
    from cxloop.profiles.ingest import store

    tried: list[bool] = []
    real = bulk.try_insert_new

    def spy(*args: Any) -> bool:
        tried.append(real(*args))
        return tried[-1]

    monkeypatch.setattr(bulk, "try_insert_new", spy)

    make_source(world, "support", "support")
    same, old = _event("E1", "same"), _event("E2", "old")
    post_records(client, world, "support", "interaction", [same, old])
    events = [_event(f"N{i}", "x") for i in range(3 * store.SAMPLE)]
    # index 1 and 2 are not in the sample (every 3rd id, and the last)
    events[1], events[2] = same, _event("E2", "new")
    rep = post_records(client, world, "support", "interaction", events).json()
    n = len(events)
    assert tried == [True, False]  # the first post was new; this one fell back
    assert (rep["created"], rep["updated"], rep["unchanged"]) == (n - 2, 1, 1)
    assert [v[:2] for v in _versions("E2")] == [(1, old), (2, events[2])]
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == n
        assert s.scalar(select(func.count()).select_from(RawRecord)) == 1
