"""Candidates for incremental resolution: resolved records that share something with new ones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.profiles.models import CustomerRecord, SearchTerm
from cxloop.profiles.search import phone_terms


def candidates(
    session: Session, workspace_id: int, recs: list[CustomerRecord], names: dict[int, str]
) -> list[CustomerRecord]:
    """Resolved records sharing an email, phone, name key or a source:id reference with ``recs``."""
    terms: set[str] = set()
    for r in recs:
        terms.add(f"{names[r.source_id]}:{r.external_id}".casefold())  # records naming r
        terms |= {ref.casefold() for ref in (r.refs or ())}  # records r names
        terms |= {e.casefold() for e in r.emails}
        for p in r.phones:
            terms |= phone_terms(p)
        for key in (r.name_key, r.name_latin):
            joined = "".join(key.casefold().split())
            if joined:
                terms.add(joined)
    if not terms:
        return []
    profile_ids: set[int] = set()
    term_list = sorted(terms)
    for i in range(0, len(term_list), 500):
        profile_ids |= set(
            session.scalars(
                select(SearchTerm.profile_id).where(
                    SearchTerm.workspace_id == workspace_id,
                    SearchTerm.term.in_(term_list[i : i + 500]),
                )
            )
        )
    own = {r.id for r in recs}
    out: list[CustomerRecord] = []
    ids = sorted(profile_ids)
    for i in range(0, len(ids), 500):
        out += [
            r
            for r in session.scalars(
                select(CustomerRecord).where(CustomerRecord.profile_id.in_(ids[i : i + 500]))
            )
            if r.id not in own
        ]
    return out
