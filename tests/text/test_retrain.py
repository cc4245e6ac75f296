"""Thumbs up/down, retraining the workspace head (before/after), and re-enrichment jobs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from cxloop.core import clock, jobs
from cxloop.core.db import unit_of_work
from cxloop.text import enrich
from cxloop.text.models import TextEnrichment
from tests.factories import World
from tests.text.comments import COMMENTS, ingest_comments

# Customer-service comments with their true sentiment; the base head gets a few of the Chinese
# ones wrong (learned from product reviews, not service talk), which is what tuning is for.
LABELLED = [
    ("真的很生气，等了一个小时没人理", "negative"),
    ("我想改一下預約的時間", "neutral"),
    ("客服態度很好，很快就解決了", "positive"),
    ("技師準時到達，非常專業", "positive"),
    ("帳單又錯了，氣死我了", "negative"),
    ("退款到現在還沒收到", "negative"),
    ("謝謝你們的幫忙", "positive"),
    ("網路終於恢復了，感謝", "positive"),
    ("The agent was super helpful, thanks!", "positive"),
    ("Still no refund after three weeks", "negative"),
    ("Great service, fixed in ten minutes", "positive"),
    ("I am so annoyed, nobody called me back", "negative"),
    ("Please change my appointment to Friday", "neutral"),
    ("The technician never showed up", "negative"),
    ("ขอบคุณค่ะ แก้ปัญหาได้เร็วมาก", "positive"),
    ("รอสายนานมาก ไม่มีใครรับ", "negative"),
    ("พนักงานสุภาพมาก บริการดี", "positive"),
    ("ค่าบริการแพงเกินไป ไม่คุ้มเลย", "negative"),
    ("new router works perfectly", "positive"),
    ("app keeps logging me out, useless", "negative"),
    ("服務很差，不會再用了", "negative"),
    ("处理得很快，满意", "positive"),
    ("价格太贵了", "negative"),
    ("安装师傅很细心", "positive"),
]


def _comment_ids(client: TestClient, world: World) -> dict[str, int]:
    """Comment id by its redacted text (every comment of the workspace)."""
    with unit_of_work(write=False) as s:
        return {r.redacted: r.id for r in s.scalars(select(TextEnrichment))}


def _label(client: TestClient, world: World, cid: int, label: str, role: str = "agent") -> Any:
    body = (
        {"thumbs": "up" if label == "positive" else "down"}
        if label != "neutral"
        else {"label": "neutral"}
    )
    r = client.put(f"/api/v1/text/comments/{cid}/label", json=body, headers=world.headers(role))
    assert r.status_code == 200, r.text
    return r.json()


def test_relabel_and_retrain_report_before_and_after_then_reenrich(
    client: TestClient, world: World
) -> None:
    ingest_comments(client, world, [(f"L-{i}", "chat", t) for i, (t, _) in enumerate(LABELLED)])
    ids = _comment_ids(client, world)
    for text, label in LABELLED[:10]:
        _label(client, world, ids[text], label)
    r = client.post("/api/v1/text/retrain", headers=world.headers("analyst"))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "text.too_few_labels" and err["data"]["labels"] == 10
    assert "at least 20" in err["message"]
    for text, label in LABELLED[10:]:
        _label(client, world, ids[text], label)
    relabelled = _label(client, world, ids[LABELLED[0][0]], "negative", role="analyst")
    assert relabelled["labelled_by"].startswith("api_key")
    assert client.post("/api/v1/text/retrain", headers=world.headers("agent")).status_code == 403
    before = client.get("/api/v1/text/model", headers=world.headers("analyst")).json()
    assert before["stale"] == 0 and before["labels"] == {
        "negative": 11,
        "neutral": 2,
        "positive": 11,
    }

    r = client.post("/api/v1/text/retrain", headers=world.headers("analyst"))
    assert r.status_code == 201, r.text
    head = r.json()["head"]
    rep = head["report"]
    assert head["labels"] == len(LABELLED) and head["version"] == 1 and head["active"]
    print(
        "workspace accuracy before/after:",
        rep["workspace_before"]["accuracy"],
        rep["workspace_after"]["accuracy"],
    )
    assert 0 <= rep["workspace_before"]["accuracy"] <= 1
    assert rep["workspace_before"]["n"] == rep["workspace_after"]["n"] == len(LABELLED)
    assert set(rep["base_before"]) == set(rep["base_after"]) and rep["base_before"]
    for name, b in rep["base_before"].items():  # no collapse of the base languages
        assert rep["base_after"][name]["accuracy"] > b["accuracy"] - 0.1, name

    status = client.get("/api/v1/text/model", headers=world.headers("analyst")).json()
    assert status["stale"] == len(LABELLED) and status["current"] == 0
    assert f"ws{world.workspace_id}-v1" in status["model_version"]
    assert jobs.run_pending() >= 1
    status = client.get("/api/v1/text/model", headers=world.headers("analyst")).json()
    assert status["stale"] == 0 and status["current"] == len(LABELLED)
    assert status["head"]["head_version"] == head["head_version"]
    audit = client.get("/api/v1/audit", headers=world.headers("admin")).json()
    actions = [a["action"] for a in audit]
    assert actions.count("text.label") == len(LABELLED) + 1 and "text.retrain" in actions
    listed = client.get(
        "/api/v1/text/themes/{}/comments".format(
            next(
                t["id"]
                for t in client.get("/api/v1/text/themes", headers=world.headers()).json()["themes"]
                if t["key"] == "refund"
            )
        ),
        headers=world.headers(),
    ).json()
    assert {c["label"] for c in listed} == {"negative"}


def test_reenrichment_after_a_model_version_change_is_resumable(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_comments(client, world)
    with unit_of_work() as s:  # comments enriched by an older release of the library
        s.execute(update(TextEnrichment).values(model_version="text-0/base-old/usem3-0.1/tax-old"))
    assert client.post("/api/v1/text/reenrich", headers=world.headers("agent")).status_code == 403
    r = client.post("/api/v1/text/reenrich", headers=world.headers("analyst"))
    assert r.status_code == 202
    job_id = r.json()["id"]
    assert (
        client.post("/api/v1/text/reenrich", headers=world.headers("admin")).json()["id"] == job_id
    )

    monkeypatch.setattr(enrich, "PAGE", 3)
    real = enrich.enrich_subjects
    calls = {"n": 0}

    def crash_on_second_page(*args: Any, **kw: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kw)

    monkeypatch.setattr(enrich, "enrich_subjects", crash_on_second_page)
    jobs.run_pending()
    status = client.get("/api/v1/text/model", headers=world.headers("analyst")).json()
    assert (status["current"], status["stale"]) == (3, len(COMMENTS) - 3)  # page 1 was kept

    monkeypatch.setattr(enrich, "enrich_subjects", real)
    with unit_of_work() as s:  # the retry is due
        s.execute(update(jobs.Job).where(jobs.Job.id == job_id).values(run_after=clock.now()))
    assert jobs.run_pending() == 1
    r = client.get(f"/api/v1/jobs/{job_id}", headers=world.headers("analyst")).json()
    assert r["status"] == "done" and r["attempts"] == 2
    assert r["result"]["enriched"] == len(COMMENTS) - 3 and r["result"]["up_to_date"] == 3
    status = client.get("/api/v1/text/model", headers=world.headers("analyst")).json()
    assert (status["current"], status["stale"]) == (len(COMMENTS), 0)
