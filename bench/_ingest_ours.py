"""Our ingest, measured as it runs in the product: a file through ``service.process``.

A fresh database (migrated), a workspace and a source made through the services, a batch opened
under an idempotency key, then the JSON Lines file read, validated, hashed and stored with
lineage and idempotency by ``process(..., commit_every_chunk=True)`` exactly as the file upload
API and the CLI call it.
"""

from __future__ import annotations

import os
import resource
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cxloop.auth import service as auth
from cxloop.core import db
from cxloop.core.actor import Actor, system_actor
from cxloop.core.migrate import upgrade
from cxloop.journeys import service as journeys
from cxloop.profiles.ingest import service as ingest
from cxloop.profiles.ingest.parsing import iter_file, parse_lines
from cxloop.profiles.ingest.pipeline import CHUNK
from cxloop.profiles.ingest.prepare import Preparer
from cxloop.profiles.ingest.projections import PROJECTIONS, Context
from cxloop.profiles.ingest.schemas import SourceCreate
from cxloop.profiles.ingest.validation import Validator


def _cpu() -> float:
    """CPU seconds of this process and of its descendants, live or finished (Linux /proc).

    The ingest workers are children of the multiprocessing fork server, a child of ours: once
    they end, their time is in the fork server's ``cutime``/``cstime``.
    """
    me = resource.getrusage(resource.RUSAGE_SELF)
    total = me.ru_utime + me.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # ppid
            total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def setup(url: str) -> Actor:
    """Migrate a fresh database and declare the workspace and the source."""
    os.environ["CXLOOP_DATABASE_URL"] = url
    from cxloop.core.config import get_settings

    get_settings.cache_clear()
    db.dispose_engines()
    upgrade(url)
    with db.unit_of_work() as s:
        ws = auth.create_workspace(s, "bench", "Bench", "TW")
        actor = system_actor(ws.id, "bench")
        ingest.create_source(s, actor, SourceCreate(name="support", kind="support"))
    return actor


def run(actor: Actor, path: Path, key: str) -> dict[str, Any]:
    """Ingest the file once under ``key``; return the report and the time it took."""
    session = db.new_session(write=True)
    try:
        src = ingest.get_source(session, actor, "support")
        batch, _ = ingest.open_batch(session, actor, src, "interaction", "file", path.name, key)
        session.commit()
        start, cpu = time.perf_counter(), _cpu()
        with path.open("rb") as fh:
            _fmt, _enc, rows = iter_file(fh, path.name)
            report = ingest.process(session, actor, src, batch, rows, commit_every_chunk=True)
            session.commit()
        elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    finally:
        session.close()
    with db.unit_of_work(write=False) as s:
        from cxloop.journeys.models import Interaction

        stored = s.scalar(select(func.count()).select_from(Interaction))
    rep = report.model_dump(exclude={"errors"})
    return {"report": rep, "stored": stored, "seconds": elapsed, "cpu": cpu}


def ceiling_rows(path: Path, sqlite: bool) -> list[tuple[Any, ...]]:
    """The DB-ready rows our ingest writes for the file (for the ceiling; not timed)."""
    ctx = Context(1, 1, "TW", datetime.now(UTC), {"support": 1}, 1, sqlite)
    preparer = Preparer(
        Validator("interaction", None, "UTC", "TW"), PROJECTIONS["interaction"], ctx
    )
    rows: list[tuple[Any, ...]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        first = 1
        while lines := fh.readlines(8 << 20):
            parsed = parse_lines(first, lines)
            first += len(lines)
            for i in range(0, len(parsed), CHUNK):
                rows += preparer.prepare(parsed[i : i + CHUNK]).rows
    assert len(journeys.INTERACTION_COLUMNS) == len(rows[0])
    return rows
