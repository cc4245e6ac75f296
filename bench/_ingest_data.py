"""Deterministic interaction events for the ingest bench: JSON Lines, ~1% bad rows on purpose."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

CHANNELS = ("phone", "chat", "email", "app", "web", "store", "sms", "social")
TYPES = ("billing", "outage", "upgrade", "cancel", "complaint", "question", "roaming", "device")
OUTCOMES = ("resolved", "escalated", "callback", "open", "transferred")
TEAMS = ("tier1", "tier2", "billing", "retention", "field")
TEXTS = (
    "My bill is higher than last month, can you explain the roaming charge?",
    "網路從昨天晚上開始就很慢，請幫我檢查一下。",
    "อินเทอร์เน็ตใช้งานไม่ได้ตั้งแต่เมื่อวาน ช่วยตรวจสอบด้วยครับ",
    "I want to upgrade to the unlimited plan but keep my number.",
    "账单上有一笔我不认识的费用，请帮我退款。",
    "The technician did not come at the agreed time. Very disappointed.",
    "請問合約到期後可以直接續約嗎？",
    "Thanks, the agent solved it quickly!",
)
OFFSETS = ("+08:00", "Z", "+07:00", "+00:00")
BAD_KINDS = 8  # kinds of deliberately bad rows


def _good(i: int, rng: random.Random, base: datetime) -> dict[str, object]:
    start = base + timedelta(seconds=i * 31 + rng.randrange(30))
    offset = OFFSETS[i % len(OFFSETS)]
    local = start.replace(tzinfo=None)
    row: dict[str, object] = {
        "id": f"ev-{i:07d}",
        "customer_id": f"C{rng.randrange(200_000):06d}",
        "channel": CHANNELS[rng.randrange(len(CHANNELS))],
        "type": TYPES[rng.randrange(len(TYPES))],
        "direction": "inbound" if rng.random() < 0.8 else "outbound",
        "started_at": local.isoformat() + offset,
        "agent": f"agent-{rng.randrange(400):03d}",
        "team": TEAMS[rng.randrange(len(TEAMS))],
        "outcome": OUTCOMES[rng.randrange(len(OUTCOMES))],
        "text": f"{TEXTS[rng.randrange(len(TEXTS))]} #{i}",
    }
    if rng.random() < 0.7:
        row["ended_at"] = (local + timedelta(seconds=rng.randrange(60, 3600))).isoformat() + offset
    if rng.random() < 0.3:
        row["issue_key"] = f"T-{rng.randrange(100_000)}"
    if rng.random() < 0.2:
        row["transferred"] = True
    if rng.random() < 0.1:
        row["priority"] = rng.choice(("low", "normal", "high"))  # a source field kept as extra
    return row


def _bad(i: int, row: dict[str, object]) -> dict[str, object] | bytes:
    kind = i % BAD_KINDS
    if kind == 0:
        row["channel"] = "fax"
    elif kind == 1:
        row["started_at"] = "yesterday afternoon"
    elif kind == 2:
        del row["id"]
    elif kind == 3:
        row["ended_at"] = "2001-01-01T00:00:00Z"
    elif kind == 4:
        row["text"] = "nul\x00inside"
    elif kind == 5:
        row["transferred"] = "perhaps"
    elif kind == 6:
        row["type"] = ""
    else:
        return orjson.dumps(row)[:-9] + b"broken"
    return row


def write_events(path: Path, count: int, bad_every: int = 100, seed: int = 7) -> int:
    """Write ``count`` events to ``path`` (every ``bad_every``-th one invalid); return bad rows."""
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    bad = 0
    with path.open("wb") as fh:
        buf: list[bytes] = []
        for i in range(count):
            row = _good(i, rng, base)
            out: dict[str, object] | bytes = row
            if bad_every and i % bad_every == bad_every - 1:
                out = _bad(i // bad_every, row)
                bad += 1
            buf.append(out if isinstance(out, bytes) else orjson.dumps(out))
            if len(buf) >= 10_000:
                fh.write(b"\n".join(buf) + b"\n")
                buf.clear()
        if buf:
            fh.write(b"\n".join(buf) + b"\n")
    return bad
