"""Interactions with free text are enriched after ingest, by a durable job, with real models."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cxloop.core import jobs
from cxloop.core.db import unit_of_work
from cxloop.text.models import TextEnrichment
from tests.factories import World
from tests.text.comments import COMMENTS, PHONE, ingest_comments


def _themes(client: TestClient, world: World, role: str = "analyst") -> dict[str, dict]:
    r = client.get("/api/v1/text/themes?days=30", headers=world.headers(role))
    assert r.status_code == 200, r.text
    return {t["key"]: t for t in r.json()["themes"]}


def test_ingested_interactions_are_enriched_by_a_job(client: TestClient, world: World) -> None:
    ingest_comments(client, world, run_jobs=False)
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(TextEnrichment)) == 0
        queued = s.scalars(select(jobs.Job.kind).where(jobs.Job.status == "queued")).all()
    assert "text.enrich" in queued
    jobs.run_pending()
    with unit_of_work(write=False) as s:
        rows = {r.subject_id: r for r in s.scalars(select(TextEnrichment))}
        assert len(rows) == len(COMMENTS)
        langs = sorted(r.language for r in rows.values())
        assert {"en", "zh-Hant", "zh-Hans", "th"} <= set(langs)
        for r in rows.values():
            assert r.model_version.startswith("text-")
            assert PHONE not in r.redacted and "0912345678" not in r.redacted
    themes = _themes(client, world)
    assert themes["billing"]["volume"] >= 3
    assert themes["billing"]["avg_sentiment"] < 0
    assert sum(p["count"] for p in themes["billing"]["trend"]) == themes["billing"]["volume"]
    assert themes["network_outage"]["volume"] >= 2


def test_enrichment_is_idempotent_and_follows_new_versions(
    client: TestClient, world: World
) -> None:
    ingest_comments(client, world)
    with unit_of_work(write=False) as s:
        first = {r.subject_id: (r.id, r.sentiment) for r in s.scalars(select(TextEnrichment))}
    again = ingest_comments(client, world)
    assert again["unchanged"] == len(COMMENTS)
    changed = ingest_comments(
        client, world, [("I-5", "app", "The app crashes every time I log in")]
    )
    assert changed["updated"] == 1
    with unit_of_work(write=False) as s:
        after = {r.subject_id: r for r in s.scalars(select(TextEnrichment))}
        assert {k: v.id for k, v in after.items()} == {k: v[0] for k, v in first.items()}
        updated = [r for r in after.values() if r.subject_version == 2]
        assert len(updated) == 1
        assert updated[0].sentiment == "negative"
        assert any(t["key"] == "app_bug" for t in updated[0].themes)
