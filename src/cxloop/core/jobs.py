"""Durable background jobs (the outbox): enqueued in the caller's transaction, run after commit.

A job row is written in the same transaction as the change that caused it, so a crash either loses
both or neither. Workers claim jobs with a lease; a job whose worker died is claimed again once the
lease expires, so handlers must be idempotent.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from cxloop.core import clock
from cxloop.core.db import Base, is_sqlite, new_session
from cxloop.core.types import IdType, JsonType, UTCDateTime

log = logging.getLogger(__name__)

Handler = Callable[[Session, "Job"], dict[str, Any] | None]
_handlers: dict[str, Handler] = {}
LEASE = timedelta(minutes=10)


class Job(Base):
    """A unit of background work and its outcome."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


def register(kind: str) -> Callable[[Handler], Handler]:
    """Decorator registering the handler of a job kind."""

    def deco(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return deco


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    workspace_id: int | None = None,
    run_after: datetime | None = None,
    *,
    flush: bool = True,
) -> Job:
    """Add a job in the caller's transaction; it runs only if that transaction commits.

    ``flush=False`` leaves the INSERT to the transaction's next flush (the job has no id yet).
    """
    job = Job(
        workspace_id=workspace_id,
        kind=kind,
        payload=payload,
        run_after=run_after or clock.now(),
        created_at=clock.now(),
    )
    session.add(job)
    if flush:
        session.flush()
    return job


def enqueue_many(
    session: Session, kind: str, items: Sequence[tuple[int | None, dict[str, Any]]]
) -> None:
    """Add jobs of one kind, ``(workspace_id, payload)`` each, in one INSERT (no ids back)."""
    if not items:
        return
    t = clock.now()
    rows = [
        {"workspace_id": ws, "kind": kind, "payload": payload, "run_after": t, "created_at": t}
        for ws, payload in items
    ]
    session.execute(insert(Job), rows)


def _claim(session: Session) -> Job | None:
    t = clock.now()
    stmt = (
        select(Job)
        .where(
            ((Job.status == "queued") & (Job.run_after <= t))
            | ((Job.status == "running") & (Job.lease_until < t))
        )
        .order_by(Job.id)
        .limit(1)
    )
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        stmt = stmt.with_for_update(skip_locked=True)
    job = session.scalars(stmt).first()
    if job is None:
        return None
    job.status = "running"
    job.attempts += 1
    job.started_at = t
    job.lease_until = t + LEASE
    session.commit()
    return job


def run_one() -> bool:
    """Claim and run one due job; return whether there was one."""
    session = new_session(write=True)
    try:
        job = _claim(session)
        if job is None:
            session.rollback()
            return False
        job_id = job.id
        handler = _handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler registered for job kind {job.kind!r}")
            result = handler(session, job)
            job.status = "done"
            job.result = result or {}
            job.finished_at = clock.now()
            job.lease_until = None
            session.commit()
        except Exception as exc:  # a failed job must never kill the worker
            session.rollback()
            log.warning("job %s (%s) failed: %s", job_id, job.kind, exc)
            failed = session.get(Job, job_id)
            if failed is not None:
                retry = failed.attempts < failed.max_attempts
                session.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(
                        status="queued" if retry else "failed",
                        error=traceback.format_exc()[-4000:],
                        lease_until=None,
                        run_after=clock.now() + timedelta(seconds=5 * failed.attempts),
                        finished_at=None if retry else clock.now(),
                    )
                )
                session.commit()
        return True
    finally:
        session.close()


def run_pending(limit: int = 1000) -> int:
    """Run due jobs until none is left (or ``limit``); return how many ran."""
    count = 0
    while count < limit and run_one():
        count += 1
    return count


class Worker:
    """A background thread that runs jobs; woken after every commit, polls otherwise."""

    def __init__(self, poll_seconds: float = 2.0) -> None:
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Ask the worker to look for work now."""
        self._wake.set()

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._loop, name="cxloop-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_pending(limit=100)
            except Exception:  # keep the worker alive through database hiccups
                log.exception("job worker loop failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
