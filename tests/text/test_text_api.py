"""The text API: PII by role (also in the 360 view), themes, comments, filters, limits, tenancy."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World, make_source, post_records
from tests.text.comments import PHONE, ingest_comments, interaction


def _theme_id(client: TestClient, world: World, key: str) -> int:
    r = client.get("/api/v1/text/themes", headers=world.headers("analyst"))
    return next(t["id"] for t in r.json()["themes"] if t["key"] == key)


def _comments(client: TestClient, world: World, theme: int, role: str, **params: Any) -> Any:
    r = client.get(
        f"/api/v1/text/themes/{theme}/comments", params=params, headers=world.headers(role)
    )
    assert r.status_code == 200, r.text
    return r


def test_raw_text_only_for_roles_with_the_pii_permission(client: TestClient, world: World) -> None:
    ingest_comments(client, world)
    billing = _theme_id(client, world, "billing")
    analyst = _comments(client, world, billing, "analyst").json()
    agent = _comments(client, world, billing, "agent").json()
    by_subject = {c["subject_id"]: c for c in agent}
    assert len(analyst) == len(agent) >= 3
    for c in analyst:
        assert c["redacted"] is True
        assert "0912" not in c["text"]
        for h in c["highlights"]:
            assert c["text"][h["start"] : h["end"]].casefold() == h["term"].casefold()
    leaked = [c for c in analyst if "phone" in c["pii_kinds"]]
    assert leaked and all("[PHONE]" in c["text"] for c in leaked)
    raw = [by_subject[c["subject_id"]] for c in leaked]
    assert all(c["redacted"] is False for c in raw)
    assert any(PHONE in c["text"] for c in raw)
    assert any("王先生" in c["text"] for c in raw)
    assert all(
        c["text"][h["start"] : h["end"]].casefold() == h["term"].casefold()
        for c in raw
        for h in c["highlights"]
    )
    # one comment in full, same rule
    one = leaked[0]["id"]
    assert (
        "[PHONE]"
        in client.get(f"/api/v1/text/comments/{one}", headers=world.headers("analyst")).json()[
            "text"
        ]
    )
    assert (
        "[PHONE]"
        not in client.get(f"/api/v1/text/comments/{one}", headers=world.headers("agent")).json()[
            "text"
        ]
    )
    # account managers see comments only in their own customers' 360 view
    r = client.get("/api/v1/text/themes", headers=world.headers("account_manager"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_the_360_timeline_shows_redacted_text_without_the_pii_permission(
    client: TestClient, world: World
) -> None:
    ingest_comments(client, world)
    # a new comment not analysed yet is redacted too
    post_records(
        client, world, "support", "interaction", [interaction("I-9", "chat", f"call {PHONE}")]
    )
    hit = client.get("/api/v1/customers?q=陳大文", headers=world.headers("analyst")).json()
    profile = hit[0]["id"]

    def texts(role: str) -> dict[str, dict[str, Any]]:
        r = client.get(f"/api/v1/customers/{profile}", headers=world.headers(role))
        assert r.status_code == 200, r.text
        return {i["external_id"]: i for i in r.json()["timeline"]}

    analyst, agent = texts("analyst"), texts("agent")
    assert analyst["I-1"]["text_redacted"] and "[PHONE]" in analyst["I-1"]["text"]
    assert PHONE not in analyst["I-1"]["text"] and "王先生" not in analyst["I-2"]["text"]
    assert analyst["I-9"]["text"] == "call [PHONE]" and analyst["I-9"]["sentiment"] is None
    assert not agent["I-1"]["text_redacted"] and PHONE in agent["I-1"]["text"]
    assert analyst["I-7"]["sentiment"] == agent["I-7"]["sentiment"] == "negative"


def test_comment_filters_paging_and_trend(client: TestClient, world: World) -> None:
    ingest_comments(client, world)
    ingest_comments(client, world, [("I-20", "email", "帳單又算錯了，多收我一百元")], days_ago=12)
    billing = _theme_id(client, world, "billing")
    everything = _comments(client, world, billing, "analyst")
    total = int(everything.headers["x-total-count"])
    assert total == len(everything.json()) >= 4
    zh = _comments(client, world, billing, "analyst", language="zh-Hant").json()
    assert zh and all(c["language"] == "zh-Hant" for c in zh)
    email = _comments(client, world, billing, "analyst", channel="email").json()
    assert email and all(c["channel"] == "email" for c in email)
    neg = _comments(client, world, billing, "analyst", sentiment="negative").json()
    assert all(c["sentiment"] == "negative" for c in neg)
    recent = _comments(
        client, world, billing, "analyst", since=everything.json()[-1]["occurred_at"]
    )
    assert int(recent.headers["x-total-count"]) >= 1
    old = _comments(client, world, billing, "analyst", until="2000-01-01T00:00:00Z")
    assert old.json() == [] and old.headers["x-total-count"] == "0"
    page2 = _comments(client, world, billing, "analyst", limit=2, offset=2).json()
    assert [c["id"] for c in page2] == [c["id"] for c in everything.json()[2:4]]
    weekly = client.get(
        "/api/v1/text/themes?days=28&bucket=week", headers=world.headers("analyst")
    ).json()
    theme = next(t for t in weekly["themes"] if t["key"] == "billing")
    assert len(theme["trend"]) == 4 and sum(p["count"] for p in theme["trend"]) == total
    assert theme["trend"][-1]["count"] >= 3  # this week
    assert theme["trend"][-2]["count"] >= 1  # 12 days ago
    assert theme["negative_share"] > 0.5


def test_clear_422s_and_404s_across_workspaces(
    client: TestClient, world: World, rival: World
) -> None:
    ingest_comments(client, world)
    billing = _theme_id(client, world, "billing")
    h = world.headers("admin")
    for params in ({"sentiment": "angry"}, {"limit": 0}, {"since": "yesterday"}):
        r = client.get(f"/api/v1/text/themes/{billing}/comments", params=params, headers=h)
        assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    assert client.get("/api/v1/text/themes?bucket=month", headers=h).status_code == 422
    comment = _comments(client, world, billing, "admin").json()[0]["id"]
    rh = rival.headers("admin")
    for method, path, body in (
        ("get", f"/api/v1/text/themes/{billing}/comments", None),
        ("patch", f"/api/v1/text/themes/{billing}", {"name": "Mine"}),
        ("post", f"/api/v1/text/themes/{billing}/merge", {"into_id": billing}),
        ("post", f"/api/v1/text/themes/{billing}/split", {"name": "x", "terms": ["bill"]}),
        ("get", f"/api/v1/text/comments/{comment}", None),
        ("put", f"/api/v1/text/comments/{comment}/label", {"thumbs": "up"}),
    ):
        r = client.request(method, path, json=body, headers=rh)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] in ("text.theme_not_found", "text.comment_not_found")
    r = client.put(f"/api/v1/text/comments/{comment}/label", json={}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "text.invalid"
    r = client.put(f"/api/v1/text/comments/{comment}/label", json={"label": "great"}, headers=h)
    assert r.status_code == 422
    assert client.get("/api/v1/text/themes").status_code == 401


def test_analyze_texts_with_limits(client: TestClient, world: World) -> None:
    h = world.headers("analyst")
    r = client.post(
        "/api/v1/text/analyze",
        json={"texts": [f"Billing charged me twice, call {PHONE}", "ขอบคุณมากค่ะ บริการดีมาก"]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    en, th = r.json()
    assert en["language"] == "en" and en["sentiment"] == "negative"
    assert en["themes"][0]["theme"] == "billing" and en["themes"][0]["evidence"]
    assert en["pii"] == [{"type": "phone", "start": 31, "end": 43}]
    assert PHONE not in r.text and "[PHONE]" in en["redacted"]
    assert th["language"] == "th" and th["sentiment"] == "positive"
    for body in (
        {"texts": []},
        {"texts": ["x"] * 101},
        {"texts": ["x" * 10_001]},
        {"texts": ["x" * 10_000] * 3},
        {"texts": ["nul \u0000 here"]},
        {"texts": ["ok"], "extra": 1},
        {"texts": "not a list"},
    ):
        r = client.post("/api/v1/text/analyze", json=body, headers=h)
        assert r.status_code == 422, body
        assert r.json()["error"]["code"] == "request.invalid"


def test_rename_split_and_merge_themes_are_audited(client: TestClient, world: World) -> None:
    ingest_comments(client, world)
    h = world.headers("analyst")
    billing = _theme_id(client, world, "billing")
    r = client.patch(
        f"/api/v1/text/themes/{billing}", json={"name": "  Bills &  charges "}, headers=h
    )
    assert r.status_code == 200 and r.json()["label"] == "Bills & charges"
    assert (
        client.patch(
            f"/api/v1/text/themes/{billing}", json={"name": "x"}, headers=world.headers("agent")
        ).status_code
        == 403
    )
    before = int(_comments(client, world, billing, "analyst").headers["x-total-count"])
    r = client.post(
        f"/api/v1/text/themes/{billing}/split",
        json={"name": "Overcharged", "terms": ["多收", "charged twice"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    child = r.json()
    assert child["parent_id"] == billing and child["key"].startswith("billing/")
    moved = _comments(client, world, child["id"], "analyst").json()
    assert {c["subject_id"] for c in moved} and len(moved) >= 3
    for c in moved:
        assert {h_["term"] for h_ in c["highlights"]} <= {"多收", "charged twice"}
        assert c["highlights"]
    left = int(_comments(client, world, billing, "analyst").headers["x-total-count"])
    assert left == before - len(moved)
    # a new comment about an overcharge lands on the split-off theme
    ingest_comments(client, world, [("I-30", "chat", "這個月又多收了我五十元")])
    assert (
        int(_comments(client, world, child["id"], "analyst").headers["x-total-count"])
        == len(moved) + 1
    )
    network = _theme_id(client, world, "network_outage")
    r = client.post(
        f"/api/v1/text/themes/{child['id']}/merge", json={"into_id": network}, headers=h
    )
    assert r.status_code == 200 and r.json()["id"] == network
    again = client.post(
        f"/api/v1/text/themes/{child['id']}/merge", json={"into_id": network}, headers=h
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "text.theme_merged"
    themes = {t["id"]: t for t in client.get("/api/v1/text/themes", headers=h).json()["themes"]}
    assert child["id"] not in themes
    assert themes[network]["volume"] >= len(moved) + 1 + 2
    self_merge = client.post(
        f"/api/v1/text/themes/{network}/merge", json={"into_id": network}, headers=h
    )
    assert self_merge.status_code == 422
    audit = client.get(
        "/api/v1/audit?entity_type=text_theme", headers=world.headers("admin")
    ).json()
    assert [a["action"] for a in audit] == [
        "text.theme.merge",
        "text.theme.split",
        "text.theme.rename",
    ]
    assert audit[2]["before"]["name"] is None and audit[2]["after"]["name"] == "Bills & charges"


def test_emerging_themes_become_events(client: TestClient, world: World) -> None:
    make_source(world, "support", "support")
    post_records(client, world, "support", "customer", [{"id": "C-1", "full_name": "陳大文"}])
    world.secrets["support"] = "set"
    network = [(f"N-{i}", "phone", "網路從昨天開始一直斷線，非常不方便") for i in range(20)]
    ingest_comments(
        client, world, [*network, ("B-0", "email", "My bill is wrong again")], days_ago=20
    )
    bills = [(f"B-{i}", "email", "我的帳單金額不對，多收了兩百元") for i in range(1, 13)]
    ingest_comments(client, world, [*bills, ("N-90", "phone", "網路又斷線了")], days_ago=2)
    r = client.post(
        "/api/v1/text/emerging/detect",
        json={"days": 7, "baseline_days": 28},
        headers=world.headers("analyst"),
    )
    assert r.status_code == 200, r.text
    events = r.json()
    billing = next(e for e in events if e["theme"] == "Billing")
    assert billing["kind"] == "volume" and billing["current_count"] == 12
    assert billing["q_value"] < 0.05 and billing["ratio"] > 2
    assert not any(e["theme"] == "Network outage" and e["kind"] == "volume" for e in events)
    again = client.post(
        "/api/v1/text/emerging/detect", json={}, headers=world.headers("analyst")
    ).json()
    listed = client.get("/api/v1/text/emerging", headers=world.headers("agent")).json()
    assert {e["id"] for e in listed} == {e["id"] for e in again} == {e["id"] for e in events}
    bad = client.post(
        "/api/v1/text/emerging/detect", json={"days": 0}, headers=world.headers("analyst")
    )
    assert bad.status_code == 422
    assert (
        client.post(
            "/api/v1/text/emerging/detect", json={}, headers=world.headers("agent")
        ).status_code
        == 403
    )
    assert jobs.run_pending() == 0
