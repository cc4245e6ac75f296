"""The respondent's pages without JavaScript: one question a page, progress, skip logic,
resume, languages, thank-you, used links, kiosk reset, rate limits, token redaction."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from cxloop.surveys import limits
from tests.factories import World
from tests.surveys.helpers import FULL_ANSWERS, create_survey, make_customer, personal_link

PROGRESS = re.compile(r'<progress id="progress" max="100" value="(\d+)"')


def _answer(client: TestClient, path: str, key: str, *values: str, lang: str = "") -> object:
    data: dict[str, object] = {"q": key, "answer": list(values)}
    if lang:
        data["lang"] = lang
    return client.post(path, data=data, follow_redirects=False)


def _progress(html: str) -> int:
    m = PROGRESS.search(html)
    assert m, html[:2000]
    return int(m.group(1))


def test_personal_link_page_by_page_with_resume(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world, language="zh-Hant")
    link = personal_link(client, world, survey["id"], pid, fields={"product": "光纖 1G"})
    path = link["path"]

    page = client.get(path)
    assert page.status_code == 200
    assert '<html lang="zh-Hant">' in page.text  # the customer's language
    assert "您有多大可能推薦光纖 1G？" in page.text  # piped product
    assert "<fieldset" in page.text and "<legend" in page.text
    assert "第 1 題，共 4 題" in page.text and _progress(page.text) == 0

    missing = _answer(client, path, "nps")
    assert missing.status_code == 422 and "請回答此題。" in missing.text  # type: ignore[attr-defined]
    r = _answer(client, path, "nps", "9")
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get(path)
    # a promoter: the "what went wrong" question is skipped
    assert "您如何聯絡我們？" in page.text and "第 2 題，共 4 題" in page.text
    assert _progress(page.text) == 25
    _answer(client, path, "channel", "store")  # hides the CES question too
    # leave and come back (no cookie needed for a personal link): where we were, in English now
    page = client.get(path + "?lang=en")
    assert "How satisfied are you?" in page.text and "Question 3 of 4" in page.text
    back = client.get(path + "?q=channel&lang=en")
    assert 'value="store" checked' in back.text
    r = _answer(client, path, "csat", "5", lang="en")
    assert r.headers["location"] == f"{path}?lang=en"  # type: ignore[attr-defined]
    page = client.get(path + "?lang=en")
    assert "Anything else?" in page.text and "Question 4 of 4" in page.text
    r = _answer(client, path, "comment", "", lang="en")  # optional, left blank
    assert r.headers["location"] == f"{path}/thanks?lang=en"  # type: ignore[attr-defined]
    thanks = client.get(f"{path}/thanks?lang=en")
    assert "Thank you!" in thanks.text and 'value="100"' in thanks.text

    used = client.get(path)
    assert used.status_code == 409
    assert "已填答完成" in used.text or "already been answered" in used.text
    api = client.post("/api/v1/respond", json={"token": link["token"], "answers": FULL_ANSWERS})
    assert api.status_code == 409

    [resp] = client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers()).json()
    assert resp["answers"] == {"nps": 9, "channel": "store", "csat": 5}
    assert resp["language"] == "en"


def test_browser_language_and_unknown_links(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    r = client.post(f"/api/v1/surveys/{survey['id']}/links", json={"kind": "public"},
                    headers=world.headers())  # fmt: skip
    path = r.json()["path"]
    page = client.get(path, headers={"Accept-Language": "fr-FR, th;q=0.8"})
    assert '<html lang="th">' in page.text and "คำถามที่ 1 จาก 4" in page.text
    bad = client.get("/s/not-a-real-token-at-all", headers={"Accept-Language": "zh-CN"})
    assert bad.status_code == 404 and "此问卷链接无效" in bad.text
    assert (
        client.post("/api/v1/respond", json={"token": "x" * 43, "answers": {}}).status_code == 404
    )


def test_public_link_resumes_by_cookie_and_kiosk_resets(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    h = world.headers()
    public = client.post(
        f"/api/v1/surveys/{survey['id']}/links", json={"kind": "public"}, headers=h
    )
    path = public.json()["path"]
    r = _answer(client, path, "nps", "3")
    assert "cxs_" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]  # type: ignore[attr-defined]
    page = client.get(path)
    assert "What went wrong?" in page.text  # a detractor sees the follow-up

    kiosk = client.post(f"/api/v1/surveys/{survey['id']}/links",
                        json={"kind": "kiosk", "location": "Store 12, Bangkok"}, headers=h)  # fmt: skip
    assert kiosk.status_code == 201 and kiosk.json()["channel"] == "store"
    kpath = kiosk.json()["path"]
    for _ in range(2):
        for key, value in (("nps", "10"), ("channel", "store"), ("csat", "4"), ("comment", "")):
            _answer(client, kpath, key, value)
        thanks = client.get(f"{kpath}/thanks")
        assert 'http-equiv="refresh"' in thanks.text and f"url={kpath}" in thanks.text
        fresh = client.get(kpath)
        assert _progress(fresh.text) == 0  # a new respondent starts from the first question
    listed = client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=h).json()
    assert [(x["channel"], x["location"]) for x in listed] == [("store", "Store 12, Bangkok")] * 2


def test_public_links_are_rate_limited_per_address(client: TestClient, world: World) -> None:
    limits.PUBLIC.reset()
    survey = create_survey(client, world)
    r = client.post(f"/api/v1/surveys/{survey['id']}/links", json={"kind": "public"},
                    headers=world.headers())  # fmt: skip
    token = r.json()["token"]
    answers = {"nps": 10, "channel": "store", "csat": 5}
    codes = [client.post("/api/v1/respond", json={"token": token, "answers": answers}).status_code
             for _ in range(limits.PUBLIC.limit + 1)]  # fmt: skip
    assert codes[:-1] == [201] * limits.PUBLIC.limit and codes[-1] == 429
    limits.PUBLIC.reset()


def test_closed_and_expired_links_get_clear_pages(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world)
    link = personal_link(client, world, survey["id"], pid)
    client.post(f"/api/v1/surveys/{survey['id']}/close", headers=world.headers())
    page = client.get(link["path"] + "?lang=en")
    assert page.status_code == 410 and "This survey is closed" in page.text


def test_answers_that_do_not_fit_are_422(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world)
    token = personal_link(client, world, survey["id"], pid)["token"]
    for answers, field in (
        ({**FULL_ANSWERS, "nps": 11}, "answers.nps"),
        ({**FULL_ANSWERS, "channel": "fax"}, "answers.channel"),
        ({"nps": 9, "why_low": "hidden", "channel": "store", "csat": 5}, "answers.why_low"),
        ({"nps": 9, "channel": "store"}, "answers.csat"),
        ({**FULL_ANSWERS, "bogus": 1}, "answers.bogus"),
    ):
        r = client.post("/api/v1/respond", json={"token": token, "answers": answers})
        assert r.status_code == 422, (answers, r.text)
        assert r.json()["error"]["data"]["errors"][0]["field"] == field
    assert (
        client.post("/api/v1/respond", json={"token": token, "answers": FULL_ANSWERS}).status_code
        == 201
    )


def test_tokens_never_reach_the_access_log(client: TestClient, world: World,
                                           caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    from cxloop.surveys.web_respond import redact_access_log

    redact_access_log()
    logger = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logger.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/s/SECRETTOKEN?lang=en", "1.1", 200
        )
    assert "SECRETTOKEN" not in caplog.text and "/s/…?lang=en" in caplog.text


def test_searches_never_reach_the_access_log(caplog: pytest.LogCaptureFixture) -> None:
    from cxloop.surveys.web_respond import redact_access_log

    redact_access_log()
    logger = logging.getLogger("uvicorn.access")
    path = "/api/v1/customers?q=%2B886912345678&limit=5&email=a%40b.tw"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", path, "1.1", 200)
        logger.info("GET /customers?page=2&q=王小明 done")
    assert "912345678" not in caplog.text and "a%40b" not in caplog.text
    assert "王小明" not in caplog.text
    assert "/api/v1/customers?q=…&limit=5&email=…" in caplog.text and "?page=2&q=…" in caplog.text
