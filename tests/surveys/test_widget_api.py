"""The website widget end to end without a browser: keys and origins (managers, audited), the
public answer endpoint's CORS, checks and limits, and the response it stores."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cxloop.core.db import unit_of_work
from cxloop.core.jobs import Job
from cxloop.surveys import limits
from tests.factories import World
from tests.surveys.helpers import create_survey, definition, make_customer

SHOP = "https://shop.example"
URL = "/api/v1/widget/answers"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limits.WIDGET.reset()
    yield
    limits.WIDGET.reset()


def nps_survey(client: TestClient, world: World, **changes: Any) -> dict[str, Any]:
    """An NPS question and an optional comment: what the widget can answer."""
    d = definition()
    questions = [d["questions"][0], d["questions"][-1]]
    return create_survey(client, world, "Widget", **{"questions": questions, **changes})


def make_key(client: TestClient, world: World, surveys: list[int], **extra: Any) -> dict[str, Any]:
    body = {"name": "Shop", "surveys": surveys, "origins": [SHOP], **extra}
    r = client.post("/api/v1/widget/keys", json=body, headers=world.headers("analyst"))
    assert r.status_code == 201, r.text
    return dict(r.json())


def post(client: TestClient, body: dict[str, Any], origin: str | None = SHOP) -> Any:
    headers = {"Origin": origin} if origin else {}
    return client.post(URL, json=body, headers=headers)


def answer(k: dict[str, Any], s: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"key": k["public_key"], "survey": str(s["id"]), "score": 9, **extra}


def _count(model: object, *where: object) -> int:
    with unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_keys_are_managed_by_survey_managers_and_audited(
    client: TestClient, world: World, rival: World
) -> None:
    survey = nps_survey(client, world)
    body = {"name": "Shop", "surveys": [survey["id"]],
            "origins": ["HTTPS://Shop.Example:443/", "http://localhost:3000", SHOP]}  # fmt: skip
    assert client.post("/api/v1/widget/keys", json=body).status_code == 401
    assert client.post("/api/v1/widget/keys", json=body, headers=world.headers("agent")).status_code == 403  # fmt: skip
    r = client.post("/api/v1/widget/keys", json=body, headers=world.headers("analyst"))
    assert r.status_code == 201, r.text
    key = r.json()
    assert key["public_key"].startswith("pk_") and len(key["public_key"]) == 27
    assert key["origins"] == [SHOP, "http://localhost:3000"]  # normalised, duplicates dropped
    assert key["channel"] == "web" and key["surveys"] == [survey["id"]]
    assert f'data-key="{key["public_key"]}"' in key["embed"]

    bad = client.post("/api/v1/widget/keys", headers=world.headers(),
                      json={**body, "origins": [SHOP, "https://*.shop.example"]})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["data"]["errors"][0]["field"] == "origins[1]"
    bad = client.post(
        "/api/v1/widget/keys", headers=world.headers(), json={**body, "surveys": [999]}
    )
    assert bad.status_code == 422 and "surveys[0]" in bad.json()["error"]["message"]
    bad = client.post("/api/v1/widget/keys", headers=world.headers(),
                      json={**body, "customer_source": "nope"})  # fmt: skip
    assert bad.status_code == 422 and "customer_source" in bad.json()["error"]["message"]
    bad = client.post(
        "/api/v1/widget/keys", headers=world.headers(), json={**body, "name": "a\x00"}
    )
    assert bad.status_code == 422

    kid = key["id"]
    changed = client.patch(f"/api/v1/widget/keys/{kid}", headers=world.headers(),
                           json={"origins": ["https://m.shop.example"], "channel": "app"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["origins"] == ["https://m.shop.example"]
    assert changed.json()["channel"] == "app"
    listed = client.get("/api/v1/widget/keys", headers=world.headers()).json()
    assert [k["id"] for k in listed] == [kid]
    assert client.get(f"/api/v1/widget/keys/{kid}", headers=rival.headers()).status_code == 404
    assert client.get("/api/v1/widget/keys", headers=rival.headers()).json() == []
    revoked = client.post(f"/api/v1/widget/keys/{kid}/revoke", headers=world.headers())
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]

    audit = client.get(f"/api/v1/audit?entity_type=widget_key&entity_id={kid}",
                       headers=world.headers()).json()  # fmt: skip
    actions = [e["action"] for e in audit]
    assert sorted(actions) == [
        "survey.widget_key_create", "survey.widget_key_revoke", "survey.widget_key_update",
    ]  # fmt: skip


def test_preflight_and_answer_from_an_allowed_origin(client: TestClient, world: World) -> None:
    survey = nps_survey(client, world)
    key = make_key(client, world, [survey["id"]])
    ok = client.options(URL, headers={"Origin": SHOP, "Access-Control-Request-Method": "POST",
                                      "Access-Control-Request-Headers": "content-type"})  # fmt: skip
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == SHOP
    assert "access-control-allow-credentials" not in ok.headers
    for origin in ("https://evil.example", "null", "https://shop.example.evil"):
        no = client.options(
            URL, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        )
        assert no.status_code == 403 and "access-control-allow-origin" not in no.headers
    wild = client.options(URL, headers={"Origin": SHOP, "Access-Control-Request-Method": "PUT"})
    assert wild.status_code == 403

    r = post(client, answer(key, survey, comment="  很好 👍 ", lang="zh-Hant", customer="C1"))
    assert r.status_code == 201, r.text
    assert r.headers["access-control-allow-origin"] == SHOP and r.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in r.headers
    [resp] = client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers()).json()
    assert resp["answers"] == {"nps": 9, "comment": "很好 👍"}
    assert (resp["channel"], resp["language"], resp["status"]) == ("web", "zh-Hant", "completed")
    assert resp["profile_id"] is None  # the key trusts no customer reference: anonymous
    assert _count(Job, Job.kind == "survey.response_completed") == 1
    from cxloop.journeys.models import Interaction

    assert _count(Interaction, Interaction.channel == "web") == 1


@pytest.mark.parametrize(
    ("origin", "status"), [("https://evil.example", 403), (None, 403), ("null", 403)]
)
def test_answer_from_another_origin_is_refused_without_cors(
    client: TestClient, world: World, origin: str | None, status: int
) -> None:
    survey = nps_survey(client, world)
    key = make_key(client, world, [survey["id"]])
    r = post(client, answer(key, survey), origin)
    assert r.status_code == status
    assert r.json()["error"]["code"] == "widget.origin_not_allowed"
    assert "access-control-allow-origin" not in r.headers
    assert client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers()).json() == []  # fmt: skip


def test_answers_are_checked_against_the_key_and_the_survey(
    client: TestClient, world: World
) -> None:
    survey = nps_survey(client, world)
    other = nps_survey(client, world)
    key = make_key(client, world, [survey["id"]])

    def code(r: Any) -> tuple[int, str]:
        return r.status_code, r.json()["error"]["code"]

    assert code(post(client, answer(key, other))) == (403, "widget.survey_not_allowed")
    assert code(post(client, answer(key, survey, survey="1e3"))) == (
        403,
        "widget.survey_not_allowed",
    )
    assert code(post(client, answer(key, survey, key="pk_" + "x" * 24))) == (
        403,
        "widget.key_invalid",
    )
    bad = post(client, answer(key, survey, score=11))
    assert bad.status_code == 422 and bad.json()["error"]["data"]["errors"][0]["field"] == "score"
    assert bad.headers["access-control-allow-origin"] == SHOP  # the widget may read why
    assert post(client, {"key": key["public_key"]}).status_code == 422
    raw = client.post(URL, content=b"{not json", headers={"Origin": SHOP})
    assert raw.status_code == 422 and raw.json()["error"]["code"] == "request.invalid"
    big = client.post(URL, content=b"x" * 20_000, headers={"Origin": SHOP})
    assert big.status_code == 413

    csat = create_survey(client, world, "CSAT", questions=[definition()["questions"][3]])
    nps_required = create_survey(client, world, "Long")  # asks a required choice question
    closed = nps_survey(client, world)
    client.post(f"/api/v1/surveys/{closed['id']}/close", headers=world.headers())
    ids = [survey["id"], csat["id"], nps_required["id"], closed["id"]]
    client.patch(f"/api/v1/widget/keys/{key['id']}", json={"surveys": ids}, headers=world.headers())
    out_of_scale = post(client, answer(key, csat, score=7))
    assert out_of_scale.status_code == 422
    assert "between 1 and 5" in out_of_scale.json()["error"]["message"]
    no_comment = post(client, answer(key, csat, score=4, comment="ok"))
    assert no_comment.status_code == 422 and "comment" in no_comment.json()["error"]["message"]
    assert post(client, answer(key, csat, score=4)).status_code == 201
    long = post(client, answer(key, nps_required))
    assert code(long) == (422, "widget.survey_unsupported") and "channel" in long.text
    assert code(post(client, answer(key, closed))) == (410, "survey.closed")

    client.post(f"/api/v1/widget/keys/{key['id']}/revoke", headers=world.headers())
    assert code(post(client, answer(key, survey))) == (403, "widget.key_invalid")
    pre = client.options(URL, headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 403  # no valid key lists the origin any more


def test_rate_limit_per_key_and_address(client: TestClient, world: World) -> None:
    survey = nps_survey(client, world)
    key = make_key(client, world, [survey["id"]])
    for _ in range(limits.WIDGET.limit):
        assert post(client, answer(key, survey)).status_code == 201
    r = post(client, answer(key, survey))
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.headers["access-control-allow-origin"] == SHOP
    other = make_key(client, world, [survey["id"]])
    assert post(client, answer(other, survey)).status_code == 201  # another key: its own window


def test_customer_reference_attaches_to_a_profile_when_the_key_allows(
    client: TestClient, world: World
) -> None:
    survey = nps_survey(client, world)
    pid = make_customer(client, world, "C42")
    key = make_key(client, world, [survey["id"]], customer_source="crm", channel="app")
    r = post(client, answer(key, survey, score=3, customer="C42", comment="slow app"))
    assert r.status_code == 201, r.text
    [resp] = client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers()).json()
    assert resp["profile_id"] == pid and resp["channel"] == "app"
    c360 = client.get(f"/api/v1/customers/{pid}", headers=world.headers()).json()
    [item] = [i for i in c360["timeline"] if i["type"] == "survey_response"]
    assert item["channel"] == "app" and item["text"] == "slow app"
    assert item["context"]["scores"]["nps"]["category"] == "detractor"


def test_survey_texts_for_the_widget(client: TestClient, world: World) -> None:
    survey = nps_survey(client, world)
    key = make_key(client, world, [survey["id"]])
    url = f"/api/v1/widget/surveys/{survey['id']}"
    r = client.get(url, params={"key": key["public_key"], "lang": "th"}, headers={"Origin": SHOP})
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == SHOP
    assert r.json() == {"survey": str(survey["id"]), "language": "th", "type": "nps",
                        "question": "คุณจะแนะนำเรามากน้อยเพียงใด", "min": 0, "max": 10,
                        "low": None, "high": None, "comment": True}  # fmt: skip
    fr = client.get(url, params={"key": key["public_key"], "lang": "fr"}, headers={"Origin": SHOP})
    assert fr.json()["language"] == "en"
    evil = client.get(
        url, params={"key": key["public_key"]}, headers={"Origin": "https://x.example"}
    )
    assert evil.status_code == 403 and "access-control-allow-origin" not in evil.headers
    assert client.get(url, params={"key": "nope"}, headers={"Origin": SHOP}).status_code == 403


@pytest.mark.parametrize(
    "number", [b"18446744073709551616", b"1" * 4000, b"1e309", b"NaN", b"-Infinity", b"9.0"]
)
def test_scores_no_answer_can_hold_are_refused(
    client: TestClient, world: World, number: bytes
) -> None:
    survey = nps_survey(client, world)
    key = make_key(client, world, [survey["id"]])
    head = f'{{"key": "{key["public_key"]}", "survey": "{survey["id"]}", "score": '.encode()
    r = client.post(URL, content=head + number + b"}", headers={"Origin": SHOP})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["data"]["errors"][0]["field"] == "score", r.text
    assert r.headers["access-control-allow-origin"] == SHOP
    assert _count(Job) == 0
