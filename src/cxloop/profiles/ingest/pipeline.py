"""The ingest loop: rows in chunks -> prepare (validate, hash, build) -> store, with commits.

Files commit as they go (``commit_every_chunk``) so that a crash keeps what was accepted; re-sending
the file under the same idempotency key then finds those records unchanged. Commits come after
the first chunk and then at doubling intervals up to ``COMMIT_MAX_ROWS`` rows: a small file is
durable quickly, a large one does not pay a commit (and on SQLite a checkpoint of every touched
index page) every few thousand rows. A JSON Lines file still going after ``PARALLEL_AFTER`` rows
is finished by worker processes (``parallel``), which commit block by block; they are started
then, in the background, and this process goes on storing rows until they are up (the first
start in a process boots the fork server, ~1.5 s), so that no core waits.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

from cxloop.profiles.ingest import store
from cxloop.profiles.ingest.models import IngestBatch
from cxloop.profiles.ingest.parsing import FileProblem, JsonLines, ParsedRow
from cxloop.profiles.ingest.prepare import Prepared, Preparer
from cxloop.profiles.ingest.projections import PROJECTIONS, Context
from cxloop.profiles.ingest.schemas import RowError
from cxloop.profiles.ingest.validation import Validator

if TYPE_CHECKING:
    from cxloop.profiles.ingest.parallel import Workers

log = logging.getLogger(__name__)

CHUNK = 2000
COMMIT_MAX_ROWS = 64_000
PARALLEL_AFTER = 3 * CHUNK
MAX_REPORTED_ERRORS = 100
COUNTERS = ("received", "accepted", "rejected", "created", "updated", "unchanged")


@dataclass
class Tally:
    """Counts: accepted + rejected = received, and accepted = created + updated + unchanged."""

    received: int = 0
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Run:
    """One pass over the rows of a batch: counts, the first errors to report, a file problem."""

    batch: IngestBatch | None
    counts: Tally = field(default_factory=Tally)
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False
    problem: FileProblem | None = None

    def guarded(self, rows: Iterable[ParsedRow]) -> Iterator[ParsedRow]:
        """Rows until the file cannot be read further; the problem is kept, not raised."""
        try:
            yield from rows
        except FileProblem as exc:
            self.problem = exc

    def note(self, line: int | None, external_id: str | None, errors: list[dict[str, str]]) -> None:
        """Keep a rejected row for the report (the first ``MAX_REPORTED_ERRORS`` of them)."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line=line, external_id=external_id, errors=errors))
        else:
            self.truncated = True

    def settle(self) -> None:
        """Add the counts to the batch."""
        if self.batch is not None:
            for name in COUNTERS:
                setattr(self.batch, name, getattr(self.batch, name) + getattr(self.counts, name))
        self.counts = Tally()


def chunks(rows: Iterable[ParsedRow], size: int = CHUNK) -> Iterator[list[ParsedRow]]:
    """Consecutive lists of ``size`` rows."""
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def lock_source(session: Session, source_id: int) -> None:
    """Serialise concurrent ingests into one source (SQLite already has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"ingest:{source_id}".encode()).digest()[:7], "big")
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def apply(session: Session, ctx: Context, run: Run, prepared: Prepared, entity: str) -> None:
    """Store a prepared chunk and count it."""
    lock_source(session, ctx.source_id)
    done = store.store(session, PROJECTIONS[entity], ctx, prepared.items, prepared.rows)
    store.store_rejects(session, ctx, entity, ctx.batch_id, prepared.rejects)
    for r in prepared.rejects:
        run.note(r.line, r.external_id, r.errors)
    c = run.counts
    c.received += prepared.received
    c.rejected += len(prepared.rejects)
    c.accepted += len(prepared.items)
    c.created += done.created
    c.updated += done.updated
    c.unchanged += done.unchanged


def ingest(
    session: Session,
    ctx: Context,
    validator: Validator,
    run: Run,
    rows: Iterable[ParsedRow],
    commit_every_chunk: bool,
) -> None:
    """Prepare and store every row of a batch, committing as described above when asked to."""
    assert run.batch is not None
    entity = run.batch.entity
    preparer = Preparer(validator, PROJECTIONS[entity], ctx)
    since_commit, interval, seen = 0, CHUNK, 0
    parallel = commit_every_chunk and isinstance(rows, JsonLines) and (os.cpu_count() or 1) > 1
    workers: Workers | None = None
    handover = False
    try:
        for chunk in chunks(run.guarded(rows), CHUNK):
            prepared = preparer.prepare(chunk)
            apply(session, ctx, run, prepared, entity)
            since_commit += prepared.received
            seen += prepared.received
            if commit_every_chunk and since_commit >= interval:
                run.settle()
                session.commit()
                since_commit, interval = 0, min(interval * 2, COMMIT_MAX_ROWS)
            if parallel and workers is None and seen >= PARALLEL_AFTER:
                workers = _start_workers(session, ctx, validator, entity)
            if workers is not None and workers.ready():
                handover = True  # the workers take the rest of the file (if any is left)
                break
        run.settle()
        if handover:
            assert isinstance(rows, JsonLines) and workers is not None
            _finish_in_parallel(session, run, rows, workers)
    finally:
        if workers is not None:
            workers.close()
    session.flush()


def _start_workers(session: Session, ctx: Context, validator: Validator, entity: str) -> Workers:
    from cxloop.profiles.ingest.parallel import Setup, Workers

    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    args = (
        validator.entity,
        validator.mapping,
        validator.timezone,
        validator.default_region,
        validator.max_field_chars,
    )
    return Workers(Setup(url, ctx, args, entity))


def _finish_in_parallel(session: Session, run: Run, rows: JsonLines, workers: Workers) -> None:
    assert run.batch is not None
    session.commit()  # the workers write in their own transactions: release ours first
    log.info(
        "ingest batch %s: %d worker processes take over at line %d",
        run.batch.id,
        len(workers.procs),
        rows.next_line,
    )
    out = workers.run(rows)
    for name in COUNTERS:
        setattr(run.counts, name, getattr(out, name))
    for line, ext, errors in out.errors:
        run.note(line, ext, errors)
    run.truncated = run.truncated or out.truncated
    run.settle()
