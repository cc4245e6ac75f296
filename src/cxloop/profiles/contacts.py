"""Reads for reaching customers: audience filters over profiles, and each customer's contact
points, survey consent and contact preferences (used by survey distribution).

Exposed through ``profiles.queries``; other domains import it from there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, tuple_
from sqlalchemy.orm import Session

from cxloop.profiles.models import (
    ConsentRecord,
    CustomerRecord,
    Holding,
    PreferenceRecord,
    Profile,
)

Ref = tuple[int, str]  # (source_id, external id) of a customer record
CHUNK = 500


@dataclass
class Contact:
    """What it takes to invite one customer: addresses, language, consent and preferences."""

    profile_id: int
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    tier: str | None = None
    region: str | None = None
    refs: list[Ref] = field(default_factory=list)
    # latest survey consent per channel ("email", "sms", …, "all"): granted or withdrawn
    survey_consent: dict[str, bool] = field(default_factory=dict)
    preferred_channels: list[str] = field(default_factory=list)
    preferred_language: str | None = None
    max_surveys_per_month: int | None = None
    quiet_hours: str | None = None
    timezone: str | None = None


def audience_ids(
    session: Session,
    workspace_id: int,
    *,
    tiers: Sequence[str] = (),
    regions: Sequence[str] = (),
    languages: Sequence[str] = (),
    products: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> list[int]:
    """Active profiles matching every given filter (an empty filter matches all), by id."""
    stmt = select(Profile.id).where(
        Profile.workspace_id == workspace_id, Profile.status == "active"
    )
    if tiers:
        stmt = stmt.where(Profile.tier.in_(list(tiers)))
    if regions:
        stmt = stmt.where(Profile.region.in_([r.upper() for r in regions]))
    if languages:
        stmt = stmt.where(Profile.language.in_(list(languages)))
    if products or categories:
        held = []
        if products:
            held.append(Holding.product_code.in_(list(products)))
        if categories:
            held.append(Holding.category.in_(list(categories)))
        stmt = stmt.where(
            exists().where(
                CustomerRecord.profile_id == Profile.id,
                Holding.workspace_id == workspace_id,
                Holding.customer_source_id == CustomerRecord.source_id,
                Holding.customer_ref == CustomerRecord.external_id,
                Holding.status == "active",
                or_(*held),
            )
        )
    return list(session.scalars(stmt.order_by(Profile.id)))


def profiles_of_refs(session: Session, workspace_id: int, refs: Iterable[Ref]) -> dict[Ref, int]:
    """The active profile each customer record belongs to (records without one are left out)."""
    wanted = list(dict.fromkeys(refs))
    found: dict[Ref, int] = {}
    for i in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(CustomerRecord.source_id, CustomerRecord.external_id, Profile.id)
            .join(Profile, Profile.id == CustomerRecord.profile_id)
            .where(
                CustomerRecord.workspace_id == workspace_id,
                Profile.status == "active",
                tuple_(CustomerRecord.source_id, CustomerRecord.external_id).in_(
                    wanted[i : i + CHUNK]
                ),
            )
        )
        found.update({(s, e): p for s, e, p in rows})
    return found


def contacts(session: Session, workspace_id: int, profile_ids: Sequence[int]) -> dict[int, Contact]:
    """Each active profile's contact points, survey consent and preferences, by profile id."""
    out: dict[int, Contact] = {}
    for i in range(0, len(profile_ids), CHUNK):
        out.update(_chunk(session, workspace_id, list(profile_ids[i : i + CHUNK])))
    return out


def _chunk(session: Session, workspace_id: int, ids: list[int]) -> dict[int, Contact]:
    out: dict[int, Contact] = {}
    for p in session.scalars(
        select(Profile).where(
            Profile.workspace_id == workspace_id, Profile.id.in_(ids), Profile.status == "active"
        )
    ):
        out[p.id] = Contact(
            profile_id=p.id,
            name=p.display_name,
            first_name=_golden(p.golden, "given_name"),
            last_name=_golden(p.golden, "family_name"),
            email=p.primary_email,
            phone=p.primary_phone,
            language=p.language,
            tier=p.tier,
            region=p.region,
        )
    owner: dict[Ref, int] = {}
    for pid, src, ext, emails, phones in session.execute(
        select(
            CustomerRecord.profile_id,
            CustomerRecord.source_id,
            CustomerRecord.external_id,
            CustomerRecord.emails,
            CustomerRecord.phones,
        ).where(CustomerRecord.profile_id.in_(list(out)))
    ):
        if pid is None:
            continue
        c = out[pid]
        c.refs.append((src, ext))
        owner[(src, ext)] = pid
        c.email = c.email or next(iter(emails or []), None)
        c.phone = c.phone or next(iter(phones or []), None)
    if not owner:
        return out
    _consents(session, workspace_id, owner, out)
    _preferences(session, workspace_id, owner, out)
    return out


def _golden(golden: dict[str, Any], attr: str) -> str:
    value = (golden.get(attr) or {}).get("value")
    return str(value) if value else ""


def _by_ref(model: Any, workspace_id: int, refs: list[Ref]) -> Any:
    return and_(
        model.workspace_id == workspace_id,
        tuple_(model.customer_source_id, model.customer_ref).in_(refs),
    )


def _consents(
    session: Session, workspace_id: int, owner: dict[Ref, int], out: dict[int, Contact]
) -> None:
    latest: dict[tuple[int, str], tuple[datetime, bool]] = {}
    for src, ref, channel, granted, at in session.execute(
        select(
            ConsentRecord.customer_source_id,
            ConsentRecord.customer_ref,
            ConsentRecord.channel,
            ConsentRecord.granted,
            ConsentRecord.recorded_at,
        ).where(
            _by_ref(ConsentRecord, workspace_id, list(owner)), ConsentRecord.purpose == "surveys"
        )
    ):
        key = (owner[(src, ref)], channel)
        if key not in latest or at > latest[key][0]:
            latest[key] = (at, bool(granted))
    for (pid, channel), (_at, granted) in latest.items():
        out[pid].survey_consent[channel] = granted


def _preferences(
    session: Session, workspace_id: int, owner: dict[Ref, int], out: dict[int, Contact]
) -> None:
    rows: dict[int, list[PreferenceRecord]] = defaultdict(list)
    for pref in session.scalars(
        select(PreferenceRecord).where(_by_ref(PreferenceRecord, workspace_id, list(owner)))
    ):
        rows[owner[(pref.customer_source_id, pref.customer_ref)]].append(pref)
    for pid, prefs in rows.items():
        c = out[pid]
        # the newest report wins field by field; older ones fill what it leaves out
        for pref in sorted(prefs, key=lambda p: p.recorded_at):
            c.preferred_channels = list(pref.preferred_channels or []) or c.preferred_channels
            c.preferred_language = pref.language or c.preferred_language
            c.max_surveys_per_month = (
                pref.max_surveys_per_month
                if pref.max_surveys_per_month is not None
                else c.max_surveys_per_month
            )
            c.quiet_hours = pref.quiet_hours or c.quiet_hours
            c.timezone = pref.timezone or c.timezone
