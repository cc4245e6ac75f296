"""Two `cxloop worker` processes sending at the same time, against a real SMTP server.

PostgreSQL claims invitations with ``FOR UPDATE SKIP LOCKED``; SQLite has one writer at a time
(``BEGIN IMMEDIATE``), which also holds across processes — a `cxloop serve` with its worker
thread next to a `cxloop worker` is a supported SQLite set-up — so both databases run these.

1. One distribution run by both workers at once (a second job for it: in production a trigger
   poll moves its follow-up job to now while a run is going): every invitation reaches the SMTP
   server exactly once, both workers sent some, the distribution finishes, audited once.
2. Two distributions of the same audience, one per worker: the contact-frequency rule still
   holds, each customer gets one email and the other invitation is skipped as ``frequency``.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core import clock, jobs
from cxloop.core.audit import AuditEntry
from cxloop.core.db import dispose_engines, unit_of_work
from cxloop.surveys.distribution import RUN
from cxloop.surveys.models_distribution import Distribution, Invitation
from tests.e2e.sending import email_tags, log_tail, smtp_env, start_worker, stop
from tests.factories import World
from tests.surveys.channels.conftest import SlowHandler, free_port
from tests.surveys.distribution.conftest import audience, customers, distribute, email
from tests.surveys.helpers import create_survey

N = 48
BATCH = 4
SENDING = {"CXLOOP_SURVEY_SEND_BATCH": str(BATCH), "CXLOOP_SURVEY_SEND_LEASE_SECONDS": "120"}
START_IN = 5  # seconds: both workers are up before the jobs are due


def _later(client: TestClient, world: World, survey_id: int, segment_id: int) -> int:
    """A distribution planned a few seconds from now, so that both workers are ready for it."""
    at = (clock.now() + timedelta(seconds=START_IN)).isoformat()
    body = {"segment_id": segment_id, "channels": ["email"], "mode": "scheduled"}
    return int(distribute(client, world, survey_id, **body, scheduled_at=at)["id"])


def _status(dist_ids: list[int]) -> tuple[list[str], dict[int, tuple[int, int, str, str | None]]]:
    """Each distribution's status; each invitation's distribution, customer, status, reason."""
    with unit_of_work(write=False) as s:
        statuses = [s.get(Distribution, d).status for d in dist_ids]  # type: ignore[union-attr]
        rows = {
            r.id: (r.distribution_id, r.profile_id, r.status, r.reason)
            for r in s.scalars(select(Invitation).where(Invitation.distribution_id.in_(dist_ids)))
        }
        return statuses, rows


def _run_jobs(dist_id: int) -> list[jobs.Job]:
    with unit_of_work(write=False) as s:
        found = s.scalars(select(jobs.Job).where(jobs.Job.kind == RUN).order_by(jobs.Job.id))
        out = [j for j in found if j.payload.get("distribution_id") == dist_id]
        s.expunge_all()
        return out


def _audited(dist_id: int) -> Counter[str]:
    with unit_of_work(write=False) as s:
        return Counter(
            s.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.entity_type == "distribution", AuditEntry.entity_id == str(dist_id)
                )
            )
        )


def _send_with_two_workers(
    tmp_path: Path, handler: SlowHandler, dist_ids: list[int]
) -> tuple[list[str], dict[int, tuple[int, int, str, str | None]]]:
    """Run two worker processes until every distribution is done; return the final state."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    dispose_engines()
    env = {**smtp_env(controller.port), **SENDING}
    workers: list[subprocess.Popen[bytes]] = []
    try:
        workers = [start_worker(tmp_path, env, n) for n in (1, 2)]
        deadline = time.time() + 120
        while time.time() < deadline:
            if set(_status(dist_ids)[0]) == {"done"}:
                break
            for n, w in enumerate(workers, 1):
                assert w.poll() is None, log_tail(tmp_path, n)
            time.sleep(0.2)
        return _status(dist_ids)
    finally:
        stop(*workers)
        controller.stop()


def test_two_workers_on_one_distribution_send_each_invitation_once(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": f"T{i}", "email": email(i)} for i in range(N)])
    dist_id = _later(client, world, survey["id"], audience(client, world))
    [first] = _run_jobs(dist_id)
    with unit_of_work() as s:  # a second runner of the same distribution
        jobs.enqueue(s, RUN, {"distribution_id": dist_id}, world.workspace_id, first.run_after)
    handler = SlowHandler(delay=0.1)

    statuses, rows = _send_with_two_workers(tmp_path, handler, [dist_id])

    assert statuses == ["done"], rows
    assert sorted(p for _d, p, _s, _r in rows.values()) == sorted(ids.values())
    assert {s for _d, _p, s, _r in rows.values()} == {"sent"}, rows
    emails = email_tags(handler)
    assert emails == Counter(dict.fromkeys(rows, 1)), emails  # each invitation exactly once
    assert len(handler.received) == N
    runs = _run_jobs(dist_id)[:2]
    sent_by = [int((j.result or {}).get("sent", 0)) for j in runs]
    assert all(sent_by) and sum(sent_by) == N, [(j.status, j.result) for j in runs]  # both sent
    audited = _audited(dist_id)
    assert audited["distribution.start"] == 1 and audited["distribution.finish"] == 1, audited


def test_two_workers_on_two_distributions_keep_the_frequency_rule(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    ids = customers(client, world, [{"id": f"F{i}", "email": email(i)} for i in range(N)])
    segment = audience(client, world)
    first = create_survey(client, world)
    second = create_survey(client, world)
    dist_ids = [_later(client, world, s["id"], segment) for s in (first, second)]
    handler = SlowHandler(delay=0.1)

    statuses, rows = _send_with_two_workers(tmp_path, handler, dist_ids)

    assert statuses == ["done", "done"], rows
    per_customer: dict[int, list[tuple[str, str | None]]] = {}
    for _d, profile, status, reason in rows.values():
        per_customer.setdefault(profile, []).append((status, reason))
    assert sorted(per_customer) == sorted(ids.values())
    for profile, got in per_customer.items():  # one email, the other skipped by the rule
        assert sorted(got) == [("sent", None), ("skipped", "frequency")], (profile, got)
    emails = email_tags(handler)
    assert sorted(emails) == sorted(i for i, (_d, _p, s, _r) in rows.items() if s == "sent")
    assert set(emails.values()) == {1} and len(handler.received) == N
    for dist_id in dist_ids:  # both workers worked: each distribution sent to some customers
        assert any(d == dist_id and s == "sent" for d, _p, s, _r in rows.values()), rows
