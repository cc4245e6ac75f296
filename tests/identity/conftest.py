"""A small world of source records with known truths, loaded through the API and resolved."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World, make_source, post_records

CRM = [
    {"id": "C1", "full_name": "陳威廷", "phone": "+886 912 345 678", "email": "weiting@example.tw",
     "birth_date": "1985-04-02", "country": "TW", "tier": "Gold", "address": "台北市信義區松仁路100號"},
    {"id": "C2", "full_name": "Michael Turner", "phones": ["(217) 555-0134", "(217) 555-0188"],
     "email": "michael.turner@example.com", "birth_date": "1974-05-12", "country": "US",
     "address": "1480 Maple Ave, Springfield, IL", "postcode": "62704", "customer_since": "2011-03-01"},
    {"id": "C3", "full_name": "Laura Turner", "phones": ["(217) 555-0188"], "email": "laura.turner@example.com",
     "birth_date": "1976-09-30", "country": "US", "address": "1480 Maple Ave, Springfield, IL", "postcode": "62704"},
    {"id": "C4", "full_name": "王偉", "phone": "138 0013 8000", "birth_date": "1990-01-01", "country": "CN",
     "email": "wangwei1990@163.com"},
    {"id": "C5", "full_name": "王偉", "phone": "139 1234 5678", "birth_date": "1972-07-07", "country": "CN",
     "email": "ww72@qq.com"},
    {"id": "C6", "full_name": "สมชาย ใจดี", "phone": "081 234 5678", "country": "TH", "email": "somchai@example.co.th"},
]  # fmt: skip
BILLING = [
    {"id": "B1", "full_name": "CHEN, WEI-TING", "phone": "0912-345-678", "email": "WeiTing@Example.tw",
     "country": "TW", "birth_date": "1985-04-02"},
    {"id": "B2", "full_name": "TURNER, MICHAEL J", "phone": "+1 217 555 0134", "birth_date": "05/12/1974",
     "country": "US", "address": "1480 Maple Ave, Springfield, IL", "postcode": "62704"},
    {"id": "B6", "full_name": "คุณสมชาย ใจดี", "phone": "+66 81 234 5678", "country": "TH"},
]  # fmt: skip
SUPPORT = [
    {"id": "S1", "full_name": "陳威廷", "phone": "912345678", "country": "TW"},
    {"id": "S2", "full_name": "Mike Turner", "email": "Michael.Turner@Example.com", "country": "US"},
]  # fmt: skip


def load(client: TestClient, world: World) -> None:
    """Declare sources, ingest customers and their data, run resolution."""
    make_source(world, "billing", "billing", trust_rank=1)
    make_source(world, "crm", "crm", trust_rank=2)
    make_source(world, "support", "support", trust_rank=4)
    for src, rows in (("crm", CRM), ("billing", BILLING), ("support", SUPPORT)):
        rep = post_records(client, world, src, "customer", rows).json()
        assert rep["rejected"] == 0, rep
    post_records(client, world, "billing", "holding", [
        {"id": "B2-TV", "customer_id": "B2", "product_name": "TV Premium", "monthly_amount": "89.00",
         "currency": "USD", "start_date": "2011-03-01", "status": "active"},
        {"id": "B2-NET", "customer_id": "B2", "product_name": "Fibre 1G", "monthly_amount": "110.00",
         "currency": "USD", "start_date": "2011-03-01", "status": "active"},
        {"id": "B2-OLD", "customer_id": "B2", "product_name": "DSL", "monthly_amount": "30.00",
         "currency": "USD", "start_date": "2005-01-01", "end_date": "2011-02-28", "status": "cancelled"},
    ])  # fmt: skip
    post_records(client, world, "support", "interaction", [
        {"id": f"I{k}", "customer_id": "S2", "channel": ch, "type": "move", "agent": agent,
         "started_at": f"2026-11-{10 + k:02d}T10:00:00Z", "ended_at": f"2026-11-{10 + k:02d}T10:20:00Z",
         "issue_key": "MOVE-1", "outcome": "open", "text": f"contact {k}"}
        for k, (ch, agent) in enumerate([("phone", "A"), ("chat", "B"), ("phone", "C")])
    ])  # fmt: skip
    post_records(client, world, "crm", "consent", [
        {"customer_id": "C2", "channel": "email", "purpose": "marketing", "granted": False,
         "recorded_at": "2025-01-01T00:00:00Z"},
        {"customer_id": "C2", "channel": "all", "purpose": "surveys", "granted": True,
         "recorded_at": "2025-01-01T00:00:00Z"},
    ])  # fmt: skip
    jobs.run_pending()


@pytest.fixture
def loaded(client: TestClient, world: World) -> World:
    """The world with its records resolved into profiles."""
    load(client, world)
    return world


def resolve_unsure(client: TestClient, world: World) -> None:
    """Resolve again with the engine unsure: only very strong evidence merges, the rest waits."""
    h = world.headers()
    r = client.put(
        "/api/v1/identity/settings",
        json={"auto_threshold": 0.9999999, "review_threshold": 0.05},
        headers=h,
    )
    assert r.status_code == 200, r.text
    client.post("/api/v1/identity/resolve", headers=h)
    jobs.run_pending()


def find(client: TestClient, world: World, q: str, role: str = "admin") -> list[dict[str, Any]]:
    """Search through the API."""
    r = client.get("/api/v1/customers", params={"q": q}, headers=world.headers(role))
    assert r.status_code == 200, r.text
    result: list[dict[str, Any]] = r.json()
    return result


def profile_of(client: TestClient, world: World, ext: str) -> dict[str, Any]:
    """The 360 view of the profile holding a source record, found by its external id."""
    hits = find(client, world, ext)
    assert len(hits) == 1, (ext, hits)
    view: dict[str, Any] = client.get(
        f"/api/v1/customers/{hits[0]['id']}", headers=world.headers()
    ).json()
    return view
