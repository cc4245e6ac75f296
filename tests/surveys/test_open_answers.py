"""Open answers analysed one by one: per-question sentiment and themes in the survey results
(API, page, CLI) and the 360 view, whichever way the response came in; access and redaction."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cxloop.cli.main import app as cli
from cxloop.core import jobs
from cxloop.core.db import unit_of_work
from cxloop.text.models import TextEnrichment
from tests.factories import World
from tests.surveys.helpers import (
    IMPROVE,
    LIKED,
    PHONE,
    answer_survey,
    make_customer,
    two_open_survey,
)
from tests.web.test_pages import login


def _themes(analysis: dict[str, Any]) -> set[str]:
    return {t["label"] for t in analysis["themes"]}


@pytest.mark.parametrize("path", ["group", "web", "api"])
def test_each_open_answer_gets_its_own_sentiment_and_themes(
    client: TestClient, world: World, path: str
) -> None:
    survey = two_open_survey(client, world)
    pid = make_customer(client, world)
    response_id = answer_survey(client, world, survey["id"], pid, path=path)
    jobs.run_pending()

    [resp] = client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers()).json()
    assert resp["id"] == response_id
    liked, improve = resp["analysis"]["liked"], resp["analysis"]["improve"]
    # one response, two questions, two different sentiments
    assert liked["sentiment"] == "positive" and liked["score"] > 0.5, liked
    assert improve["sentiment"] == "negative" and improve["score"] < -0.3, improve
    assert "Technician visit" in _themes(liked) and "Billing" not in _themes(liked)
    assert _themes(improve) == {"Billing"}
    assert resp["answers"]["improve"] == IMPROVE and resp["text_redacted"] is False  # admin

    # stored: one subject per answer, none for the response's combined interaction text
    with unit_of_work(write=False) as s:
        subjects = s.execute(
            select(TextEnrichment.subject_type, TextEnrichment.redacted).order_by(
                TextEnrichment.subject_id
            )
        ).all()
    assert [t for t, _ in subjects] == ["answer", "answer"]
    assert [r for _, r in subjects] == [LIKED, IMPROVE.replace(PHONE, "[PHONE]")]

    # the 360 view: the survey's item lists its answers, each with its own analysis
    c360 = client.get(f"/api/v1/customers/{pid}", headers=world.headers()).json()
    [item] = [i for i in c360["timeline"] if i["type"] == "survey_response"]
    assert item["sentiment"] == "mixed"
    assert [(a["question_key"], a["analysis"]["sentiment"]) for a in item["answers"]] == [
        ("liked", "positive"),
        ("improve", "negative"),
    ]
    assert item["answers"][0]["question"] == "What did you like?"


def test_per_question_results_and_filters(client: TestClient, world: World) -> None:
    survey = two_open_survey(client, world)
    sid = survey["id"]
    for i, answers in enumerate(
        [
            {"nps": 3, "liked": LIKED, "improve": IMPROVE},
            {"nps": 9, "liked": "Great service, thank you"},
            {"nps": 2, "improve": "My bill is wrong again, I was charged twice this month"},
        ]
    ):
        answer_survey(client, world, sid, make_customer(client, world, f"C{i}"), answers)
    jobs.run_pending()
    h = world.headers("analyst")

    r = client.get(f"/api/v1/surveys/{sid}/open-questions", headers=h)
    assert r.status_code == 200, r.text
    q = {x["key"]: x for x in r.json()["questions"]}
    assert list(q) == ["liked", "improve"]
    assert q["liked"]["answered"] == q["liked"]["analysed"] == 2
    assert q["liked"]["sentiment"] == {"negative": 0, "neutral": 0, "positive": 2}
    assert q["improve"]["sentiment"] == {"negative": 2, "neutral": 0, "positive": 0}
    assert q["improve"]["avg_score"] < -0.3 < 0.5 < q["liked"]["avg_score"]
    [billing] = q["improve"]["themes"]
    assert billing["label"] == "Billing" and billing["mentions"] == billing["negative"] == 2
    zh = client.get(f"/api/v1/surveys/{sid}/open-questions?lang=zh-Hant", headers=h).json()
    assert zh["questions"][1]["question"] == "我們該改進什麼？"
    assert zh["questions"][1]["themes"][0]["label"] == "帳單"

    def listed(**params: Any) -> tuple[list[dict[str, Any]], int]:
        r = client.get(f"/api/v1/surveys/{sid}/open-answers", params=params, headers=h)
        assert r.status_code == 200, r.text
        return r.json(), int(r.headers["X-Total-Count"])

    items, total = listed()
    assert total == 4 and len(items) == 4
    items, total = listed(question="improve")
    assert total == 2 and {a["question_key"] for a in items} == {"improve"}
    assert all(a["analysis"]["sentiment"] == "negative" for a in items)
    items, total = listed(sentiment="positive")
    assert total == 2 and {a["question_key"] for a in items} == {"liked"}
    items, total = listed(theme_id=billing["id"], question="liked")
    assert total == 0
    items, total = listed(theme_id=billing["id"], limit=1)
    assert total == 2 and len(items) == 1
    redacted = [a for a in listed(question="improve")[0] if "[PHONE]" in a["text"]]
    assert len(redacted) == 1 and redacted[0]["redacted"] is True  # analysts: no PII

    bad = client.get(f"/api/v1/surveys/{sid}/open-answers?question=nps", headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "survey.invalid"
    assert bad.json()["error"]["data"]["errors"][0]["field"] == "question"
    for query in ("sentiment=angry", "theme_id=0", "limit=500", "question=" + "x" * 41):
        assert (
            client.get(f"/api/v1/surveys/{sid}/open-answers?{query}", headers=h).status_code == 422
        )
    gone = client.get(f"/api/v1/surveys/{sid}/open-answers?theme_id=999999", headers=h)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "text.theme_not_found"


def test_access_by_role_workspace_and_account(
    client: TestClient, world: World, rival: World
) -> None:
    survey = two_open_survey(client, world)
    sid = survey["id"]
    mine = make_customer(client, world, "C1")
    other = make_customer(client, world, "C2", name=("Malee", "Srisuk"))
    assert mine != other
    answer_survey(client, world, sid, mine)
    answer_survey(client, world, sid, other)
    jobs.run_pending()
    r = client.put(
        f"/api/v1/customers/{mine}/owner",
        json={"user_id": world.users["account_manager"]},
        headers=world.headers(),
    )
    assert r.status_code == 204, r.text
    urls = [
        f"/api/v1/surveys/{sid}/responses",
        f"/api/v1/surveys/{sid}/open-questions",
        f"/api/v1/surveys/{sid}/open-answers",
    ]

    # raw text for profiles.pii (admin); redacted for analysts, everywhere they read it
    admin = client.get(urls[2], headers=world.headers()).json()
    assert any(PHONE in a["text"] for a in admin) and not any(a["redacted"] for a in admin)
    analyst_responses = client.get(urls[0], headers=world.headers("analyst")).json()
    for resp in analyst_responses:
        assert resp["text_redacted"] is True
        assert resp["answers"]["improve"] == IMPROVE.replace(PHONE, "[PHONE]")
        assert resp["answers"]["liked"] == LIKED and resp["answers"]["nps"] == 3
    analyst_360 = client.get(f"/api/v1/customers/{mine}", headers=world.headers("analyst")).json()
    [item] = [i for i in analyst_360["timeline"] if i["type"] == "survey_response"]
    assert PHONE not in item["text"] and "[PHONE]" in item["text"] and item["text_redacted"]
    assert all(PHONE not in a["text"] for a in item["answers"])

    # survey results need responses.read: not agents, not account managers
    for role in ("agent", "account_manager"):
        for url in urls:
            r = client.get(url, headers=world.headers(role))
            assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"

    # account managers read their own customers' answers, as written, in the 360 view only
    am = world.headers("account_manager")
    own = client.get(f"/api/v1/customers/{mine}", headers=am).json()
    [item] = [i for i in own["timeline"] if i["type"] == "survey_response"]
    assert [a["text"] for a in item["answers"]] == [LIKED, IMPROVE]
    assert item["answers"][1]["analysis"]["sentiment"] == "negative"
    r = client.get(f"/api/v1/customers/{other}", headers=am)
    assert r.status_code == 404

    # another workspace sees none of it
    for url in urls:
        r = client.get(url, headers=rival.headers())
        assert r.status_code == 404 and r.json()["error"]["code"] == "survey.not_found"
    comment = admin[0]["analysis"]["comment_id"]
    r = client.get(f"/api/v1/text/comments/{comment}", headers=rival.headers())
    assert r.status_code == 404 and r.json()["error"]["code"] == "text.comment_not_found"


def test_results_page_and_cli(client: TestClient, world: World) -> None:
    survey = two_open_survey(client, world)
    sid = survey["id"]
    answer_survey(client, world, sid, make_customer(client, world))
    jobs.run_pending()

    login(client, world, "analyst")
    editor = client.get(f"/surveys/{sid}")
    assert f'href="/surveys/{sid}/answers"' in editor.text
    page = client.get(f"/surveys/{sid}/answers")
    assert page.status_code == 200, page.text
    assert "What should we improve?" in page.text and "Billing" in page.text
    assert "[PHONE]" in page.text and PHONE not in page.text
    assert 'class="badge bad">Negative' in page.text and 'class="badge good">Positive' in page.text
    only = client.get(f"/surveys/{sid}/answers?question=liked&sentiment=positive")
    assert LIKED in only.text and "[PHONE]" not in only.text
    assert client.get(f"/surveys/{sid}/answers?question=Bad!").status_code == 422
    th = client.get(f"/surveys/{sid}/answers?lang=th")
    assert "คำตอบปลายเปิด" in th.text and "เราควรปรับปรุงอะไร" in th.text
    login(client, world, "agent")
    assert client.get(f"/surveys/{sid}/answers").status_code == 403
    editor = client.get(f"/surveys/{sid}")
    assert f'href="/surveys/{sid}/answers"' not in editor.text

    runner = CliRunner()
    out = runner.invoke(cli, ["surveys", "answers", str(sid)])
    assert out.exit_code == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("liked\t1 answers\t1 analysed\t-0 =0 +1")
    assert (
        lines[1].startswith("improve\t1 answers\t1 analysed\t-1 =0 +0") and "Billing 1" in lines[1]
    )
    assert any(line.endswith(IMPROVE) and "\tnegative\tBilling\t" in line for line in lines)
    out = runner.invoke(cli, ["surveys", "answers", str(sid), "--question", "liked", "--json"])
    assert out.exit_code == 0 and '"sentiment": "positive"' in out.stdout
    out = runner.invoke(cli, ["surveys", "answers", "999999"])
    assert out.exit_code == 2 and "survey.not_found" in out.stderr
    out = runner.invoke(cli, ["surveys", "answers", str(sid), "--sentiment", "angry"])
    assert out.exit_code != 0
