"""Reads of profiles: search, the 360 view, the review queue, merge history."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.actor import Actor
from cxloop.core.permissions import PROFILES_PII, PROFILES_READ
from cxloop.core.tenancy import Workspace
from cxloop.journeys import queries as journeys
from cxloop.profiles import access, search, timeline
from cxloop.profiles.contacts import Contact as Contact
from cxloop.profiles.contacts import audience_ids as audience_ids
from cxloop.profiles.contacts import contacts as contacts
from cxloop.profiles.contacts import profiles_of_refs as profiles_of_refs
from cxloop.profiles.ingest.models import Source
from cxloop.profiles.models import (
    ConsentRecord,
    CustomerRecord,
    Holding,
    MatchLink,
    MergeEvent,
    Order,
    PreferenceRecord,
    Profile,
    SearchTerm,
)

SEARCH_REGIONS = ("TW", "HK", "CN", "TH", "US")


def mask_email(email: str | None) -> str | None:
    """``c***@example.com`` for roles without PII permission."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    """Keep the country code and last three digits of a number."""
    if not phone:
        return phone
    return phone[:4] + "*" * max(len(phone) - 7, 0) + phone[-3:]


def search_profiles(
    session: Session, actor: Actor, query: str, limit: int = 20
) -> list[dict[str, Any]]:
    """Profiles matching a name (any script, partial), email, phone (any format) or external id."""
    access.require(actor, PROFILES_READ)
    q = query.strip()[:200]
    if not q:
        return []
    ws = session.get(Workspace, actor.workspace_id)
    regions = [ws.default_region] if ws else []
    regions += [r for r in SEARCH_REGIONS if r not in regions]
    conds: list[Any] = []
    base = SearchTerm.workspace_id == actor.workspace_id
    email = search.email_query(q)
    if email:
        conds.append(("email", [email], True))
    if search.looks_like_phone(q):
        conds.append(("phone", sorted(search.phone_query_terms(q, regions)), False))
    conds.append(("extid", [q.casefold()], False))
    if not email:
        conds.append(("name", sorted(search.name_query_terms(q)), True))
    matched: dict[int, str] = {}
    for kind, terms, prefix in conds:
        for term in terms:
            if not term:
                continue
            stmt = select(SearchTerm.profile_id).where(base, SearchTerm.kind == kind)
            if prefix:
                stmt = stmt.where(SearchTerm.term >= term, SearchTerm.term < term + "\U0010ffff")
            else:
                stmt = stmt.where(SearchTerm.term == term)
            for pid in session.scalars(stmt.distinct().limit(limit * 5)):
                matched.setdefault(pid, kind)
    if not matched:
        return []
    found = access.scope_profiles(actor, select(Profile)).where(
        Profile.id.in_(list(matched)), Profile.status == "active"
    )
    profiles: list[Profile] = list(
        session.scalars(found.order_by(Profile.display_name).limit(limit))
    )
    pii = actor.can(PROFILES_PII)
    return [
        {
            "id": p.id,
            "display_name": p.display_name,
            "email": p.primary_email if pii else mask_email(p.primary_email),
            "phone": p.primary_phone if pii else mask_phone(p.primary_phone),
            "tier": p.tier,
            "region": p.region,
            "records": p.record_count,
            "matched_on": matched[p.id],
        }
        for p in profiles
    ]


def count_profiles(session: Session, actor: Actor) -> int:
    """Active profiles the actor may see."""
    stmt = access.scope_profiles(actor, select(func.count()).select_from(Profile))
    return int(session.scalar(stmt.where(Profile.status == "active")) or 0)


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
    session: Session, actor: Actor, profile_id: int, lang: str = "en"
) -> dict[str, Any]:
    """One customer: identity with provenance, products, spend, timeline, consent (question
    texts of survey answers in ``lang`` where the survey has it)."""
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
    golden = profile.golden if pii else _mask_golden(profile.golden)
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
        "records": [_record_view(r, sources, pii) for r in records],
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
        "timeline": timeline.customer_timeline(
            session, ws_id, refs, {k: v.name for k, v in sources.items()}, pii, lang
        ),
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


def _mask_golden(golden: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for attr, info in golden.items():
        info = dict(info)
        if attr == "email":
            info["value"] = mask_email(info.get("value"))
            info["alternatives"] = [
                {**a, "value": mask_email(a["value"])} for a in info.get("alternatives", [])
            ]
        elif attr == "phone":
            info["value"] = mask_phone(info.get("value"))
            info["alternatives"] = [
                {**a, "value": mask_phone(a["value"])} for a in info.get("alternatives", [])
            ]
        elif attr in ("address", "birth_date", "postcode"):
            info["value"] = "•••"
            info["alternatives"] = []
        out[attr] = info
    return out


def _record_view(r: CustomerRecord, sources: dict[int, Source], pii: bool) -> dict[str, Any]:
    return {
        "id": r.id,
        "source": sources[r.source_id].name,
        "source_kind": sources[r.source_id].kind,
        "trust_rank": sources[r.source_id].trust_rank,
        "external_id": r.external_id,
        "version": r.version,
        "received_at": r.received_at,
        "full_name": r.full_name,
        "emails": r.emails if pii else [mask_email(e) for e in r.emails],
        "phones": r.phones if pii else [mask_phone(p) for p in r.phones],
        "birth_date": r.birth_date if pii else None,
        "address": r.address if pii else None,
        "tier": r.tier,
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


def review_queue(
    session: Session, actor: Actor, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Matches waiting for a person's decision, most likely first."""
    cond = (MatchLink.workspace_id == actor.workspace_id, MatchLink.status == "pending")
    total = session.scalar(select(func.count()).select_from(MatchLink).where(*cond)) or 0
    links = list(
        session.scalars(
            select(MatchLink)
            .where(*cond)
            .order_by(MatchLink.probability.desc(), MatchLink.id)
            .limit(limit)
            .offset(offset)
        )
    )
    return [link_detail(session, actor, link) for link in links], int(total)


