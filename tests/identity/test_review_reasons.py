"""A full re-resolution holds contradicting records for review too; the reason is a code with
parameters, shown in the viewer's language and returned in a machine-readable form."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cxloop.cli.main import app
from cxloop.core import jobs
from cxloop.core.db import unit_of_work
from cxloop.core.i18n import LANGUAGES, translate
from cxloop.profiles.models import MatchLink
from tests.factories import World, make_source, post_records
from tests.identity.conftest import profile_of
from tests.web.test_pages import login

NEWCOMERS = [
    # a namesake in Seattle: other email, other phone (only the support record has no phone)
    {"id": "W1", "full_name": "Mike Turner", "email": "mturner.sea@example.net",
     "phone": "+1 206 555 0199", "country": "US"},
    # another person on Chen Wei-Ting's mobile
    {"id": "W2", "full_name": "黃淑芬", "phone": "0912-345-678", "email": "sufen@example.tw",
     "country": "TW"},
]  # fmt: skip
REASON = re.compile(r'data-code="([a-z_]+)" data-testid="review-reason">([^<]*)</p>')


def _ids(view: dict[str, Any]) -> set[str]:
    return {r["external_id"] for r in view["records"]}


def _arrive(client: TestClient, world: World) -> None:
    make_source(world, "web", "web", trust_rank=5)
    rep = post_records(client, world, "web", "customer", NEWCOMERS).json()
    assert rep["accepted"] == len(NEWCOMERS), rep
    jobs.run_pending()


def _waiting(client: TestClient, world: World, ext: str) -> list[dict[str, Any]]:
    items = client.get(
        "/api/v1/identity/review", params={"limit": 200}, headers=world.headers()
    ).json()
    return [i for i in items if ext in (i["record_a"]["external_id"], i["record_b"]["external_id"])]


def test_a_full_re_resolution_holds_a_namesake_and_a_shared_mobile_for_review(
    client: TestClient, loaded: World
) -> None:
    _arrive(client, loaded)
    r = client.post("/api/v1/identity/resolve", headers=loaded.headers())
    assert r.status_code == 202, r.text
    jobs.run_pending()
    assert _ids(profile_of(client, loaded, "W1")) == {"W1"}
    assert _ids(profile_of(client, loaded, "W2")) == {"W2"}
    # the duplicates of both customers are still together
    assert _ids(profile_of(client, loaded, "C2")) == {"C2", "B2", "S2"}
    assert _ids(profile_of(client, loaded, "C1")) == {"C1", "B1", "S1"}
    for ext, code, params in (
        ("W1", "different_contact", {}),
        ("W2", "different_name", {"script": "han"}),
    ):
        held = [i for i in _waiting(client, loaded, ext) if i["review_reason"]]
        assert held, f"{ext}: the match that scored above auto-merge waits in the queue"
        for item in held:
            assert item["status"] == "pending" and item["probability"] >= 0.95
            assert item["review_reason"] == {
                "code": code,
                "params": params,
                "message": translate("en", f"review_reason.{code}"),
            }
            assert item["comparison"]["review_reason"] == {"code": code, "params": params}
    # the CLI's queue says why too (last column)
    listed = CliRunner().invoke(app, ["identity", "review", "--limit", "500"])
    assert listed.exit_code == 0, listed.stderr
    for ext, code in (("W1", "different_contact"), ("W2", "different_name")):
        lines = [line.split("\t") for line in listed.stdout.splitlines() if f" {ext})" in line]
        assert any(line[-1] == translate("en", f"review_reason.{code}") for line in lines), lines


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_review_page_shows_the_reason_in_the_viewers_language(
    client: TestClient, loaded: World, lang: str
) -> None:
    _arrive(client, loaded)  # held by the incremental run
    login(client, loaded, "analyst")
    page = client.get("/identity/review", params={"lang": lang}).text
    shown = {code: html.unescape(text) for code, text in REASON.findall(page)}
    assert shown == {
        code: translate(lang, f"review_reason.{code}")
        for code in ("different_contact", "different_name")
    }
    if lang != "en":
        assert translate("en", "review_reason.different_contact") not in page


def test_a_reason_stored_in_english_before_codes_still_reads(
    client: TestClient, loaded: World
) -> None:
    _arrive(client, loaded)
    [link_id] = {i["id"] for i in _waiting(client, loaded, "W1") if i["review_reason"]}
    with unit_of_work() as session:
        link = session.scalars(select(MatchLink).where(MatchLink.id == link_id)).one()
        link.comparison = {
            **link.comparison,
            "review_reason": "different email and different phone on both sides",
        }
    item = client.get(f"/api/v1/identity/links/{link_id}", headers=loaded.headers()).json()
    assert item["review_reason"] == {
        "code": "different_contact",
        "params": {},
        "message": "different email and different phone on both sides",
    }
    login(client, loaded, "analyst")
    page = client.get("/identity/review", params={"lang": "th"}).text
    assert ("different_contact", translate("th", "review_reason.different_contact")) in [
        (code, html.unescape(text)) for code, text in REASON.findall(page)
    ]
