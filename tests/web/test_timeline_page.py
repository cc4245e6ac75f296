"""The 360 page says how many interactions there are and pages to the older ones without JS."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tests.factories import World, post_records
from tests.identity.conftest import load, profile_of
from tests.identity.test_timeline import _many
from tests.web.test_pages import login

OLDER = re.compile(r'<a [^>]*href="(/customers/\d+\?before=[^"#]+)(?:#timeline)?"[^>]*>')


def _busy(client: TestClient, world: World) -> int:
    load(client, world)
    rows = _many(130)
    for start in range(0, len(rows), 50):
        post_records(client, world, "support", "interaction", rows[start : start + 50])
    return int(profile_of(client, world, "C2")["id"])


@pytest.mark.parametrize(
    ("lang", "count", "older", "newest"),
    [
        ("en", "133 interactions", "Show older", "Back to the newest"),
        ("zh-Hant", "共 133 筆互動", "顯示較早的互動", "回到最新的互動"),
        ("zh-Hans", "共 133 条互动", "显示较早的互动", "回到最新的互动"),
        ("th", "การติดต่อ 133 รายการ", "แสดงรายการที่เก่ากว่า", "กลับไปที่รายการล่าสุด"),
    ],
)
def test_show_older_pages_through_every_interaction(
    client: TestClient, world: World, lang: str, count: str, older: str, newest: str
) -> None:
    profile = _busy(client, world)
    login(client, world, "admin")
    first = client.get(f"/customers/{profile}", params={"lang": lang})
    assert first.status_code == 200
    assert count in first.text
    assert first.text.count('class="ch-') == 100
    link = OLDER.search(first.text)
    assert link and older in first.text[link.end() : link.end() + 200]
    assert newest not in first.text

    second = client.get(f"{html.unescape(link.group(1))}&lang={lang}")
    assert second.status_code == 200
    assert count in second.text
    assert second.text.count('class="ch-') == 33  # the rest, none of the first page again
    assert OLDER.search(second.text) is None and older not in second.text
    assert newest in second.text and f'href="/customers/{profile}#timeline"' in second.text
    first_agents = set(re.findall(r"agent-\d+", first.text))
    second_agents = set(re.findall(r"agent-\d+", second.text))
    assert first_agents and second_agents and not first_agents & second_agents


def test_a_customer_with_few_interactions_has_no_show_older_link(
    client: TestClient, world: World
) -> None:
    load(client, world)
    michael = profile_of(client, world, "C2")
    login(client, world, "admin")
    page = client.get(f"/customers/{michael['id']}").text
    assert "3 interactions" in page
    assert OLDER.search(page) is None and "Show older" not in page


def test_a_bad_cursor_on_the_page_is_a_422(client: TestClient, world: World) -> None:
    load(client, world)
    michael = profile_of(client, world, "C2")
    login(client, world, "admin")
    r = client.get(f"/customers/{michael['id']}", params={"before": "garbage"})
    assert r.status_code == 422
    assert "before" in r.text


def test_another_workspace_cannot_page_a_customer(
    client: TestClient, world: World, rival: World
) -> None:
    load(client, world)
    michael = profile_of(client, world, "C2")
    first = client.get(
        f"/api/v1/customers/{michael['id']}/timeline", params={"limit": 1}, headers=world.headers()
    ).json()
    login(client, rival, "admin")
    r = client.get(f"/customers/{michael['id']}", params={"before": first["next_before"]})
    assert r.status_code == 404