def link_detail(session: Session, actor: Actor, link: MatchLink) -> dict[str, Any]:
    """A match with both records and the comparison that scored it."""
    sources = {
        s.id: s
        for s in session.scalars(select(Source).where(Source.workspace_id == actor.workspace_id))
    }
    pii = actor.can(PROFILES_PII)
    a = session.get(CustomerRecord, link.record_a_id)
    b = session.get(CustomerRecord, link.record_b_id)
    return {
        "id": link.id,
        "status": link.status,
        "method": link.method,
        "probability": link.probability,
        "match_weight": link.match_weight,
        "comparison": link.comparison,
        "decided_by": link.decided_by,
        "decided_at": link.decided_at,
        "record_a": {**_record_view(a, sources, pii), "profile_id": a.profile_id} if a else None,
        "record_b": {**_record_view(b, sources, pii), "profile_id": b.profile_id} if b else None,
    }


def record_links(session: Session, actor: Actor, profile_id: int) -> list[dict[str, Any]]:
    """Why this customer's records are together: the links among them, strongest first."""
    profile = access.get_profile(session, actor, profile_id)
    ids = list(
        session.scalars(select(CustomerRecord.id).where(CustomerRecord.profile_id == profile.id))
    )
    if not ids:
        return []
    links = session.scalars(
        select(MatchLink)
        .where(MatchLink.record_a_id.in_(ids) | MatchLink.record_b_id.in_(ids))
        .order_by(MatchLink.probability.desc())
        .limit(200)
    )
    return [link_detail(session, actor, link) for link in links]


def survey_subject(session: Session, actor: Actor, profile_id: int) -> dict[str, Any]:
    """What a personal survey link needs of a customer the actor may see: language, piped
    names and tier, and one of the customer's source records to hang the response on."""
    profile = access.get_profile(session, actor, profile_id)
    hops = 0
    while profile.status == "merged" and profile.merged_into_id and hops < 10:
        profile = access.get_profile(session, actor, profile.merged_into_id)
        hops += 1
    record = session.scalar(
        select(CustomerRecord)
        .where(CustomerRecord.profile_id == profile.id)
        .order_by(CustomerRecord.id)
        .limit(1)
    )

    def golden(attr: str) -> str:
        value = (profile.golden.get(attr) or {}).get("value")
        return str(value) if value else ""

    return {
        "profile_id": profile.id,
        "language": profile.language,
        "first_name": golden("given_name"),
        "last_name": golden("family_name"),
        "full_name": golden("full_name") or profile.display_name,
        "tier": profile.tier or "",
        "ref": (record.source_id, record.external_id) if record is not None else None,
    }


def profile_of_record(
    session: Session, workspace_id: int, source_id: int, external_id: str
) -> int | None:
    """The profile a source's customer record belongs to, if that record is known yet."""
    return session.scalar(
        select(CustomerRecord.profile_id).where(
            CustomerRecord.workspace_id == workspace_id,
            CustomerRecord.source_id == source_id,
            CustomerRecord.external_id == external_id,
        )
    )
