"""kill -9 of the server in the middle of a large ingest, then the client re-sends: nothing accepted
is lost, nothing is duplicated, and every stored record keeps its lineage.

Killed twice over: while the server itself stores the first rows, and while worker processes
store the rest of the file (a block already committed, the next one on its way).
"""

from __future__ import annotations

import re
import threading
import time
from functools import cache
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from cxloop.core.db import dispose_engines, unit_of_work
from cxloop.journeys import queries as _journeys  # noqa: F401  (models registered)
from cxloop.profiles.ingest.models import IngestBatch, RawRecord
from tests.e2e.conftest import Server, _stop, start_server
from tests.factories import World, make_source

N = 150_000  # large enough for several worker blocks (parallel.BLOCK_CHARS)


@cache
def _events() -> bytes:
    lines = []
    for i in range(N):
        lines.append(
            orjson.dumps(
                {
                    "id": f"ev-{i}",
                    "customer_id": f"C{i % 5000}",
                    "channel": ("phone", "chat", "email", "app")[i % 4],
                    "type": "support",
                    "started_at": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00+08:00",
                    "agent": f"agent-{i % 40}",
                    "text": f"第{i}次聯絡 ครั้งที่ {i}",
                }
            )
        )
    return b"\n".join(lines) + b"\n"


def _counts() -> tuple[int, int, int]:
    """Interactions stored, those with complete lineage, and superseded versions kept."""
    from cxloop.journeys.models import Interaction

    with unit_of_work(write=False) as s:
        rows = s.scalar(select(func.count()).select_from(Interaction)) or 0
        traced = (
            s.scalar(
                select(func.count())
                .select_from(Interaction)
                .where(
                    Interaction.payload.is_not(None),
                    Interaction.batch_id.is_not(None),
                    Interaction.line.is_not(None),
                    func.length(Interaction.content_hash) == 64,
                )
            )
            or 0
        )
        raw = s.scalar(select(func.count()).select_from(RawRecord)) or 0
    return int(rows), int(traced), int(raw)


def _upload(url: str, key: str, data: bytes, out: dict[str, object]) -> None:
    try:
        r = httpx.post(
            f"{url}/api/v1/sources/support/files",
            files={"file": ("events.jsonl", data, "application/x-ndjson")},
            data={"entity": "interaction", "idempotency_key": "big-1"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=300,
        )
        out["status"] = r.status_code
        out["body"] = r.json()
    except httpx.HTTPError as exc:
        out["error"] = repr(exc)


IN_WORKERS = -1
TAKEOVER = re.compile(r"worker processes take over at line (\d+)")
BOOTED = re.compile(r"ingest worker processes ready")


def _wait_for(server: Server, pattern: re.Pattern[str]) -> re.Match[str]:
    """The first line of the server's log that matches ``pattern`` (waiting up to 120 s)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        if found := pattern.search(server.log.read_text()):
            return found
        time.sleep(0.02)
    raise AssertionError(
        f"no {pattern.pattern!r} in the server log: {server.log.read_text()[-2000:]}"
    )


@pytest.mark.parametrize("kill_after", [2000, IN_WORKERS], ids=["in-process", "in-workers"])
def test_kill9_mid_ingest_then_resend_loses_and_duplicates_nothing(
    world: World, tmp_path: Path, kill_after: int
) -> None:
    make_source(world, "support", "support")
    data = _events()
    dispose_engines()
    server = start_server(tmp_path)
    _wait_for(server, BOOTED)  # so that workers take over after ~6,000 rows, even under load
    out: dict[str, object] = {}
    t = threading.Thread(target=_upload, args=(server.url, world.keys["admin"], data, out))
    t.start()
    deadline = time.time() + 120
    if kill_after == IN_WORKERS:  # once a worker has committed a block of its own
        kill_after = int(_wait_for(server, TAKEOVER)[1])  # stored in-process: the lines before
    while time.time() < deadline:
        rows, _, _ = _counts()
        if rows >= kill_after:
            break
        time.sleep(0.05)
    server.kill9()
    t.join(timeout=60)
    rows_at_kill, traced_at_kill, raw_at_kill = _counts()
    assert "error" in out, "the upload should have been cut off by the kill"
    time.sleep(3)  # an orphaned ingest worker would have committed its block by now
    assert _counts() == (rows_at_kill, traced_at_kill, raw_at_kill), "a writer outlived the kill"
    assert 0 < rows_at_kill < N, rows_at_kill
    # each committed chunk holds whole records: the row and its lineage (payload, batch, line)
    assert traced_at_kill == rows_at_kill
    assert raw_at_kill == 0  # all new records: no superseded version to keep

    server2 = start_server(tmp_path)
    try:
        out2: dict[str, object] = {}
        _upload(server2.url, world.keys["admin"], data, out2)
        assert out2.get("status") == 200, out2
        rep = out2["body"]
        assert isinstance(rep, dict)
        assert rep["received"] == N and rep["accepted"] == N and rep["rejected"] == 0
        assert rep["unchanged"] >= rows_at_kill  # what survived the crash was recognised
        assert rep["created"] == N - rep["unchanged"] and rep["updated"] == 0
        assert _counts() == (N, N, 0)  # nothing lost, nothing duplicated, nothing re-versioned
        with unit_of_work(write=False) as s:
            from cxloop.journeys.models import Interaction

            distinct = s.scalar(select(func.count(func.distinct(Interaction.external_id))))
            assert distinct == N
            lines = s.scalar(select(func.count(func.distinct(Interaction.line))))
            assert lines == N  # every line of the file is stored once
            batches = s.scalars(select(IngestBatch.status)).all()
            assert batches == ["done"]  # the same batch, resumed under its idempotency key
        # and a third send changes nothing at all
        out3: dict[str, object] = {}
        _upload(server2.url, world.keys["admin"], data, out3)
        body3 = out3["body"]
        assert isinstance(body3, dict) and body3["replayed"] is True
        assert _counts() == (N, N, 0)
    finally:
        _stop(server2)
