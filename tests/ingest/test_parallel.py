"""A large JSON Lines file is finished by worker processes, with the same results as in-process."""

from __future__ import annotations

import multiprocessing
import threading
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
def blocks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Start the workers after 200 rows, cut the file into many blocks, and record what the
    workers received."""
    from cxloop.profiles.ingest import parallel, pipeline

    monkeypatch.setattr(pipeline, "CHUNK", 100)
    monkeypatch.setattr(pipeline, "PARALLEL_AFTER", 200)
    monkeypatch.setattr(parallel, "BLOCK_CHARS", 20_000)  # ~150 rows per block
    return _spy(monkeypatch)


@pytest.fixture
def small_blocks(blocks: list[int], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """As ``blocks``, and the server waits for the workers at 200 rows: they take the rest."""
    from cxloop.profiles.ingest import parallel

    real_ready = parallel.Workers.ready

    def ready(self: parallel.Workers) -> bool:
        self._started.wait()
        return real_ready(self)

    monkeypatch.setattr(parallel.Workers, "ready", ready)
    return blocks


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from cxloop.profiles.ingest import parallel

    calls: list[int] = []
    real = parallel.Workers.run

    def spy(self: parallel.Workers, lines: Any) -> parallel.Outcome:
        out = real(self, lines)
        calls.append(out.received)
        return out

    monkeypatch.setattr(parallel.Workers, "run", spy)
    return calls


def _check(rep: dict[str, Any]) -> None:
    """The file's report and what was stored: the same wherever the rows were stored."""
    from cxloop.journeys.models import Interaction

    bad = [i for i in range(N) if i % 97 == 0 and i not in (10, 1500, 2900)]
    assert (rep["received"], rep["rejected"], rep["accepted"]) == (N, len(bad), N - len(bad))
    # R: created at line 11, a new version at line 1501, its first content again at line 2901
    assert (rep["updated"], rep["unchanged"]) == (2, 0)
    assert rep["created"] == N - len(bad) - 2
    assert [e["line"] for e in rep["errors"]] == [i + 1 for i in bad][:100]
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == N - len(bad) - 2
        assert s.scalar(select(func.count(func.distinct(Interaction.line)))) == N - len(bad) - 2
        kept = s.execute(select(RawRecord.external_id, RawRecord.version, RawRecord.line)).all()
        assert sorted(tuple(k) for k in kept) == [("R", 1, 11), ("R", 2, 1501)]
        current = s.execute(
            select(Interaction.version, Interaction.text, Interaction.line).where(
                Interaction.external_id == "R"
            )
        ).one()
        assert tuple(current) == (3, "v1", 2901)
        lines = sorted(s.scalars(select(RejectedRecord.line)))
        assert lines == [i + 1 for i in bad]
        batch = s.scalars(select(IngestBatch)).one()
        assert (batch.status, batch.received, batch.rejected) == ("done", N, len(bad))


def _file() -> bytes:
    return b"\n".join(_line(i) for i in range(N)) + b"\n\n"


def test_workers_store_blocks_in_file_order_with_exact_counts(
    client: TestClient, world: World, small_blocks: list[int]
) -> None:
    make_source(world, "support", "support")
    rep = _upload(client, world, _file())
    assert small_blocks == [N - 200]  # the rest went to the workers
    _check(rep)


def test_the_server_stores_rows_itself_until_the_workers_are_up(
    client: TestClient, world: World, blocks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxloop.profiles.ingest import parallel, pipeline

    gate, booting, applied = threading.Event(), [], []
    real_start, real_apply = parallel.Workers._start, pipeline.apply

    def slow_start(self: parallel.Workers) -> None:  # as a fork server's first boot
        booting.append(self)
        gate.wait(30)
        real_start(self)

    def apply(*args: Any) -> None:
        real_apply(*args)
        applied.append(1)
        if len(applied) == 10:  # 1,000 rows stored here while the workers were starting
            gate.set()
            booting[0]._started.wait(30)

    monkeypatch.setattr(parallel.Workers, "_start", slow_start)
    monkeypatch.setattr(pipeline, "apply", apply)
    make_source(world, "support", "support")
    rep = _upload(client, world, _file())
    assert len(booting) == 1 and len(applied) == 10  # started at 200 rows, used from 1,000
    assert blocks == [N - 1000]
    _check(rep)


def test_a_file_that_ends_before_the_workers_are_up_is_stored_by_the_server(
    client: TestClient, world: World, blocks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxloop.profiles.ingest import parallel

    gate, booting = threading.Event(), []
    real_start, real_close = parallel.Workers._start, parallel.Workers.close

    def slow_start(self: parallel.Workers) -> None:
        booting.append(self)
        gate.wait(30)
        real_start(self)

    def close(self: parallel.Workers) -> None:
        gate.set()  # the workers come up only now, after the last row
        real_close(self)

    monkeypatch.setattr(parallel.Workers, "_start", slow_start)
    monkeypatch.setattr(parallel.Workers, "close", close)
    make_source(world, "support", "support")
    rep = _upload(client, world, _file())
    assert len(booting) == 1 and blocks == []  # started, never used
    assert not any(p.is_alive() for p in booting[0].procs)  # and stopped
    _check(rep)


def test_when_no_worker_can_start_the_server_stores_the_whole_file(
    client: TestClient, world: World, blocks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot(self: Any) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", cannot)
    make_source(world, "support", "support")
    rep = _upload(client, world, _file())
    assert blocks == []
    _check(rep)


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
