"""The pages: the survey page's distribution section, audiences, contact rules (all 4 languages)."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World
from tests.surveys.channels.conftest import SmtpServer
from tests.surveys.helpers import create_survey
from tests.web.test_pages import login

from .conftest import customers, email, invitations


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "zh-Hans", "th"])
def test_pages_render_in_every_language(client: TestClient, world: World, lang: str) -> None:
    survey = create_survey(client, world)
    login(client, world, "analyst", lang)
    for path in (f"/surveys/{survey['id']}", "/audiences", "/survey-rules"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[-500:])
    assert 'id="distribution"' in client.get(f"/surveys/{survey['id']}").text


def test_audience_rules_and_distribution_through_the_pages(
    client: TestClient, world: World, mail: SmtpServer, frozen: list[datetime]
) -> None:
    # noon in Bangkok: the quiet hours set below (22:00-07:00 there) must not defer the sends
    frozen[0] = frozen[0].replace(hour=5, minute=0, second=0)
    survey = create_survey(client, world)
    customers(client, world, [{"id": "W1", "email": email(1), "tier": "gold"}])
    csrf = login(client, world, "analyst")
    preview = client.post(
        "/audiences",
        data={"csrf_token": csrf, "name": "Gold", "tiers": "gold", "action": "preview"},
    )
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.text
    bad = client.post("/audiences", data={"csrf_token": csrf, "name": "X", "regions": "Thailand"})
    assert bad.status_code == 422 and "regions" in bad.text
    saved = client.post(
        "/audiences",
        data={"csrf_token": csrf, "name": "Gold", "tiers": "gold", "action": "save"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    rules = client.post(
        "/survey-rules",
        data={"csrf_token": csrf, "min_days_between_surveys": "14", "quiet_hours": "22:00-07:00",
              "default_timezone": "Asia/Bangkok", "skip_open_issues": "on"},
        follow_redirects=False,
    )  # fmt: skip
    assert rules.status_code == 303
    assert (
        client.get("/api/v1/survey-rules", headers=world.headers()).json()[
            "min_days_between_surveys"
        ]
        == 14
    )
    wrong = client.post("/survey-rules", data={"csrf_token": csrf, "default_timezone": "Nowhere/X"})
    assert wrong.status_code == 422
    segs = client.get("/api/v1/segments", headers=world.headers()).json()
    missing = client.post(
        f"/surveys/{survey['id']}/distributions", data={"csrf_token": csrf, "mode": "now"}
    )
    assert missing.status_code == 422 and "channels" in missing.text
    made = client.post(
        f"/surveys/{survey['id']}/distributions",
        data={"csrf_token": csrf, "segment_id": str(segs[0]["id"]), "channels": "email",
              "mode": "now", "reminders": "3"},
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303, made.text
    jobs.run_pending()
    page = client.get(f"/surveys/{survey['id']}")
    assert 'data-testid="response-rates"' in page.text
    dists = client.get(f"/api/v1/surveys/{survey['id']}/distributions", headers=world.headers())
    [d] = dists.json()
    assert d["reminders"] == [3] and len(invitations(d["id"])) == 1


def test_the_distribution_form_names_a_number_it_cannot_hold(
    client: TestClient, world: World
) -> None:
    survey = create_survey(client, world)
    csrf = login(client, world, "analyst")
    url = f"/surveys/{survey['id']}/distributions"
    base = {"csrf_token": csrf, "channels": "web", "mode": "now"}
    for field, value in [
        ("segment_id", "9" * 5000),
        ("segment_id", "\u00b2"),
        ("reminders", "9" * 5000),
        ("reminders", "3, \u00b2"),
    ]:
        r = client.post(url, data={**base, field: value})
        assert r.status_code == 422, (field, r.text[-2000:])
        assert field in r.text
    assert (
        client.get(f"/api/v1/surveys/{survey['id']}/distributions", headers=world.headers()).json()
        == []
    )
