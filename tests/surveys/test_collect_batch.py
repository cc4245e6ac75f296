"""Whole responses written in groups: the same rows as one by one, an outcome per submission,
responses begun on the web, a failed group written again one by one, and the writer thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError
from cxloop.core.jobs import Job
from cxloop.journeys.models import Interaction
from cxloop.surveys import collect_batch
from cxloop.surveys.collect_batch import GroupWriter, Stored, Submission, write_alone, write_group
from cxloop.surveys.models import SurveyAnswer, SurveyResponse
from tests.factories import World
from tests.surveys.helpers import FULL_ANSWERS, create_survey, make_customer

STORE = {"nps": 9, "channel": "store", "csat": 5, "comment": "ร้านดีมาก"}  # CES hidden by "store"


def _links(client: TestClient, world: World, n: int, kind: str = "personal") -> list[str]:
    survey = create_survey(client, world)
    tokens = []
    for i in range(n):
        extra: dict[str, Any] = {"kind": kind}
        if kind == "personal":
            extra["profile_id"] = make_customer(client, world, cid=f"C{i}")
        r = client.post(
            f"/api/v1/surveys/{survey['id']}/links", json=extra, headers=world.headers("agent")
        )
        assert r.status_code == 201, r.text
        tokens.append(r.json()["token"])
    return tokens


def _group(subs: list[Submission]) -> list[Any]:
    with unit_of_work() as s:
        return write_group(s, subs)


def _stored(response_id: int) -> dict[str, Any]:
    """Everything a response wrote, without ids and clock readings."""
    with unit_of_work(write=False) as s:
        r = s.get(SurveyResponse, response_id)
        assert r is not None
        answers = sorted(
            (a.question_key, a.question_type, a.value, a.score, a.text)
            for a in s.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == r.id))
        )
        inter = s.scalar(
            select(Interaction).where(Interaction.external_id == r.interaction_external_id)
        )
        assert inter is not None
        events = [
            j.payload
            for j in s.scalars(select(Job).where(Job.kind == "survey.response_completed"))
            if j.payload["response_id"] == r.id
        ]
        enrich = [
            j.payload
            for j in s.scalars(select(Job).where(Job.kind == "text.enrich"))
            if r.id in j.payload.get("response_ids", [])
        ]
        context = {k: v for k, v in inter.context.items() if k != "response_id"}
        payload = {
            k: v for k, v in inter.payload.items() if k not in ("response_id", "completed_at")
        }
        [event] = events
        return {
            "response": (r.status, r.language, r.channel, r.location, r.profile_id is not None,
                         r.resume_hash, r.passed, r.completed_at is not None,
                         r.interaction_external_id == f"survey-response-{r.id}"),
            "answers": answers,
            "interaction": (inter.channel, inter.type, inter.text, inter.customer_ref.startswith("C"),
                            context, payload, inter.content_hash is not None),
            "event": {k: v for k, v in event.items() if k not in ("response_id", "interaction")},
            "enriched": len(enrich),
        }  # fmt: skip


@pytest.mark.parametrize("answers", [FULL_ANSWERS, STORE], ids=["full", "skip-logic"])
def test_a_group_stores_what_one_by_one_stores(
    client: TestClient, world: World, answers: dict[str, Any]
) -> None:
    alone, grouped, other = _links(client, world, 3)
    reference = write_alone(Submission(alone, answers, accept_language="zh-TW"))
    outcomes = _group([Submission(grouped, answers, accept_language="zh-TW"),
                       Submission(other, FULL_ANSWERS)])  # fmt: skip
    assert isinstance(reference, Stored) and all(isinstance(o, Stored) for o in outcomes)
    assert outcomes[0].language == reference.language == "th"  # the profile's language wins
    ours, theirs = _stored(outcomes[0].id), _stored(reference.id)
    assert ours == theirs
    assert ours["enriched"] == 1  # the open answers are queued for text analytics, one by one
    if answers is STORE:
        assert "ces" not in [a[0] for a in ours["answers"]]
    # both links are used now
    again = _group([Submission(grouped, answers), Submission(alone, answers)])
    assert [getattr(o, "code", None) for o in again] == ["survey.link_used"] * 2


def test_every_submission_in_a_group_gets_its_own_outcome(client: TestClient, world: World) -> None:
    a, b, c, used = _links(client, world, 4)
    [public] = _links(client, world, 1, kind="public")
    assert isinstance(_group([Submission(used, FULL_ANSWERS)])[0], Stored)
    out = _group([
        Submission(a, FULL_ANSWERS),
        Submission("x" * 43, FULL_ANSWERS),  # no such link
        Submission(a, FULL_ANSWERS),  # the same link again in the same group
        Submission(b, {**FULL_ANSWERS, "nps": 11}),  # out of range
        Submission(used, FULL_ANSWERS),
        Submission(c, {"nps": 4}),  # required answers missing
        Submission(public, FULL_ANSWERS),
        Submission(public, STORE),  # a public link takes many responses
    ])  # fmt: skip
    codes = [o.code if isinstance(o, AppError) else "stored" for o in out]
    assert codes == ["stored", "survey.link_invalid", "survey.link_used",
                     "survey.answer_invalid", "survey.link_used", "survey.answer_invalid",
                     "stored", "stored"]  # fmt: skip
    assert "answers.nps" in str(out[3])
    # the refused ones wrote nothing and their links stay usable
    assert isinstance(_group([Submission(b, FULL_ANSWERS)])[0], Stored)
    with unit_of_work(write=False) as s:
        assert len(s.scalars(select(SurveyResponse)).all()) == 5


def test_a_response_begun_on_the_web_is_completed(client: TestClient, world: World) -> None:
    [token] = _links(client, world, 1)
    r = client.post(f"/s/{token}", data={"q": "nps", "answer": ["3"]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with unit_of_work(write=False) as s:
        [(partial_id, status)] = s.execute(select(SurveyResponse.id, SurveyResponse.status)).all()
        assert status == "partial"
    [out] = _group([Submission(token, FULL_ANSWERS)])
    assert isinstance(out, Stored) and out.id == partial_id and out.status == "completed"
    stored = _stored(out.id)
    assert {a[0]: a[2] for a in stored["answers"]} == FULL_ANSWERS


def test_a_failed_group_is_written_one_by_one(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = _links(client, world, 3)

    def broken(session: Any, subs: list[Submission]) -> list[Any]:
        raise RuntimeError("lost a race")

    monkeypatch.setattr(collect_batch, "write_group", broken)
    writer = GroupWriter()
    futures = [writer.submit(Submission(t, FULL_ANSWERS)) for t in [*tokens, "y" * 43]]
    outcomes = [f.result(timeout=30) for f in futures]
    assert [type(o).__name__ for o in outcomes] == ["Stored", "Stored", "Stored", "NotFound"]
    with unit_of_work(write=False) as s:
        assert len(s.scalars(select(SurveyResponse)).all()) == 3


def test_the_writer_groups_concurrent_submissions(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = _links(client, world, 24)
    sizes: list[int] = []
    real = collect_batch.write_group
    first_in = threading.Event()

    def measured(session: Any, subs: list[Submission]) -> list[Any]:
        sizes.append(len(subs))
        if len(sizes) == 1:  # hold the writer until every other submission has queued
            first_in.set()
            deadline = time.monotonic() + 60
            while writer._queue.qsize() < len(tokens) - 1 and time.monotonic() < deadline:
                time.sleep(0.01)
        return real(session, subs)

    monkeypatch.setattr(collect_batch, "write_group", measured)
    writer = GroupWriter(max_group=16)
    results: list[Any] = [None] * len(tokens)

    def send(i: int) -> None:
        try:
            results[i] = writer.submit(Submission(tokens[i], FULL_ANSWERS)).result(timeout=60)
        except Exception as exc:  # shown by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(tokens))]
    threads[0].start()  # alone in the first group (on a busy machine the writer may start late)
    assert first_in.wait(10)
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join(90)
    assert all(isinstance(r, Stored) for r in results), results
    assert len({r.id for r in results}) == len(tokens)
    assert sizes == [1, 16, 7]  # the queue is written in groups, none past the cap
