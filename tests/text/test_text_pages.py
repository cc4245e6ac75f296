"""The Themes pages: sparklines, highlighted words, thumbs with CSRF, roles, languages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core.db import unit_of_work
from cxloop.text.models import TextLabel
from tests.factories import World
from tests.text.comments import PHONE, ingest_comments
from tests.web.test_pages import login


def _billing(client: TestClient, world: World) -> int:
    r = client.get("/api/v1/text/themes", headers=world.headers("analyst"))
    return next(t["id"] for t in r.json()["themes"] if t["key"] == "billing")


def test_themes_page_lists_themes_with_a_sparkline(client: TestClient, world: World) -> None:
    ingest_comments(client, world)
    billing = _billing(client, world)
    login(client, world, "analyst")
    page = client.get("/themes")
    assert page.status_code == 200
    assert 'href="/themes"' in page.text and 'aria-current="page"' in page.text  # nav link
    assert f'href="/themes/{billing}"' in page.text and "Billing" in page.text
    assert re.search(r'<polyline points="[0-9., ]+"', page.text)
    assert "<script" not in page.text.split("<main")[1]  # works without JavaScript
    th = client.get("/themes?lang=th&days=7&bucket=week")
    assert "หัวข้อในความคิดเห็นของลูกค้า" in th.text
    zh = client.get("/themes?lang=zh-Hant")
    assert "顧客意見主題" in zh.text and "帳單" in zh.text
    assert client.get("/themes?days=0").status_code == 422


def test_a_theme_shows_its_comments_with_the_driving_words(
    client: TestClient, world: World
) -> None:
    ingest_comments(client, world)
    billing = _billing(client, world)
    login(client, world, "analyst")
    page = client.get(f"/themes/{billing}")
    assert page.status_code == 200
    assert "<mark>billing</mark>" in page.text and "<mark>帳單</mark>" in page.text
    assert "[PHONE]" in page.text and PHONE not in page.text and "王先生" not in page.text
    assert "Personal data in these comments is hidden" in page.text
    assert 'name="thumbs" value="up"' in page.text and 'name="csrf_token"' in page.text
    filtered = client.get(f"/themes/{billing}?language=zh-Hans")
    assert "账单" in filtered.text and "<mark>billing</mark>" not in filtered.text


def test_agents_read_comments_as_written(client: TestClient, world: World) -> None:
    ingest_comments(client, world)
    billing = _billing(client, world)
    login(client, world, "agent")
    page = client.get(f"/themes/{billing}")
    assert PHONE in page.text and "王先生" in page.text
    assert "Personal data in these comments is hidden" not in page.text
    assert '/rename"' not in page.text  # managing themes is for analysts and admins


def test_thumbs_need_the_csrf_token_and_relabel(client: TestClient, world: World) -> None:
    ingest_comments(client, world)
    billing = _billing(client, world)
    csrf = login(client, world, "analyst")
    page = client.get(f"/themes/{billing}").text
    comment = int(re.search(r'action="/comments/(\d+)/label"', page).group(1))  # type: ignore[union-attr]
    forged = client.post(
        f"/comments/{comment}/label", data={"thumbs": "up"}, follow_redirects=False
    )
    assert forged.status_code == 403
    r = client.post(
        f"/comments/{comment}/label",
        data={"thumbs": "up", "csrf_token": csrf, "next": f"/themes/{billing}"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/themes/{billing}"
    with unit_of_work(write=False) as s:
        assert s.scalar(select(TextLabel.label).where(TextLabel.enrichment_id == comment)) == (
            "positive"
        )
    assert "Your team says" in client.get(f"/themes/{billing}").text
    evil = client.post(
        f"/comments/{comment}/label",
        data={"thumbs": "down", "csrf_token": csrf, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/themes"
    r = client.post(
        f"/themes/{billing}/rename",
        data={"name": "Bills", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "Bills" in client.get("/themes").text
    r = client.post(
        f"/themes/{billing}/split",
        data={"name": "Overcharged", "terms": "多收、charged twice", "csrf_token": csrf},
    )
    assert r.status_code == 200 and "<mark>多收</mark>" in r.text
    r = client.post("/themes/retrain", data={"csrf_token": csrf})
    assert r.status_code == 422 and "at least 20" in r.text


def test_account_managers_have_no_themes_page(client: TestClient, world: World) -> None:
    login(client, world, "account_manager")
    assert client.get("/themes").status_code == 403
    assert 'href="/themes"' not in client.get("/customers").text
