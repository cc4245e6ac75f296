"""Collection through the API: personal links, the journey interaction, the outbox, idempotency."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cxloop.core.db import unit_of_work
from cxloop.core.jobs import Job
from tests.factories import World
from tests.surveys.helpers import FULL_ANSWERS, create_survey, make_customer, personal_link


def _count(model: object, *where: object) -> int:
    with unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_personal_link_answered_once_becomes_an_interaction(
    client: TestClient, world: World
) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world)
    link = personal_link(client, world, survey["id"], pid, fields={"product": "Fibre 1G"})
    assert len(link["token"]) >= 43 and link["path"] == f"/s/{link['token']}"
    assert link["version"] == 1 and link["expires_at"]

    r = client.post("/api/v1/respond", json={"token": link["token"], "answers": FULL_ANSWERS})
    assert r.status_code == 201, r.text
    assert r.json()["language"] == "th"  # the customer's profile language

    again = client.post("/api/v1/respond", json={"token": link["token"], "answers": FULL_ANSWERS})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "survey.link_used"

    c360 = client.get(f"/api/v1/customers/{pid}", headers=world.headers()).json()
    items = [i for i in c360["timeline"] if i["type"] == "survey_response"]
    assert len(items) == 1
    item = items[0]
    assert item["channel"] == "web"
    assert item["text"] == "The technician came late\n\n請準時"
    assert item["context"]["scores"]["nps"] == {"type": "nps", "value": 4, "scale": [0, 10],
                                                "category": "detractor"}  # fmt: skip
    assert item["source"] == "cxloop-surveys"

    from cxloop.journeys.models import Interaction

    assert _count(Interaction) == 1
    assert _count(Job, Job.kind == "survey.response_completed") == 1

    listed = client.get(
        f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers("analyst")
    )
    assert listed.status_code == 200
    [resp] = listed.json()
    assert resp["version"] == 1 and resp["answers"]["channel"] == "phone"
    assert resp["profile_id"] == pid


def test_open_answers_are_enriched_like_any_comment(client: TestClient, world: World) -> None:
    from cxloop.core import jobs

    survey = create_survey(client, world)
    pid = make_customer(client, world)
    link = personal_link(client, world, survey["id"], pid)
    r = client.post("/api/v1/respond", json={"token": link["token"], "answers": FULL_ANSWERS})
    assert r.status_code == 201, r.text
    assert _count(Job, Job.kind == "text.enrich") >= 1
    jobs.run_pending()
    c360 = client.get(f"/api/v1/customers/{pid}", headers=world.headers()).json()
    [item] = [i for i in c360["timeline"] if i["type"] == "survey_response"]
    # each open answer is analysed on its own: "The technician came late" is a complaint
    answers = {a["question_key"]: a for a in item["answers"]}
    assert list(answers) == ["why_low", "comment"]  # in question order
    assert answers["why_low"]["analysis"]["sentiment"] == "negative", answers
    assert any(t["label"] == "Technician visit" for t in answers["why_low"]["analysis"]["themes"])
    # the item's sentiment is the answers' when they agree, else "mixed"
    other = answers["comment"]["analysis"]["sentiment"]
    assert item["sentiment"] == ("negative" if other == "negative" else "mixed"), item
