"""Build the demo world's source records (pure and deterministic for a seed and an anchor date).

People and their customer records come from ``profiles.synth`` (typos, stale records, namesakes,
households); on top of them this module builds what each source system holds: subscriptions in
billing, purchases at the till and on the web, contacts in support, consent in the CRM, and the
story of the disconnected provider (``story.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cxloop.profiles.demo import story
from cxloop.profiles.demo.catalog import AGENTS, DEVICES, ISSUES, MARKETS, PLANS, TEXTS

SOURCES = {
    # name: (kind, trust rank, time zone of naive timestamps, column mapping of customer rows)
    "billing": ("billing", 2, "UTC", {"cust_no": "external_id", "holder_name": "full_name",
                                       "mobile": "phones", "mail": "email", "crm_ref": "refs"}),
    "crm": ("crm", 1, "UTC", {}),
    "support": ("support", 4, "UTC", {}),
    "web": ("web", 5, "UTC", {}),
    "pos": ("pos", 6, "UTC", {}),
}  # fmt: skip


TIMEZONES = {
    "TW": "Asia/Taipei",
    "HK": "Asia/Hong_Kong",
    "CN": "Asia/Shanghai",
    "TH": "Asia/Bangkok",
    "US": "America/Chicago",
}


@dataclass
class World:
    """Rows to ingest per (source, entity), and the ground truth of who is who."""

    anchor: date
    rows: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    truth: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, ext id) -> person

    def add(self, source: str, entity: str, row: dict[str, Any]) -> None:
        """Append one row."""
        self.rows.setdefault((source, entity), []).append(row)


def _s(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _customer_row(source: str, rec: dict[str, Any]) -> dict[str, Any]:
    phones = [p for p in (_s(rec["phone"]), _s(rec["phone2"])) if p]
    row: dict[str, Any] = {
        "id": rec["external_id"],
        "full_name": _s(rec["name"]),
        "email": _s(rec["email"]),
        "email_verified": bool(rec["email_verified"]),
        "phones": phones,
        "birth_date": _s(rec["birth_date"]),
        "address": _s(rec["address"]),
        "postcode": _s(rec["postcode"]),
        "country": _s(rec["country"]),
        "refs": [r for r in _s(rec.get("ref")).split(";") if r],
    }
    if source == "billing":
        # billing exports its own column names; the source's field mapping translates them
        return {
            "cust_no": row["id"],
            "holder_name": row["full_name"],
            "mail": row["email"],
            "email_verified": row["email_verified"],
            "mobile": "; ".join(phones),
            "birth_date": row["birth_date"],
            "address": row["address"],
            "postcode": row["postcode"],
            "country": row["country"],
            "crm_ref": "; ".join(row["refs"]),
        }
    return row


def _at(anchor: date, days_ago: float, rng: np.random.Generator) -> datetime:
    base = datetime.combine(anchor, time(9, 0), tzinfo=UTC) - timedelta(days=days_ago)
    return base + timedelta(minutes=int(rng.integers(0, 10 * 60)))


def build(n_people: int = 5000, seed: int = 7, anchor: date | None = None) -> World:
    """The whole demo world."""
    from cxloop.profiles.synth import demo_world

    anchor = anchor or date(2026, 11, 20)
    rng = np.random.default_rng(seed)
    people, records = demo_world(n_people=n_people, seed=seed)
    world = World(anchor)
    country_of = dict(zip(people["person_id"], people["country"], strict=True))
    rec: dict[str, Any]
    for rec in records.to_dict("records"):  # type: ignore[assignment]
        src, ext, person = rec["source"], rec["external_id"], int(rec["person_id"])
        world.truth[(src, ext)] = person
        world.add(src, "customer", _customer_row(src, rec))
        market = _s(rec["country"]) or str(country_of.get(person, "US"))
        if market not in MARKETS:
            market = "US"
        if src == "billing":
            _holdings(world, rng, ext, market, anchor)
        elif src in ("pos", "web"):
            _orders(world, rng, src, ext, market, anchor)
        elif src == "support":
            _interactions(world, rng, ext, market, anchor)
        elif src == "crm":
            _consent(world, rng, ext, market, anchor)
    story.add_story(world)
    return world


def _holdings(world: World, rng: np.random.Generator, ext: str, market: str, anchor: date) -> None:
    currency = MARKETS[market][0]
    picks = rng.choice(len(PLANS), size=int(rng.integers(1, 4)), replace=False)
    for i in sorted(int(p) for p in picks):
        code, name, category, prices = PLANS[i]
        start = anchor - timedelta(days=int(rng.integers(60, 15 * 365)))
        status = "active" if rng.random() > 0.12 else "cancelled"
        row: dict[str, Any] = {
            "id": f"{ext}-{code}",
            "customer_id": ext,
            "product_code": code,
            "product_name": name,
            "category": category,
            "status": status,
            "monthly_amount": f"{prices[market]}.00",
            "currency": currency,
            "start_date": start.isoformat(),
        }
        if status == "cancelled":
            row["end_date"] = (anchor - timedelta(days=int(rng.integers(1, 59)))).isoformat()
        elif rng.random() < 0.5:
            row["contract_end_date"] = (
                anchor + timedelta(days=int(rng.integers(10, 700)))
            ).isoformat()
        world.add("billing", "holding", row)


def _orders(
    world: World, rng: np.random.Generator, src: str, ext: str, market: str, anchor: date
) -> None:
    currency = MARKETS[market][0]
    for k in range(int(rng.poisson(1.3))):
        name, prices = DEVICES[int(rng.integers(0, len(DEVICES)))]
        world.add(
            src,
            "order",
            {
                "id": f"{ext}-O{k + 1}",
                "customer_id": ext,
                "ordered_at": _at(anchor, float(rng.integers(1, 900)), rng).isoformat(),
                "amount": f"{prices[market]}.00",
                "currency": currency,
                "status": "completed" if rng.random() > 0.05 else "refunded",
                "channel": "store" if src == "pos" else "web",
                "description": name,
            },
        )


def _interactions(
    world: World, rng: np.random.Generator, ext: str, market: str, anchor: date
) -> None:
    lang = MARKETS[market][1]
    types = list(ISSUES)
    weights = np.array([ISSUES[t][0] for t in types])
    n = int(rng.poisson(2.2))
    issue_no = 0
    last_issue: tuple[str, str] | None = None
    for k in range(n):
        if last_issue is not None and rng.random() < 0.3:
            kind, key = last_issue  # a repeat contact about the same problem
        else:
            issue_no += 1
            kind = types[int(rng.choice(len(types), p=weights / weights.sum()))]
            key = f"{ext}-{issue_no}"
        last_issue = (kind, key)
        _w, channels, outcomes = ISSUES[kind]
        channel = channels[int(rng.integers(0, len(channels)))]
        started = _at(anchor, float(rng.integers(0, 365)), rng)
        minutes = int(rng.integers(2, 45)) if channel in ("phone", "chat", "store") else 0
        texts = TEXTS[kind][lang]
        world.add(
            "support",
            "interaction",
            {
                "id": f"{ext}-I{k + 1}",
                "customer_id": ext,
                "channel": channel,
                "type": kind,
                "direction": "inbound",
                "started_at": started.isoformat(),
                "ended_at": (started + timedelta(minutes=minutes)).isoformat() if minutes else None,
                "agent": AGENTS[market][int(rng.integers(0, 6))] if channel != "app" else None,
                "issue_key": key,
                "outcome": outcomes[int(rng.integers(0, len(outcomes)))],
                "transferred": bool(channel == "phone" and rng.random() < 0.15),
                "text": texts[int(rng.integers(0, len(texts)))],
                "context": {"market": market, "wait_seconds": int(rng.integers(0, 900))},
            },
        )


def _consent(world: World, rng: np.random.Generator, ext: str, market: str, anchor: date) -> None:
    recorded = _at(anchor, float(rng.integers(30, 2000)), rng).isoformat()
    for channel, purpose, p in (
        ("email", "marketing", 0.55),
        ("sms", "marketing", 0.35),
        ("all", "surveys", 0.8),
    ):
        world.add(
            "crm",
            "consent",
            {
                "customer_id": ext,
                "channel": channel,
                "purpose": purpose,
                "granted": bool(rng.random() < p),
                "recorded_at": recorded,
            },
        )
    channels = ["email", "sms", "phone", "app"]
    rng.shuffle(channels)
    world.add(
        "crm",
        "preference",
        {
            "customer_id": ext,
            "preferred_channels": channels[: int(rng.integers(1, 3))],
            "language": MARKETS[market][1],
            "max_surveys_per_month": int(rng.integers(1, 3)),
            "quiet_hours": "21:00-08:00",
            "timezone": TIMEZONES[market],
            "recorded_at": recorded,
        },
    )


def truth_frame(world: World) -> pd.DataFrame:
    """Ground truth as a frame: source, external_id, person."""
    return pd.DataFrame(
        [(s, e, p) for (s, e), p in world.truth.items()],
        columns=["source", "external_id", "person"],
    )
