"""kill -9 of the worker in the middle of sending a distribution, then a new worker.

Email: every customer of the audience has exactly one invitation, every invitation is sent, and
each invitation confirmed as sent before the kill reached the SMTP server exactly once.
Invitations of the batch cut off mid-call are sent again (email is at-least-once, documented
in docs/surveys.md), so only they may arrive twice.

SMS: the batch cut off mid-call is marked ``failed`` with ``send.unconfirmed`` and never sent
again (at-most-once: the Messages API has no idempotency key); every other invitation reaches
the provider exactly once.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core.db import dispose_engines, unit_of_work
from cxloop.surveys.models_distribution import Distribution, Invitation
from tests.e2e.sending import (
    email_tags,
    log_tail,
    sms_env,
    sms_tags,
    smtp_env,
    start_worker,
    stop,
)
from tests.factories import World
from tests.surveys.channels.conftest import SlowHandler, free_port
from tests.surveys.channels.fake_twilio import FakeTwilio
from tests.surveys.channels.fake_twilio import start as start_twilio
from tests.surveys.distribution.conftest import audience, customers, distribute, email
from tests.surveys.helpers import create_survey

N = 40
BATCH = 8
LEASE = 4  # seconds: a claim older than this was cut off by the kill
SENDING = {"CXLOOP_SURVEY_SEND_BATCH": str(BATCH), "CXLOOP_SURVEY_SEND_LEASE_SECONDS": str(LEASE)}


def _rows(dist_id: int) -> list[tuple[int, int, str]]:
    with unit_of_work(write=False) as s:
        return [
            (r.id, r.profile_id, r.status)
            for r in s.scalars(select(Invitation).where(Invitation.distribution_id == dist_id))
        ]


def test_kill9_mid_batch_loses_and_duplicates_no_invitation(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": f"K{i}", "email": email(i)} for i in range(N)])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    handler = SlowHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    dispose_engines()
    first = start_worker(tmp_path, {**smtp_env(controller.port), **SENDING}, 1)
    second: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.time() + 60
        while len(handler.received) < BATCH + BATCH // 2 and time.time() < deadline:
            assert first.poll() is None, log_tail(tmp_path, 1)
            time.sleep(0.02)
        first.kill()  # SIGKILL: no cleanup, mid-batch
        first.wait(timeout=10)
        at_kill = _rows(dist["id"])
        emails_at_kill = email_tags(handler)
        confirmed = {row_id for row_id, _p, status in at_kill if status == "sent"}
        claimed = {row_id for row_id, _p, status in at_kill if status == "sending"}
        assert len(at_kill) == N  # expanded before the first batch
        assert confirmed and claimed, at_kill  # the kill landed in the middle of a batch
        assert 0 < len(emails_at_kill) < N

        second = start_worker(tmp_path, {**smtp_env(controller.port), **SENDING}, 2)
        deadline = time.time() + 90
        while time.time() < deadline:
            rows = _rows(dist["id"])
            if all(status == "sent" for _i, _p, status in rows):
                break
            assert second.poll() is None, log_tail(tmp_path, 2)
            time.sleep(0.2)
        rows = _rows(dist["id"])
    finally:
        stop(first, second)
        controller.stop()

    assert sorted(p for _i, p, _s in rows) == sorted(ids.values())  # one invitation each
    assert {s for _i, _p, s in rows} == {"sent"}, rows
    emails = email_tags(handler)
    assert set(emails) == {row_id for row_id, _p, _s in rows}  # every invitation arrived
    for row_id in confirmed:
        assert emails[row_id] == 1, (row_id, emails[row_id])  # confirmed sends: exactly once
    twice = {row_id for row_id, n in emails.items() if n > 1}
    assert twice <= claimed  # only the batch cut off mid-call may arrive twice
    assert len(handler.received) <= N + BATCH


def phone(i: int) -> str:
    """A Thai mobile number per customer, far from every other one's (no 'typo' matches)."""
    return f"+668{(1234567 + i * 7919) % 10**8:08d}"


def _settled(dist_id: int) -> tuple[str, dict[int, tuple[str, str | None]]]:
    """The distribution's status and each invitation's status and error code."""
    with unit_of_work(write=False) as s:
        dist = s.get(Distribution, dist_id)
        assert dist is not None
        rows = {
            r.id: (r.status, r.error_code)
            for r in s.scalars(select(Invitation).where(Invitation.distribution_id == dist_id))
        }
        return dist.status, rows


def test_kill9_mid_sms_batch_fails_the_unconfirmed_and_sends_nothing_twice(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": f"P{i}", "phone": phone(i)} for i in range(N)])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["sms"]
    )
    fake = FakeTwilio(delay=0.12)  # slow answers, so that the kill lands in the middle of a batch
    server, thread = start_twilio(fake)
    dispose_engines()
    first = start_worker(tmp_path, {**sms_env(fake), **SENDING}, 1)
    second: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.time() + 60
        while len(fake.requests) < BATCH + BATCH // 2 and time.time() < deadline:
            assert first.poll() is None, log_tail(tmp_path, 1)
            time.sleep(0.02)
        first.kill()  # SIGKILL: no cleanup, mid-batch
        first.wait(timeout=10)
        _status, at_kill = _settled(dist["id"])
        texts_at_kill = sms_tags(fake)
        confirmed = {i for i, (status, _e) in at_kill.items() if status == "sent"}
        claimed = {i for i, (status, _e) in at_kill.items() if status == "sending"}
        assert len(at_kill) == N  # expanded before the first batch
        assert confirmed and claimed, at_kill  # the kill landed in the middle of a batch
        assert any(texts_at_kill[i] for i in claimed)  # some of the cut-off batch did leave

        second = start_worker(tmp_path, {**sms_env(fake), **SENDING}, 2)
        deadline = time.time() + 90
        while time.time() < deadline:
            status, rows = _settled(dist["id"])
            if status == "done":
                break
            assert second.poll() is None, log_tail(tmp_path, 2)
            time.sleep(0.2)
        status, rows = _settled(dist["id"])
    finally:
        stop(first, second)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    assert status == "done", rows
    with unit_of_work(write=False) as s:
        profiles = sorted(
            s.scalars(select(Invitation.profile_id).where(Invitation.distribution_id == dist["id"]))
        )
    assert profiles == sorted(ids.values())  # one invitation each
    for row_id in claimed:  # claimed but unconfirmed at the kill: failed, at-most-once
        assert rows[row_id] == ("failed", "send.unconfirmed"), (row_id, rows[row_id])
    others = set(rows) - claimed
    assert {rows[i][0] for i in others} == {"sent"}, rows
    texts = sms_tags(fake)
    assert max(texts.values()) == 1, texts  # no SMS ever reached the provider twice
    for row_id in claimed:
        assert texts[row_id] == texts_at_kill[row_id]  # nothing sent for them after the kill
    assert all(texts[i] == 1 for i in others)  # every other invitation was sent exactly once
