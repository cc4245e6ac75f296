"""The 360 view of a customer: identity with provenance, products and spend, orders, the
timeline of every channel, consents and preferences, merges."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.actor import Actor
from cxloop.core.permissions import PROFILES_PII
from cxloop.journeys import queries as journeys
from cxloop.profiles import access, timeline
from cxloop.profiles.ingest.models import Source
from cxloop.profiles.masking import mask_golden, record_view
from cxloop.profiles.models import (
    ConsentRecord,
    CustomerRecord,
    Holding,
    MergeEvent,
    Order,
    PreferenceRecord,
)


def _refs(records: list[CustomerRecord]) -> list[tuple[int, str]]:
    return [(r.source_id, r.external_id) for r in records]


def _by_refs(
    session: Session, model: Any, workspace_id: int, refs: list[tuple[int, str]]
) -> list[Any]:
    if not refs:
        return []
    return list(
        session.scalars(
            select(model).where(
                model.workspace_id == workspace_id,
                tuple_(model.customer_source_id, model.customer_ref).in_(refs),
            )
        )
    )


def _months_between(start: date, end: date) -> int:
    return max((end.year - start.year) * 12 + end.month - start.month, 0)


def customer_360(
    session: Session,
    actor: Actor,
    profile_id: int,
    lang: str = "en",
    timeline_before: timeline.Cursor | None = None,
) -> dict[str, Any]:
    """One customer: identity with provenance, products, spend, timeline, consent (question
    texts of survey answers in ``lang`` where the survey has it).

    The timeline holds the newest interactions, or those older than ``timeline_before``, with
    their total and the cursor of the next older page.
    """
    profile = access.get_profile(session, actor, profile_id)
    ws_id = actor.workspace_id
    pii = actor.can(PROFILES_PII)
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.workspace_id == ws_id))}
    records = list(
        session.scalars(
            select(CustomerRecord)
            .where(CustomerRecord.profile_id == profile.id)
            .order_by(CustomerRecord.id)
        )
    )
    refs = _refs(records)
    today = clock.now().date()
    holdings = _by_refs(session, Holding, ws_id, refs)
    monthly: dict[str, int] = defaultdict(int)
    ltv: dict[str, int] = defaultdict(int)
    products = []
    for h in sorted(holdings, key=lambda h: (h.status != "active", h.product_name)):
        if h.status == "active":
            monthly[h.currency] += h.monthly_amount_minor
        if h.start_date:
            months = _months_between(h.start_date, h.end_date or today)
            ltv[h.currency] += months * h.monthly_amount_minor
        products.append(
            {
                "id": h.id,
                "source": sources[h.source_id].name,
                "product_code": h.product_code,
                "product_name": h.product_name,
                "category": h.category,
                "status": h.status,
                "monthly_amount_minor": h.monthly_amount_minor,
                "currency": h.currency,
                "start_date": h.start_date,
                "end_date": h.end_date,
                "contract_end_date": h.contract_end_date,
            }
        )
    orders = sorted(_by_refs(session, Order, ws_id, refs), key=lambda o: o.ordered_at, reverse=True)
    order_totals: dict[str, int] = defaultdict(int)
    for o in orders:
        if o.status not in ("cancelled", "refunded"):
            order_totals[o.currency] += o.amount_minor
            ltv[o.currency] += o.amount_minor
    starts = [d for d in [profile.customer_since, *(h.start_date for h in holdings)] if d]
    since = min(starts) if starts else None
    consents = _latest_consents(_by_refs(session, ConsentRecord, ws_id, refs), sources)
    prefs = sorted(
        _by_refs(session, PreferenceRecord, ws_id, refs), key=lambda p: p.recorded_at, reverse=True
    )
    golden = profile.golden if pii else mask_golden(profile.golden)
    page = timeline.timeline_page(
        session,
        ws_id,
        refs,
        {k: v.name for k, v in sources.items()},
        pii,
        lang,
        timeline_before,
        timeline.PAGE_360,
    )
    merges = list(
        session.scalars(
            select(MergeEvent)
            .where(MergeEvent.workspace_id == ws_id, MergeEvent.survivor_id == profile.id)
            .order_by(MergeEvent.id.desc())
        )
    )
    return {
        "id": profile.id,
        "status": profile.status,
        "display_name": profile.display_name,
        "tier": profile.tier,
        "region": profile.region,
        "language": profile.language,
        "owner_user_id": profile.owner_user_id,
        "golden": golden,
        "records": [record_view(r, sources, pii) for r in records],
        "products": products,
        "monthly_spend": [{"currency": c, "amount_minor": v} for c, v in sorted(monthly.items())],
        "lifetime_value": [{"currency": c, "amount_minor": v} for c, v in sorted(ltv.items())],
        "orders": {
            "count": len(orders),
            "totals": [{"currency": c, "amount_minor": v} for c, v in sorted(order_totals.items())],
            "recent": [
                {
                    "id": o.id,
                    "ordered_at": o.ordered_at,
                    "amount_minor": o.amount_minor,
                    "currency": o.currency,
                    "status": o.status,
                    "channel": o.channel,
                    "description": o.description,
                }
                for o in orders[:10]
            ],
        },
        "customer_since": since,
        "tenure_months": _months_between(since, today) if since else None,
        "timeline": page["items"],
        "timeline_total": page["total"],
        "timeline_has_more": page["has_more"],
        "timeline_next_before": page["next_before"],
        "effort": journeys.effort(session, ws_id, refs),
        "consents": consents,
        "preferences": [
            {
                "source": sources[p.source_id].name,
                "preferred_channels": p.preferred_channels,
                "language": p.language,
                "max_surveys_per_month": p.max_surveys_per_month,
                "quiet_hours": p.quiet_hours,
                "timezone": p.timezone,
                "recorded_at": p.recorded_at,
            }
            for p in prefs[:1]
        ],
        "merges": [
            {
                "id": m.id,
                "absorbed_id": m.absorbed_id,
                "reason": m.reason,
                "records": len(m.record_ids),
                "at": m.created_at,
                "actor": m.actor,
                "undone_at": m.undone_at,
            }
            for m in merges
        ],
        # Filled by later capabilities (closed loop, feedback, churn model).
        "cases": None,
        "feedback": None,
        "churn_risk": None,
    }


def _latest_consents(rows: list[ConsentRecord], sources: dict[int, Source]) -> list[dict[str, Any]]:
    latest: dict[tuple[str, str], ConsentRecord] = {}
    for c in rows:
        key = (c.channel, c.purpose)
        if key not in latest or c.recorded_at > latest[key].recorded_at:
            latest[key] = c
    return [
        {
            "channel": c.channel,
            "purpose": c.purpose,
            "granted": c.granted,
            "recorded_at": c.recorded_at,
            "source": sources[c.source_id].name,
        }
        for _k, c in sorted(latest.items())
    ]
