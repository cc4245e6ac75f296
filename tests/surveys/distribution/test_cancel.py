"""Cancelling a distribution while its job is sending: the job stops after the batch in flight,
and the distribution stays cancelled (it is not marked done afterwards)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core import config, jobs
from cxloop.core.audit import AuditEntry
from cxloop.core.db import unit_of_work
from tests.factories import World
from tests.surveys.channels.conftest import SmtpServer
from tests.surveys.helpers import create_survey

from .conftest import audience, customers, distribute, email, invitations, status_of

N = 24
BATCH = 4


def test_cancel_while_sending_stops_after_the_batch_in_flight(
    client: TestClient, world: World, slow_mail: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXLOOP_SURVEY_SEND_BATCH", str(BATCH))
    config.get_settings.cache_clear()
    survey = create_survey(client, world)
    customers(client, world, [{"id": f"C{i}", "email": email(i)} for i in range(N)])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    received = slow_mail.handler.received
    worker = threading.Thread(target=jobs.run_one)  # the distribution's job, as a worker runs it
    worker.start()
    deadline = time.time() + 30
    while len(received) < BATCH + 1 and time.time() < deadline:
        time.sleep(0.01)
    r = client.post(f"/api/v1/distributions/{dist['id']}/cancel", headers=world.headers())
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    at_cancel = len(received)
    worker.join(timeout=60)
    assert not worker.is_alive()

    assert BATCH < at_cancel < N
    assert len(received) <= at_cancel + BATCH  # at most the rest of the batch in flight
    after = status_of(client, world, dist["id"])
    assert after["status"] == "cancelled" and after["finished_at"] is None, after
    statuses = [inv.status for inv in invitations(dist["id"])]
    assert statuses.count("sent") == len(received) and "queued" in statuses, statuses
    with unit_of_work(write=False) as s:
        actions = set(
            s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(dist["id"])))
        )
    assert "distribution.cancel" in actions and "distribution.finish" not in actions, actions
    jobs.run_pending()  # later jobs of the distribution send nothing more
    assert len(received) <= at_cancel + BATCH
