"""Responses sent by another system (an IVR): Idempotency-Key replays and conflicts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cxloop.core.db import unit_of_work
from cxloop.surveys.models import SurveyAnswer, SurveyResponse
from tests.factories import World
from tests.surveys.helpers import FULL_ANSWERS, create_survey, make_customer, personal_link


def _responses() -> tuple[int, int]:
    with unit_of_work(write=False) as s:
        return (
            int(s.scalar(select(func.count()).select_from(SurveyResponse)) or 0),
            int(s.scalar(select(func.count()).select_from(SurveyAnswer)) or 0),
        )


def test_same_key_same_body_is_one_response(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world, language="zh-Hans")
    url = f"/api/v1/surveys/{survey['id']}/responses"
    body = {"answers": FULL_ANSWERS, "profile_id": pid, "channel": "phone"}
    h = {**world.headers("agent"), "Idempotency-Key": "ivr-call-8812"}
    first = client.post(url, json=body, headers=h)
    assert first.status_code == 201, first.text
    assert first.json()["language"] == "zh-Hans" and first.json()["channel"] == "phone"
    again = client.post(url, json=body, headers=h)
    assert again.status_code == 200 and again.json() == first.json()
    assert _responses() == (1, 6)

    changed = {k: v for k, v in FULL_ANSWERS.items() if k != "why_low"}
    other = client.post(url, json={**body, "answers": {**changed, "nps": 10}}, headers=h)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "survey.idempotency_conflict"
    assert _responses() == (1, 6)

    c360 = client.get(f"/api/v1/customers/{pid}", headers=world.headers()).json()
    [item] = [i for i in c360["timeline"] if i["type"] == "survey_response"]
    assert item["channel"] == "phone"

    no_key = client.post(url, json=body, headers=world.headers("agent"))
    assert no_key.status_code == 201 and _responses() == (2, 12)


def test_submission_needs_the_permission_and_an_active_survey(
    client: TestClient, world: World
) -> None:
    survey = create_survey(client, world, publish=False)
    url = f"/api/v1/surveys/{survey['id']}/responses"
    r = client.post(url, json={"answers": FULL_ANSWERS}, headers=world.headers("account_manager"))
    assert r.status_code == 403
    r = client.post(url, json={"answers": FULL_ANSWERS}, headers=world.headers("agent"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "survey.not_active"
    r = client.post(url, json={"answers": {"nps": "\x00"}}, headers=world.headers("agent"))
    assert r.status_code == 422


@pytest.mark.parametrize(
    "number",
    [b"18446744073709551616", b"9223372036854775808", b"-9223372036854775809", b"1" * 4000,
     b"1e309", b"-1e309", b"NaN", b"Infinity", b"2.5"],
)  # fmt: skip
def test_numbers_no_answer_can_hold_are_refused_naming_the_answer(
    client: TestClient, world: World, number: bytes
) -> None:
    survey = create_survey(client, world)
    link = personal_link(client, world, survey["id"], make_customer(client, world))
    answers = b'{"nps": ' + number + b', "channel": "phone", "csat": 2}'
    json_type = {"content-type": "application/json"}
    token = link["token"].encode()
    for url, body, headers in [
        (
            f"/api/v1/surveys/{survey['id']}/responses",
            b'{"answers": ' + answers + b"}",
            {**world.headers("agent"), **json_type, "Idempotency-Key": "k1"},
        ),
        ("/api/v1/respond", b'{"token": "' + token + b'", "answers": ' + answers + b"}", json_type),
    ]:
        r = client.post(url, content=body, headers=headers)
        assert r.status_code == 422, r.text
        fields = [e["field"] for e in r.json()["error"]["data"]["errors"]]
        assert fields and all(f.startswith("answers.nps") for f in fields), r.text
    assert _responses() == (0, 0)
