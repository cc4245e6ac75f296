"""The identity settings page: who may see and change it, saving, bad input, re-resolution."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cxloop.core import jobs
from cxloop.profiles.survivorship import ATTRIBUTES, DEFAULT_RULES
from tests.factories import World, make_source
from tests.identity.conftest import load
from tests.web.test_pages import login

PAGE = "/identity/settings"
FORM_TAG = '<form method="post" action="/identity/settings"'
RESOLVE_TAG = 'action="/identity/settings/resolve"'


def api_settings(client: TestClient, world: World) -> dict[str, Any]:
    """The settings as the API reports them."""
    r = client.get("/api/v1/identity/settings", headers=world.headers())
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def settings_audit(client: TestClient, world: World) -> list[dict[str, Any]]:
    """The audit entries of settings changes, newest first."""
    r = client.get("/api/v1/audit", params={"entity_type": "workspace"}, headers=world.headers())
    assert r.status_code == 200, r.text
    return [e for e in r.json() if e["action"] == "identity.settings"]


def pending(client: TestClient, world: World) -> int:
    """How many matches wait in the review queue."""
    r = client.get("/api/v1/identity/review", headers=world.headers())
    return int(r.headers["x-total-count"])


def full_form(token: str, **changes: Any) -> dict[str, Any]:
    """The form as the page submits it (current defaults), with some fields changed."""
    rules = {**DEFAULT_RULES, **changes.pop("rules", {})}
    form: dict[str, Any] = {
        "csrf_token": token,
        "auto_threshold": "0.95",
        "review_threshold": "0.7",
        "rule": [f"{attr}={rule}" for attr, rule in rules.items()],
        "unique_sources_listed": "true",
        "unique_source": [],
    }
    form.update(changes)
    return form


@pytest.fixture
def sources(world: World) -> World:
    """The world with two sources."""
    make_source(world, "billing", "billing", trust_rank=1)
    make_source(world, "crm", "crm", trust_rank=2)
    return world


def test_admin_sees_every_setting_and_can_edit_them(client: TestClient, sources: World) -> None:
    login(client, sources, "admin")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert FORM_TAG in html and RESOLVE_TAG in html
    assert re.search(r'name="auto_threshold"[^>]*value="0.95"', html)
    assert re.search(r'name="review_threshold"[^>]*value="0.7"', html)
    assert "merged automatically" in html and "review queue" in html and "kept apart" in html
    # one select per attribute, its current rule selected and the default rule marked
    assert html.count('name="rule"') == len(ATTRIBUTES)
    for attr, default in DEFAULT_RULES.items():
        assert re.search(rf'<option value="{attr}={default}" selected>[^<]*\(default\)', html), attr
    assert '<option value="phone=most_trusted">most trusted source</option>' in html
    for name in ("billing", "crm"):
        assert f'name="unique_source" value="{name}">' in html  # unticked by default
    # the nav item of identity stays highlighted on this page
    assert re.search(r'href="/identity/review" aria-current="page"', html)


def test_review_page_links_to_the_settings(client: TestClient, world: World) -> None:
    login(client, world, "analyst")
    assert 'href="/identity/settings"' in client.get("/identity/review").text


def test_reviewer_without_identity_run_sees_it_read_only(
    client: TestClient, sources: World
) -> None:
    token = login(client, sources, "analyst")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text[page.text.index("<main") : page.text.index("</main>")]
    assert 'data-testid="read-only"' in html
    for control in ("<form", "<select", "<input", "<button"):
        assert control not in html, control
    assert re.search(r'data-testid="auto_threshold">0.95<', html)
    assert 'data-testid="unique-billing">—<' in html
    # and the forms it does not show would be refused
    r = client.post(PAGE, data=full_form(token, auto_threshold="0.9"), follow_redirects=False)
    assert r.status_code == 403
    assert client.post(PAGE + "/resolve", data={"csrf_token": token}).status_code == 403
    assert api_settings(client, sources)["auto_threshold"] == 0.95


def test_agents_and_visitors_are_refused(client: TestClient, world: World) -> None:
    r = client.get(PAGE, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    login(client, world, "agent")
    assert client.get(PAGE).status_code == 403


def test_saving_changes_the_settings_and_audits_it(client: TestClient, sources: World) -> None:
    token = login(client, sources, "admin")
    form = full_form(
        token,
        auto_threshold="0.9",
        review_threshold="0.6",
        rules={"phone": "most_trusted", "email": "most_frequent"},
        unique_source=["billing"],
    )
    r = client.post(PAGE, data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == PAGE + "?notice=saved"
    conf = api_settings(client, sources)
    assert (conf["auto_threshold"], conf["review_threshold"]) == (0.9, 0.6)
    # only what differs from the defaults is stored, so later default changes still apply
    assert conf["survivorship"] == {"phone": "most_trusted", "email": "most_frequent"}
    assert conf["unique_sources"] == ["billing"]
    [entry] = settings_audit(client, sources)
    assert entry["actor"].startswith("user:")
    assert entry["before"]["unique_sources"] == [] and entry["after"]["unique_sources"] == [
        "billing"
    ]
    assert entry["after"]["identity"] == {"auto_threshold": 0.9, "review_threshold": 0.6}
    page = client.get(r.headers["location"]).text
    assert 'data-testid="notice"' in page and "Settings saved" in page
    assert re.search(r'<option value="phone=most_trusted" selected>', page)
    assert 'name="unique_source" value="billing" checked>' in page
    # unticking every source clears them (an unticked checkbox sends nothing)
    form = full_form(
        token,
        auto_threshold="0.9",
        review_threshold="0.6",
        rules={"phone": "most_trusted", "email": "most_frequent"},
    )
    assert client.post(PAGE, data=form, follow_redirects=False).status_code == 303
    assert api_settings(client, sources)["unique_sources"] == []


def test_an_unchanged_form_saves_and_audits_nothing(client: TestClient, sources: World) -> None:
    token = login(client, sources, "admin")
    r = client.post(PAGE, data=full_form(token), follow_redirects=False)
    assert r.headers["location"] == PAGE + "?notice=unchanged"
    assert settings_audit(client, sources) == []
    assert api_settings(client, sources)["survivorship"] == {}


def test_a_form_without_csrf_token_changes_nothing(client: TestClient, sources: World) -> None:
    login(client, sources, "admin")
    form = full_form("", auto_threshold="0.9")
    del form["csrf_token"]
    assert client.post(PAGE, data=form, follow_redirects=False).status_code == 403
    assert api_settings(client, sources)["auto_threshold"] == 0.95


AUTO, REVIEW = "Auto-merge threshold", "Review threshold"


@pytest.mark.parametrize(
    ("changes", "field", "label", "status", "reason"),
    [
        (
            {"auto_threshold": "0.6", "review_threshold": "0.8"},
            "review_threshold",
            REVIEW,
            422,
            "must not be above the auto-merge threshold",
        ),
        ({"auto_threshold": "1.5"}, "auto_threshold", AUTO, 422, "between 0 and 1"),
        ({"review_threshold": "0"}, "review_threshold", REVIEW, 422, "between 0 and 1"),
        ({"review_threshold": "-0.2"}, "review_threshold", REVIEW, 422, "between 0 and 1"),
        ({"auto_threshold": "high"}, "auto_threshold", AUTO, 422, "is not a number"),
        ({"review_threshold": "nan"}, "review_threshold", REVIEW, 422, "is not a number"),
        ({"rules": {"email": "loudest"}}, "survivorship.email", "Email", 422, "not a known rule"),
        (
            {"rule": ["shoe_size=most_recent"]},
            "survivorship.shoe_size",
            "shoe_size",
            422,
            "is not a known setting",
        ),
        (
            {"unique_source": ["nowhere"]},
            "unique_sources",
            "Sources with at most one record per person",
            404,
            "names a source this workspace does not have",
        ),
        (
            {"unique_source": ["9" * 5000]},  # no id or name is this long
            "unique_sources",
            "Sources with at most one record per person",
            422,
            "names a source this workspace does not have",
        ),
    ],
)
def test_bad_input_shows_the_form_again_naming_the_field(
    client: TestClient,
    sources: World,
    changes: dict[str, Any],
    field: str,
    label: str,
    status: int,
    reason: str,
) -> None:
    token = login(client, sources, "admin")
    before = api_settings(client, sources)
    r = client.post(PAGE, data=full_form(token, **changes), follow_redirects=False)
    assert r.status_code == status, r.text
    item = re.escape(f'<li data-field="{field}"><strong>{label}</strong>: ')
    assert re.search(item + r"[^<]*" + re.escape(reason), r.text), r.text[-3000:]
    assert FORM_TAG in r.text  # the form is shown again with what was typed
    for name in ("auto_threshold", "review_threshold"):
        if changes.get(name):
            assert f'name="{name}"' in r.text and f'value="{changes[name]}"' in r.text
    assert api_settings(client, sources) == before
    assert settings_audit(client, sources) == []


def test_field_errors_are_named_in_the_page_language(client: TestClient, sources: World) -> None:
    token = login(client, sources, "admin")
    r = client.post(PAGE + "?lang=th", data=full_form(token, review_threshold="x"))
    assert r.status_code == 422
    assert "เกณฑ์ส่งตรวจสอบ</strong>: ไม่ใช่ตัวเลข" in r.text


def test_workspaces_do_not_see_or_change_each_other(
    client: TestClient, sources: World, rival: World
) -> None:
    make_source(rival, "pos", "pos")
    token = login(client, rival, "admin")
    html = client.get(PAGE).text
    assert 'value="pos"' in html and 'value="billing"' not in html
    # another workspace's source cannot be declared unique here
    r = client.post(PAGE, data=full_form(token, unique_source=["billing"]))
    assert r.status_code == 404
    r = client.post(PAGE, data=full_form(token, auto_threshold="0.8", unique_source=["pos"]))
    assert r.status_code == 200  # followed the redirect
    assert api_settings(client, rival)["auto_threshold"] == 0.8
    acme = api_settings(client, sources)
    assert (acme["auto_threshold"], acme["unique_sources"]) == (0.95, [])
    assert settings_audit(client, sources) == []
    # a job of another workspace is not named on this page
    with_job = client.post("/api/v1/identity/resolve", headers=sources.headers()).json()["id"]
    assert 'data-testid="job-notice"' not in client.get(f"{PAGE}?job={with_job}").text


def test_resolve_everyone_again_queues_a_job_and_names_it(client: TestClient, world: World) -> None:
    load(client, world)
    token = login(client, world, "admin")
    # make the engine unsure, then re-resolve everyone with these settings
    form = full_form(token, auto_threshold="0.9999999", review_threshold="0.05")
    assert client.post(PAGE, data=form, follow_redirects=False).status_code == 303
    pending_before = pending(client, world)
    r = client.post(PAGE + "/resolve", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    m = re.fullmatch(re.escape(PAGE) + r"\?job=(\d+)", r.headers["location"])
    assert m
    job = client.get(f"/api/v1/jobs/{m.group(1)}", headers=world.headers()).json()
    assert (job["kind"], job["status"]) == ("identity.resolve_all", "queued")
    page = client.get(r.headers["location"]).text
    assert f"Job #{job['id']} will resolve everyone again" in page
    jobs.run_pending()
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers()).json()["status"] == (
        "done"
    )
    page = client.get(PAGE).text
    assert re.search(rf"Last full resolution: job #{job['id']}, done", page)
    assert pending(client, world) > pending_before, "the new thresholds sent more pairs to review"


@pytest.mark.parametrize(
    ("lang", "title", "rule", "resolve"),
    [
        ("zh-Hant", "身分比對設定", "最可信來源", "重新比對所有人"),
        ("th", "การตั้งค่าการระบุตัวตน", "แหล่งที่น่าเชื่อถือที่สุด", "ระบุตัวตนทุกคนใหม่"),
    ],
)
def test_the_page_is_translated(
    client: TestClient, sources: World, lang: str, title: str, rule: str, resolve: str
) -> None:
    login(client, sources, "admin")
    html = client.get(PAGE, params={"lang": lang}).text
    assert f'<html lang="{lang}">' in html
    for text in (title, rule, resolve):
        assert text in html, text
    for english in ("Identity settings", "Auto-merge threshold", "Resolve everyone again"):
        assert english not in html, english
