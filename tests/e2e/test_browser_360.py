"""In Chromium: log in, find a customer by a phone number typed differently, see the 360 view."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ARTIFACTS, Server
from tests.factories import PASSWORD, World, make_source

pytestmark = pytest.mark.browser


def _seed(server: Server, world: World) -> None:
    make_source(world, "crm", "crm", trust_rank=1)  # the CRM's name wins the golden record
    make_source(world, "billing", "billing", trust_rank=2)
    make_source(world, "support", "support", trust_rank=4)
    h = world.headers()
    post = lambda src, entity, rows: httpx.post(  # noqa: E731
        f"{server.url}/api/v1/sources/{src}/records",
        json={"entity": entity, "records": rows},
        headers=h,
        timeout=60,
    ).raise_for_status()
    post(
        "crm",
        "customer",
        [
            {
                "id": "C1",
                "full_name": "陳威廷",
                "phone": "+886 912 345 678",
                "email": "weiting@example.tw",
                "country": "TW",
                "tier": "Gold",
            }
        ],
    )
    post(
        "billing",
        "customer",
        [
            {
                "id": "B1",
                "full_name": "CHEN, WEI-TING",
                "phone": "0912-345-678",
                "country": "TW",
                "email": "WeiTing@Example.tw",
            }
        ],
    )
    post(
        "billing",
        "holding",
        [
            {
                "id": "B1-TV",
                "customer_id": "B1",
                "product_name": "TV Premium",
                "monthly_amount": "1199",
                "currency": "TWD",
                "start_date": "2011-03-01",
            }
        ],
    )
    post(
        "support",
        "customer",
        [{"id": "S1", "full_name": "陳威廷", "phone": "912345678", "country": "TW"}],
    )
    post("support", "interaction", [
        {"id": "I1", "customer_id": "S1", "channel": "phone", "type": "move", "agent": "林怡君",
         "started_at": "2026-11-01T10:00:00+08:00", "ended_at": "2026-11-01T10:20:00+08:00",
         "issue_key": "MOVE-1", "outcome": "booked", "text": "預約移機"},
        {"id": "I2", "customer_id": "S1", "channel": "chat", "type": "move", "agent": "張家豪",
         "started_at": "2026-11-03T10:00:00+08:00", "issue_key": "MOVE-1", "outcome": "open",
         "transferred": True, "text": "移機日期沒有更新"},
    ])  # fmt: skip
    # wait for identity resolution (the server's worker runs it)
    import time

    deadline = time.time() + 60
    while time.time() < deadline:
        hits = httpx.get(
            f"{server.url}/api/v1/customers", params={"q": "0912345678"}, headers=h
        ).json()
        if hits and hits[0]["records"] == 3:
            return
        time.sleep(0.3)
    raise AssertionError(f"resolution did not finish: {hits}")


def test_login_search_by_phone_and_see_the_360_view(
    live_worker_server: Server, world: World, page
) -> None:  # type: ignore[no-untyped-def]
    server = live_worker_server
    _seed(server, world)
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{server.url}/customers")
    assert "/login" in page.url  # not logged in: sent to the login page
    page.get_by_label("Email").fill(world.emails["agent"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/customers")
    # the number is stored as +886 912 345 678; the agent types it the local way
    page.get_by_label("Search customers").fill("(09) 1234-5678")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("search-results")
    results.wait_for()
    page.screenshot(path=str(ARTIFACTS / "search-by-phone.png"), full_page=True)
    results.get_by_role("link").first.click()
    page.get_by_test_id("customer-name").wait_for()
    assert "陳威廷" in page.get_by_test_id("customer-name").inner_text()
    assert "TWD 1,199.00" in page.get_by_test_id("monthly-spend").inner_text()
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "移機日期沒有更新" in timeline and "預約移機" in timeline
    assert "crm" in page.content() and "billing" in page.content() and "support" in page.content()
    assert "CHEN, WEI-TING" in page.content()  # the billing spelling is shown as an alternative
    page.screenshot(path=str(ARTIFACTS / "customer-360.png"), full_page=True)
    assert Path(ARTIFACTS / "customer-360.png").stat().st_size > 10_000
