"""Open survey answers as comments: counted once in themes, verbatims that say their survey and
question, filters, re-enrichment, and the retirement of survey texts analysed before answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from cxloop.cli.main import app as cli
from cxloop.core import clock, jobs
from cxloop.core.db import unit_of_work
from cxloop.journeys import queries as journeys
from cxloop.text import volumes
from cxloop.text.enrich import Subject, enrich_subjects
from cxloop.text.models import TextEnrichment, TextLabel
from tests.factories import World
from tests.surveys.helpers import (
    IMPROVE,
    LIKED,
    PHONE,
    answer_survey,
    make_customer,
    two_open_survey,
)
from tests.text.comments import ingest_comments

BILL = ("I-7", "email", "My bill is wrong again, I was charged twice this month")


def _volumes(client: TestClient, world: World) -> dict[str, dict[str, Any]]:
    r = client.get("/api/v1/text/themes", headers=world.headers("analyst"))
    assert r.status_code == 200, r.text
    return {t["key"]: t for t in r.json()["themes"]}


def _subjects() -> list[tuple[str, int]]:
    with unit_of_work(write=False) as s:
        rows = s.execute(
            select(TextEnrichment.subject_type, TextEnrichment.subject_id).order_by(
                TextEnrichment.subject_type, TextEnrichment.subject_id
            )
        )
        return [(t, i) for t, i in rows]


def test_survey_text_counts_once_in_themes_and_verbatims(
    client: TestClient, world: World, rival: World
) -> None:
    survey = two_open_survey(client, world)
    sid = survey["id"]
    pid = make_customer(client, world)
    response_id = answer_survey(client, world, sid, pid)
    ingest_comments(client, world, [BILL])  # a billing complaint on another channel
    jobs.run_pending()
    assert [t for t, _ in _subjects()] == ["answer", "answer", "interaction"]

    themes = _volumes(client, world)
    assert themes["billing"]["volume"] == 2  # the email and the survey's "improve" answer
    assert themes["technician"]["volume"] == 1  # the survey's "liked" answer, once
    assert themes["staff_attitude"]["volume"] == 1
    # a full re-enrichment (CLI, retrain, POST /reenrich) changes none of it
    r = client.post("/api/v1/text/reenrich", headers=world.headers("analyst"))
    assert r.status_code == 202
    jobs.run_pending()
    assert _volumes(client, world) == themes
    assert len(_subjects()) == 3
    # emerging-theme detection sees three texts: two answers and one email
    with unit_of_work(write=False) as s:
        end = clock.now() + timedelta(days=1)
        counts, total = volumes.window_counts(s, world.workspace_id, end - timedelta(days=7), end)
    assert total == 3 and counts[themes["billing"]["id"]] == (2, 2)

    billing = themes["billing"]["id"]
    url = f"/api/v1/text/themes/{billing}/comments"

    def comments(role: str = "analyst", **params: Any) -> list[dict[str, Any]]:
        r = client.get(url, params=params, headers=world.headers(role))
        assert r.status_code == 200, r.text
        assert int(r.headers["X-Total-Count"]) == len(r.json())
        return list(r.json())

    everything = comments()
    assert sorted(c["subject_type"] for c in everything) == ["answer", "interaction"]
    [answer] = [c for c in everything if c["subject_type"] == "answer"]
    assert answer["survey"] == {
        "survey_id": sid,
        "survey": "After the installation",
        "question_key": "improve",
        "question": "What should we improve?",
        "response_id": response_id,
        "profile_id": pid,
    }
    assert answer["text"] == IMPROVE.replace(PHONE, "[PHONE]") and answer["redacted"] is True
    assert answer["sentiment"] == "negative" and answer["channel"] == "web"
    assert "Billing" in [answer["text"][h["start"] : h["end"]] for h in answer["highlights"]]
    [raw] = comments("agent", subject_type="answer")
    assert raw["text"] == IMPROVE and raw["redacted"] is False  # agents hold profiles.pii
    assert "Billing" in [raw["text"][h["start"] : h["end"]] for h in raw["highlights"]]
    [email] = comments(subject_type="interaction")
    assert email["survey"] is None
    assert [c["id"] for c in comments(survey_id=sid)] == [answer["id"]]
    assert [c["id"] for c in comments(survey_id=sid, question="improve")] == [answer["id"]]
    assert comments(survey_id=sid, question="liked") == []
    zh = comments(survey_id=sid, lang="zh-Hans")
    assert zh[0]["survey"]["question"] == "我们该改进什么？"
    detail = client.get(f"/api/v1/text/comments/{answer['id']}", headers=world.headers("analyst"))
    assert detail.json()["survey"]["question_key"] == "improve"

    for params, code in [
        ({"question": "improve"}, "text.invalid"),  # which survey?
        ({"subject_type": "interaction", "survey_id": sid}, "text.invalid"),
        ({"subject_type": "email"}, "request.invalid"),
        ({"survey_id": 0}, "request.invalid"),
    ]:
        r = client.get(url, params=params, headers=world.headers("analyst"))
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (params, r.text)
    r = client.get(url, params={"survey_id": 999_999}, headers=world.headers("analyst"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "survey.not_found"
    # another workspace can neither read these comments nor filter by this survey
    ingest_comments(client, rival, [BILL])
    theirs = _volumes(client, rival)["billing"]["id"]
    r = client.get(
        f"/api/v1/text/themes/{theirs}/comments?survey_id={sid}", headers=rival.headers()
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "survey.not_found"
    assert client.get(url, headers=rival.headers()).status_code == 404


def test_reenrichment_covers_answers(client: TestClient, world: World) -> None:
    survey = two_open_survey(client, world)
    answer_survey(client, world, survey["id"], make_customer(client, world))
    jobs.run_pending()
    with unit_of_work() as s:
        s.execute(update(TextEnrichment).values(model_version="text-0/an-older-model"))
    status = client.get("/api/v1/text/model", headers=world.headers("analyst")).json()
    assert (status["current"], status["stale"]) == (0, 2)

    r = client.post("/api/v1/text/reenrich", headers=world.headers("analyst"))
    assert r.status_code == 202
    job_id = r.json()["id"]
    jobs.run_pending()
    status = client.get("/api/v1/text/model", headers=world.headers("analyst")).json()
    assert (status["current"], status["stale"]) == (2, 0)
    with unit_of_work(write=False) as s:
        job = s.get(jobs.Job, job_id)
        assert job is not None and job.status == "done"
        assert job.result is not None and job.result["enriched"] == 2
        versions = set(s.scalars(select(TextEnrichment.model_version)))
    assert versions == {status["model_version"]}


def test_a_full_run_retires_survey_texts_analysed_before_answers(
    client: TestClient, world: World
) -> None:
    """Data from before answers were analysed one by one: the response's interaction was the
    subject. The next full run analyses the answers and drops those, moving a person's label
    to the answer when the response has only one."""
    survey = two_open_survey(client, world)
    first, second = make_customer(client, world, "C1"), make_customer(client, world, "C2")
    answer_survey(client, world, survey["id"], first)
    answer_survey(client, world, survey["id"], second, {"nps": 9, "liked": LIKED})
    with unit_of_work() as s:  # what the enrichment job did before: the interactions, whole
        s.execute(update(jobs.Job).where(jobs.Job.kind == "text.enrich").values(status="done"))
        rows = journeys.texts_page(s, world.workspace_id)
        assert len(rows) == 2
        enrich_subjects(s, world.workspace_id, "interaction", [Subject(*r) for r in rows])
    assert _volumes(client, world)["technician"]["volume"] == 2
    for _type, subject_id in _subjects():  # a person labelled both (thumbs down)
        with unit_of_work(write=False) as s:
            comment = s.scalar(
                select(TextEnrichment.id).where(TextEnrichment.subject_id == subject_id)
            )
        r = client.put(
            f"/api/v1/text/comments/{comment}/label",
            json={"thumbs": "down"},
            headers=world.headers("analyst"),
        )
        assert r.status_code == 200, r.text

    r = CliRunner().invoke(cli, ["text", "enrich", "-w", world.slug])  # what to run once
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "done: 3 enriched, 0 already up to date" in r.stdout
    assert "2 survey responses analysed as one text before" in r.stdout
    assert [t for t, _ in _subjects()] == ["answer"] * 3
    themes = _volumes(client, world)
    assert themes["technician"]["volume"] == 2 and themes["billing"]["volume"] == 1
    with unit_of_work(write=False) as s:
        labelled = s.execute(
            select(TextEnrichment.subject_type, TextEnrichment.redacted, TextLabel.label).join(
                TextLabel, TextLabel.enrichment_id == TextEnrichment.id
            )
        ).all()
    # the one-answer response's label now sits on that answer; the blended one is gone
    assert labelled == [("answer", LIKED, "negative")]
    from cxloop.text import service

    with unit_of_work() as s:
        again = service.run_enrichment(s, world.workspace_id, commit=True)
    assert (again.retired, again.enriched, again.up_to_date) == (0, 0, 3)
