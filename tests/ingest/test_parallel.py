"""A large JSON Lines file is finished by worker processes, with the same results as in-process."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cxloop.core.db import unit_of_work
from cxloop.journeys import queries as _journeys  # noqa: F401  (models registered)
from cxloop.profiles.ingest.models import IngestBatch, RawRecord, RejectedRecord
from tests.factories import World, make_source

N = 3000


def _line(i: int) -> bytes:
    ev: dict[str, Any] = {
        "id": f"ev-{i}",
        "customer_id": f"C{i % 50}",
        "channel": ("phone", "chat", "email")[i % 3],
        "type": "support",
        "started_at": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00+08:00",
        "text": f"第{i}次 ครั้งที่ {i}",
    }
    if i % 97 == 0:
        ev["channel"] = "pigeon"  # rejected
    if i in (10, 1500, 2900):  # one record, three times: v1, v2, then v1 again
        text = "v2" if i == 1500 else "v1"
        ev = {**ev, "id": "R", "customer_id": "C1", "channel": "chat", "text": text}
        ev["started_at"] = "2026-03-01T10:00:00Z"
    return orjson.dumps(ev)


def _upload(client: TestClient, world: World, data: bytes) -> dict[str, Any]:
    r = client.post(
        "/api/v1/sources/support/files",
        files={"file": ("events.jsonl", data, "application/x-ndjson")},
        data={"entity": "interaction", "idempotency_key": "big"},
        headers=world.headers(),
    )
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Go parallel early and cut the file into many blocks; record that workers were used."""
    from cxloop.profiles.ingest import parallel, pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_AFTER", 200)
    monkeypatch.setattr(parallel, "BLOCK_CHARS", 20_000)  # ~150 rows per block
    calls: list[int] = []
    real = parallel.run

    def spy(*args: Any, **kwargs: Any) -> parallel.Outcome:
        out = real(*args, **kwargs)
        calls.append(out.received)
        return out

    monkeypatch.setattr(parallel, "run", spy)
    return calls


def test_workers_store_blocks_in_file_order_with_exact_counts(
    client: TestClient, world: World, small_blocks: list[int]
) -> None:
    from cxloop.journeys.models import Interaction

    make_source(world, "support", "support")
    data = b"\n".join(_line(i) for i in range(N)) + b"\n\n"
    rep = _upload(client, world, data)
    bad = [i for i in range(N) if i % 97 == 0 and i not in (10, 1500, 2900)]
    assert small_blocks and small_blocks[0] == N - 200  # the rest went to the workers
    assert (rep["received"], rep["rejected"], rep["accepted"]) == (N, len(bad), N - len(bad))
    # R: created at line 11, a new version at line 1501, its first content again at line 2901
    assert (rep["updated"], rep["unchanged"]) == (1, 1)
    assert rep["created"] == N - len(bad) - 2
    assert [e["line"] for e in rep["errors"]] == [i + 1 for i in bad][:100]
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == N - len(bad) - 2
        assert s.scalar(select(func.count(func.distinct(Interaction.line)))) == N - len(bad) - 2
        kept = s.execute(select(RawRecord.external_id, RawRecord.version, RawRecord.line)).all()
        assert [tuple(k) for k in kept] == [("R", 1, 11)]
        current = s.execute(
            select(Interaction.version, Interaction.text, Interaction.line).where(
                Interaction.external_id == "R"
            )
        ).one()
        assert tuple(current) == (2, "v2", 1501)
        lines = sorted(s.scalars(select(RejectedRecord.line)))
        assert lines == [i + 1 for i in bad]
        batch = s.scalars(select(IngestBatch)).one()
        assert (batch.status, batch.received, batch.rejected) == ("done", N, len(bad))


def test_resending_the_file_through_the_workers_changes_nothing(
    client: TestClient, world: World, small_blocks: list[int]
) -> None:
    from cxloop.journeys.models import Interaction

    make_source(world, "support", "support")
    data = b"\n".join(_line(i) for i in range(N))
    first = _upload(client, world, data)
    with unit_of_work() as s:  # as if the first send had died: same key, batch not finished
        s.execute(IngestBatch.__table__.update().values(status="open"))
    again = _upload(client, world, data)
    assert again["batch_id"] == first["batch_id"] and not again.get("replayed")
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["unchanged"] == first["accepted"] and again["rejected"] == first["rejected"]
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == first["created"]
        assert s.scalar(select(func.count()).select_from(RejectedRecord)) == first["rejected"]
    assert len(small_blocks) == 2
