"""Real customer comments for the integration tests, and a helper that ingests them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World, make_source, post_records

PHONE = "0912-345-678"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
COMMENTS = [
    ("I-1", "chat", f"The technician was great but billing is a mess, call me at {PHONE}"),
    ("I-2", "email", "我的帳單金額不對，多收了兩百元，請聯絡王先生 0912345678"),
    ("I-3", "phone", "網路從昨天開始一直斷線，非常不方便"),
    ("I-4", "chat", "สัญญาณอินเทอร์เน็ตหลุดบ่อยมาก ใช้งานไม่ได้เลย"),
    ("I-5", "app", "Thanks, the app works great now"),
    ("I-6", "phone", "I waited 40 minutes on hold before anyone answered"),
    ("I-7", "email", "My bill is wrong again, I was charged twice this month"),
    ("I-8", "chat", "账单上多收了钱，太离谱了"),
]


def interaction(ext: str, channel: str, text: str | None, days_ago: int = 1) -> dict[str, Any]:
    """An interaction record as a source sends it."""
    at = NOW - timedelta(days=days_ago, hours=1)
    return {
        "id": ext,
        "customer_id": "C-1",
        "channel": channel,
        "type": "support",
        "started_at": at.isoformat(),
        "text": text,
    }


def ingest_comments(
    client: TestClient,
    world: World,
    comments: list[tuple[str, str, str]] | None = None,
    days_ago: int = 1,
    run_jobs: bool = True,
) -> dict[str, Any]:
    """Send the comments as interactions through the REST API and run the queued jobs."""
    if "support" not in world.secrets:
        make_source(world, "support", "support")
        post_records(client, world, "support", "customer", [{"id": "C-1", "full_name": "陳大文"}])
    records = [interaction(e, c, t, days_ago) for e, c, t in comments or COMMENTS]
    r = post_records(client, world, "support", "interaction", records)
    assert r.status_code == 200, r.text
    if run_jobs:
        jobs.run_pending()
    return dict(r.json())
