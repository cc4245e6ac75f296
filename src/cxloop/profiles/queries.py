"""Reads of profiles: search, the review queue, record links, survey subjects (the 360 view is in
``view360``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.permissions import PROFILES_PII, PROFILES_READ
from cxloop.core.tenancy import Workspace
from cxloop.profiles import access, reasons, search
from cxloop.profiles.contacts import Contact as Contact
from cxloop.profiles.contacts import audience_ids as audience_ids
from cxloop.profiles.contacts import contacts as contacts
from cxloop.profiles.contacts import profiles_of_refs as profiles_of_refs
from cxloop.profiles.ingest.models import Source
from cxloop.profiles.masking import mask_email, mask_phone, record_view
from cxloop.profiles.models import CustomerRecord, MatchLink, Profile, SearchTerm

SEARCH_REGIONS = ("TW", "HK", "CN", "TH", "US")


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
        "review_reason": reasons.review_reason(link.comparison),
        "decided_by": link.decided_by,
        "decided_at": link.decided_at,
        "record_a": {**record_view(a, sources, pii), "profile_id": a.profile_id} if a else None,
        "record_b": {**record_view(b, sources, pii), "profile_id": b.profile_id} if b else None,
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
