"""Survey definitions through the API: checks with field and reason, versions, warnings, access."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cxloop.surveys.definition import pipe
from tests.factories import World
from tests.surveys.helpers import FULL_ANSWERS, create_survey, definition, texts


def _create(client: TestClient, world: World, d: dict[str, Any], role: str = "analyst") -> Any:
    return client.post(
        "/api/v1/surveys", json={"name": "S", "definition": d}, headers=world.headers(role)
    )


def _fields(r: Any) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in r.json()["error"]["data"]["errors"]}


def test_create_read_export_and_estimate(client: TestClient, world: World) -> None:
    s = create_survey(client, world, publish=False)
    assert s["status"] == "draft" and s["version"] == 1 and s["questions"] == 6
    # 5 s intro + nps 7 + text 30 + single 8 + csat 6 + ces 6 + text 30
    assert s["estimate"]["seconds"] == 92
    codes = [w["code"] for w in s["estimate"]["warnings"]]
    assert codes == ["survey.many_questions"]  # 6 > 5 questions: a warning, not a refusal
    exported = client.get(f"/api/v1/surveys/{s['id']}/export", headers=world.headers()).json()
    assert exported["name"] == "Visit" and exported["definition"]["languages"][0] == "en"
    again = client.post("/api/v1/surveys", json={"name": "Copy", "definition": exported["definition"]},
                        headers=world.headers())  # fmt: skip
    assert again.status_code == 201
    listed = client.get("/api/v1/surveys", headers=world.headers("agent")).json()
    assert [x["name"] for x in listed] == ["Copy", "Visit"]


def test_many_open_questions_warn(client: TestClient, world: World) -> None:
    q = lambda k: {"key": k, "type": "text", "required": False, "text": texts(k, k, k, k)}  # noqa: E731
    r = client.post("/api/v1/surveys/estimate", headers=world.headers(),
                    json=definition(questions=[q("a"), q("b"), q("c"), q("d")]))  # fmt: skip
    assert r.status_code == 200, r.text
    assert [w["code"] for w in r.json()["warnings"]] == ["survey.many_open"]
    assert r.json()["seconds"] == 5 + 4 * 30


def test_a_missing_language_text_is_named(client: TestClient, world: World) -> None:
    d = definition()
    del d["questions"][2]["choices"][1]["text"]["th"]
    d["thank_you"]["zh-Hans"] = "  "
    r = _create(client, world, d)
    assert r.status_code == 422
    f = _fields(r)
    assert "'th' text is missing" in f["definition.questions[2].choices[1].text"]
    assert "'zh-Hans' text is missing" in f["definition.thank_you"]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"default_language": "th", "languages": ["en"]},
            "definition.default_language",
            "not one of",
        ),
        ({"questions": []}, "definition.questions", "at least 1"),
    ],
)
def test_definition_errors(client: TestClient, world: World, change: dict[str, Any], field: str,
                           reason: str) -> None:  # fmt: skip
    d = definition(**change)
    if change.get("languages") == ["en"]:
        d = _only_en(d)
    r = _create(client, world, d)
    assert r.status_code == 422, r.text
    found = {e["field"]: e["reason"] for e in r.json()["error"]["data"]["errors"]}
    assert any(
        k.endswith(field.removeprefix("definition.")) and reason in v for k, v in found.items()
    ), found


def _only_en(d: dict[str, Any]) -> dict[str, Any]:
    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            if set(x) == {"en", "zh-Hant", "zh-Hans", "th"}:
                return {"en": x["en"]}
            return {k: strip(v) for k, v in x.items()}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    return strip(d)  # type: ignore[no-any-return]


def test_skip_logic_and_placeholders_are_checked(client: TestClient, world: World) -> None:
    d = definition()
    d["questions"][1]["show_if"] = {"question": "comment", "op": "equals", "value": "x"}
    d["questions"][4]["show_if"] = {"question": "channel", "op": "in", "values": ["fax"]}
    d["questions"][3]["text"]["en"] = "Hello {{password}}"
    d["questions"].append({"key": "r", "type": "rating", "scale_min": 5, "scale_max": 3,
                           "text": texts("r", "r", "r", "r")})  # fmt: skip
    r = _create(client, world, d)
    assert r.status_code == 422
    f = _fields(r)
    assert "not an earlier question" in f["definition.questions[1].show_if.question"]
    assert "must list answers" in f["definition.questions[4].show_if.values"]
    assert "unknown placeholder {{password}}" in f["definition.questions[3].text.en"]
    assert "greater than scale_min" in f["definition.questions[6].scale_max"]


def test_piping_substitutes_values_and_never_evaluates() -> None:
    assert pipe("Hi {{first_name|there}}, {{ product }}", {"product": "TV"}) == "Hi there, TV"
    evil = "{{7*7}} {% raw %} {{first_name}}"
    assert pipe(evil, {"first_name": "<b>{{x}}</b>"}) == "{{7*7}} {% raw %} <b>{{x}}</b>"


def test_editing_a_survey_with_responses_makes_a_new_version(
    client: TestClient, world: World
) -> None:
    s = create_survey(client, world)
    h = world.headers("analyst")
    d = definition()
    d["title"]["en"] = "Edited before any response"
    r = client.put(f"/api/v1/surveys/{s['id']}", json={"definition": d}, headers=h)
    assert r.status_code == 200 and r.json()["version"] == 1  # no responses yet: edited in place

    sent = client.post(f"/api/v1/surveys/{s['id']}/responses", json={"answers": FULL_ANSWERS},
                       headers=world.headers("agent"))  # fmt: skip
    assert sent.status_code == 201, sent.text
    d["questions"] = d["questions"][:1]
    r = client.put(f"/api/v1/surveys/{s['id']}", json={"definition": d, "name": "Short"}, headers=h)
    assert r.status_code == 200
    assert r.json()["version"] == 2 and r.json()["name"] == "Short" and r.json()["questions"] == 1
    versions = client.get(f"/api/v1/surveys/{s['id']}/versions", headers=h).json()
    assert [(v["number"], v["responses"], v["current"]) for v in versions] == [
        (2, 0, True),
        (1, 1, False),
    ]
    [resp] = client.get(f"/api/v1/surveys/{s['id']}/responses", headers=h).json()
    assert resp["version"] == 1 and set(resp["answers"]) == set(FULL_ANSWERS)
    v1 = client.get(f"/api/v1/surveys/{s['id']}/versions/1", headers=h).json()
    assert len(v1["definition"]["questions"]) == 6


def test_status_changes_and_permissions(client: TestClient, world: World, rival: World) -> None:
    s = create_survey(client, world, publish=False)
    sid = s["id"]
    assert _create(client, world, definition(), role="agent").status_code == 403
    assert client.post(f"/api/v1/surveys/{sid}/close", headers=world.headers()).status_code == 409
    link = client.post(
        f"/api/v1/surveys/{sid}/links", json={"kind": "public"}, headers=world.headers()
    )
    assert link.status_code == 409 and link.json()["error"]["code"] == "survey.not_active"
    assert client.post(f"/api/v1/surveys/{sid}/publish", headers=world.headers()).status_code == 200
    assert client.get(f"/api/v1/surveys/{sid}", headers=rival.headers()).status_code == 404
    assert (
        client.get(f"/api/v1/surveys/{sid}/responses", headers=world.headers("agent")).status_code
        == 403
    )
    assert client.get("/api/v1/surveys").status_code == 401
    closed = client.post(f"/api/v1/surveys/{sid}/close", headers=world.headers())
    assert closed.json()["status"] == "closed"
    audit = client.get(f"/api/v1/audit?entity_type=survey&entity_id={sid}", headers=world.headers())
    if audit.status_code == 200:
        actions = {e["action"] for e in audit.json()}
        assert {"survey.create", "survey.publish", "survey.close"} <= actions
