"""Recompute what is derived from a profile's records: its golden record and its search keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.tenancy import Workspace
from cxloop.profiles.ingest.models import Source
from cxloop.profiles.models import CustomerRecord, Profile, SearchTerm
from cxloop.profiles.search import record_terms
from cxloop.profiles.survivorship import SourceValue, golden_record


def _candidates(
    records: list[CustomerRecord], sources: dict[int, Source]
) -> dict[str, list[SourceValue]]:
    out: dict[str, list[SourceValue]] = defaultdict(list)
    for r in records:
        src = sources[r.source_id]
        at: datetime = r.source_updated_at or r.received_at

        def add(
            attr: str,
            value: Any,
            verified: bool = False,
            rec: CustomerRecord = r,
            src: Source = src,
            at: datetime = at,
        ) -> None:
            out[attr].append(
                SourceValue(
                    value, rec.id, src.name, src.id, rec.external_id, src.trust_rank, at, verified
                )
            )

        add("full_name", r.full_name)
        add("given_name", r.given_name)
        add("family_name", r.family_name)
        add("email", r.emails[0] if r.emails else None, r.email_verified)
        add("phone", r.phones[0] if r.phones else None)
        add("address", r.address)
        add("postcode", r.postcode)
        add("country", r.country)
        add("birth_date", r.birth_date)
        add("language", r.language)
        add("tier", r.tier)
        add("segment", r.segment)
    return out


def refresh_profiles(session: Session, workspace_id: int, profile_ids: Iterable[int]) -> None:
    """Recompute golden records, summary columns and search terms of these profiles."""
    ids = sorted(set(profile_ids))
    if not ids:
        return
    ws = session.get(Workspace, workspace_id)
    rules = ((ws.settings or {}).get("survivorship") if ws else None) or {}
    sources = {
        s.id: s for s in session.scalars(select(Source).where(Source.workspace_id == workspace_id))
    }
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        by_profile: dict[int, list[CustomerRecord]] = defaultdict(list)
        for rec in session.scalars(
            select(CustomerRecord).where(CustomerRecord.profile_id.in_(part))
        ):
            by_profile[rec.profile_id or 0].append(rec)
        session.execute(delete(SearchTerm).where(SearchTerm.profile_id.in_(part)))
        term_rows: list[dict[str, Any]] = []
        for profile in session.scalars(select(Profile).where(Profile.id.in_(part))):
            records = by_profile.get(profile.id, [])
            _apply(profile, records, sources, rules)
            seen: set[tuple[str, str]] = set()
            for r in records:
                seen |= record_terms(
                    r.full_name,
                    r.name_key,
                    r.name_latin,
                    r.emails,
                    r.phones,
                    [r.external_id],
                    r.refs or (),
                    f"{sources[r.source_id].name}:{r.external_id}",
                )
            term_rows += [
                {"workspace_id": workspace_id, "profile_id": profile.id, "kind": k, "term": t}
                for k, t in seen
            ]
        if term_rows:
            session.execute(insert(SearchTerm), term_rows)
    session.flush()


def _apply(
    profile: Profile,
    records: list[CustomerRecord],
    sources: dict[int, Source],
    rules: dict[str, str],
) -> None:
    profile.record_count = len(records)
    profile.updated_at = clock.now()
    if not records:
        profile.golden = {}
        return
    golden = golden_record(_candidates(records, sources), rules)
    profile.golden = golden

    def value(attr: str) -> Any:
        return golden.get(attr, {}).get("value")

    profile.display_name = str(value("full_name") or value("email") or value("phone") or "")[:300]
    profile.primary_email = value("email")
    profile.primary_phone = value("phone")
    profile.tier = value("tier")
    profile.region = value("country")
    profile.language = value("language")
    since = [r.customer_since for r in records if r.customer_since]
    profile.customer_since = min(since) if since else None
