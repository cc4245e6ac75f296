"""The streaming path: one new comment, or a new survey answer, is enriched by the app's own
worker within a second."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core import jobs
from cxloop.core.db import unit_of_work
from cxloop.text.heads import warm_up
from cxloop.text.models import TextEnrichment
from tests.factories import World, make_source, post_records
from tests.text.comments import interaction


def _idle() -> None:
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        with unit_of_work(write=False) as s:
            if not s.scalar(select(jobs.Job.id).where(jobs.Job.status.in_(("queued", "running")))):
                return
        time.sleep(0.02)
    raise AssertionError("jobs still pending")


def test_a_single_new_comment_is_enriched_within_a_second(world: World) -> None:
    from cxloop.api.app import create_app

    warm_up()  # what the app does at start, in the background
    with TestClient(create_app(worker=True)) as client:
        make_source(world, "support", "support")
        post_records(client, world, "support", "customer", [{"id": "C-1", "full_name": "Ann"}])
        _idle()  # identity resolution of the new customer has run
        timings = []
        for i, text in enumerate(
            ["網路又斷線了，請盡快處理", "The bill is wrong, I was charged twice", "ขอบคุณมากค่ะ"]
        ):
            started = time.perf_counter()
            r = post_records(
                client, world, "support", "interaction", [interaction(f"S-{i}", "chat", text)]
            )
            assert r.status_code == 200
            posted = time.perf_counter() - started
            found = None
            while found is None and time.perf_counter() - started < 5:
                with unit_of_work(write=False) as s:
                    found = s.scalar(
                        select(TextEnrichment.sentiment).where(TextEnrichment.redacted == text)
                    )
                if found is None:
                    time.sleep(0.01)
            timings.append((round(posted, 3), round(time.perf_counter() - started, 3)))
            assert found is not None, f"{text!r} was not enriched"
    print("seconds (POST answered, enrichment stored):", timings)
    assert max(total for _, total in timings) < 1.0


def test_a_new_survey_answer_is_enriched_within_a_second(world: World) -> None:
    from cxloop.api.app import create_app
    from tests.surveys.helpers import make_customer, personal_link, two_open_survey

    warm_up()
    with TestClient(create_app(worker=False)) as setup:  # the survey and two customers first
        survey = two_open_survey(setup, world)
        tokens = [
            personal_link(setup, world, survey["id"], make_customer(setup, world, f"C{i}"))["token"]
            for i in range(2)
        ]
    with TestClient(create_app(worker=True)) as client:
        timings = []
        for token, (liked, comment) in zip(
            tokens,
            [
                ("ขอบคุณมากค่ะ", "網路又斷線了，請盡快處理"),
                ("Great service", "The bill is wrong again"),
            ],
            strict=True,
        ):
            _idle()
            answers = {"nps": 5, "liked": liked, "improve": comment}
            started = time.perf_counter()
            r = client.post("/api/v1/respond", json={"token": token, "answers": answers})
            assert r.status_code == 201, r.text
            posted = time.perf_counter() - started
            found: list[str] = []
            while len(found) < 2 and time.perf_counter() - started < 5:
                with unit_of_work(write=False) as s:
                    found = list(
                        s.scalars(
                            select(TextEnrichment.subject_type).where(
                                TextEnrichment.redacted.in_([comment, liked])
                            )
                        )
                    )
                if len(found) < 2:
                    time.sleep(0.01)
            timings.append((round(posted, 3), round(time.perf_counter() - started, 3)))
            assert found == ["answer", "answer"], f"{comment!r} was not enriched"
    print("seconds (POST answered, both answers' enrichments stored):", timings)
    assert max(total for _, total in timings) < 1.0
