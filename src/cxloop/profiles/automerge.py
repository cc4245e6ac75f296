"""Automatic merges of an incremental resolution: each one recorded (undoable) and audited, and
held for review when the incoming records contradict the customer they would join."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cxloop.core import audit, clock
from cxloop.core.actor import Actor
from cxloop.profiles.models import CustomerRecord, MergeEvent, Profile
from cxloop.profiles.resolution import guard

if TYPE_CHECKING:
    from cxloop.profiles.resolution import engine


@dataclass
class Outcome:
    """What applying the clusters did: profiles to refresh, merges made, records held back."""

    touched: set[int] = field(default_factory=set)
    merges: int = 0
    # new record id -> (the profile it was held back from, why)
    held: dict[int, tuple[int, guard.Reason]] = field(default_factory=dict)


def guard_keys(rec: CustomerRecord) -> guard.Keys:
    """What the contradiction guard compares of a stored record (the engine's view of it)."""
    from cxloop.profiles.resolution.normalize import normalize_name

    n = normalize_name(rec.full_name, rec.country)
    return guard.record_keys(
        emails=rec.emails or (),
        phones=rec.phones or (),
        country=rec.country,
        birth_date=rec.birth_date,
        name_key=n.key,
        name_parts=(n.family, n.given, n.family_alt, n.given_alt),
    )


def contradiction(
    new: Iterable[CustomerRecord], old: Iterable[CustomerRecord]
) -> guard.Reason | None:
    """Why new records clearly are not the person of ``old`` (a customer's records), or None."""
    return guard.contradiction(
        guard.group_keys(map(guard_keys, new)), guard.group_keys(map(guard_keys, old))
    )


def _exact_partners(links: Iterable[engine.Link]) -> dict[int, set[int]]:
    """Records joined by an exact key (a reference, a verified email …): never held back."""
    out: dict[int, set[int]] = defaultdict(set)
    for link in links:
        if link.method.startswith("exact:"):
            out[link.record_a].add(link.record_b)
            out[link.record_b].add(link.record_a)
    return out


def apply_clusters(
    session: Session,
    actor: Actor,
    pending: list[CustomerRecord],
    existing: list[CustomerRecord],
    clusters: dict[int, int],
    links: list[engine.Link],
) -> Outcome:
    """Give each new record its customer; every join of an existing customer is a MergeEvent.

    A new record joining a customer first gets a profile of its own, which is then merged
    (reason ``auto``) into the customer, so undoing the merge gives it back that profile.
    """
    out = Outcome()
    profile_of = {r.id: r.profile_id for r in existing if r.profile_id is not None}
    records_of: dict[int, list[CustomerRecord]] = defaultdict(list)
    for r in existing:
        if r.profile_id is not None:
            records_of[r.profile_id].append(r)
    exact = _exact_partners(links)
    groups: dict[int, list[CustomerRecord]] = defaultdict(list)
    for r in pending:
        if r.profile_id is None:  # a new version of a resolved record stays where it is
            groups[clusters.get(r.id, r.id)].append(r)
    joins: list[tuple[int, list[CustomerRecord]]] = []  # (survivor, new records)
    absorbed: list[tuple[int, int]] = []  # (survivor, existing profile joined to it)
    alone: list[list[CustomerRecord]] = []
    for rep, members in groups.items():
        targets = sorted(
            {profile_of[m] for m, c in clusters.items() if c == rep and m in profile_of}
            | ({profile_of[rep]} if rep in profile_of else set()),
            key=lambda p: (-len(records_of[p]), p),
        )
        if not targets:
            alone.append(members)
            continue
        survivor = targets[0]
        kept: list[CustomerRecord] = []
        for r in members:
            ids = {x.id for x in records_of[survivor]}
            reason = (
                None if exact.get(r.id, set()) & ids else contradiction([r], records_of[survivor])
            )
            if reason is None:
                kept.append(r)
            else:
                out.held[r.id] = (survivor, reason)
                alone.append([r])
        if kept:
            joins.append((survivor, kept))
        for other in targets[1:]:
            if contradiction(records_of[other], records_of[survivor]) is None:
                absorbed.append((survivor, other))
    for members in alone:
        pid = _profile(session, actor.workspace_id)
        for m in members:
            m.profile_id = pid
        out.touched.add(pid)
    _record_merges(session, actor, joins, absorbed, records_of, out)
    return out


def _profile(session: Session, workspace_id: int, status: str = "active") -> int:
    t = clock.now()
    p = Profile(workspace_id=workspace_id, status=status, created_at=t, updated_at=t, golden={})
    session.add(p)
    session.flush()
    return p.id


def _record_merges(
    session: Session,
    actor: Actor,
    joins: list[tuple[int, list[CustomerRecord]]],
    absorbed: list[tuple[int, int]],
    records_of: dict[int, list[CustomerRecord]],
    out: Outcome,
) -> None:
    """Apply the joins and write one MergeEvent and one audit entry per merge."""
    t = clock.now()
    arrivals = [
        Profile(workspace_id=actor.workspace_id, status="merged", merged_into_id=survivor,
                created_at=t, updated_at=t, golden={})
        for survivor, _ in joins
    ]  # fmt: skip
    session.add_all(arrivals)
    session.flush()
    events: list[tuple[MergeEvent, dict[str, Any]]] = []
    for (survivor, members), arrival in zip(joins, arrivals, strict=True):
        for m in members:
            m.profile_id = survivor
        snapshot: dict[str, Any] = {"absorbed_owner": None, "absorbed_golden": {}}
        events.append((_event(actor, survivor, arrival.id, [m.id for m in members], snapshot), {}))
        out.touched |= {survivor, arrival.id}
    for survivor, other in absorbed:
        p, s = session.get(Profile, other), session.get(Profile, survivor)
        if p is None or s is None or p.status != "active":
            continue
        before = {"absorbed_status": p.status}
        snapshot = {"absorbed_owner": p.owner_user_id, "absorbed_golden": p.golden}
        for r in records_of[other]:
            r.profile_id = survivor
        if p.owner_user_id and not s.owner_user_id:
            s.owner_user_id = p.owner_user_id
        p.status, p.merged_into_id = "merged", survivor
        events.append(
            (_event(actor, survivor, other, [r.id for r in records_of[other]], snapshot), before)
        )
        out.touched |= {survivor, other}
    session.add_all([e for e, _ in events])
    session.flush()
    for e, before in events:
        after = {"merge_id": e.id, "absorbed": e.absorbed_id, "records": e.record_ids}
        audit.record(
            session, actor, "identity.merge", "profile", e.survivor_id, before or None,
            {**after, "reason": "auto"},
        )  # fmt: skip
    out.merges = len(events)


def _event(
    actor: Actor, survivor: int, absorbed: int, record_ids: list[int], snapshot: dict[str, Any]
) -> MergeEvent:
    return MergeEvent(
        workspace_id=actor.workspace_id,
        survivor_id=survivor,
        absorbed_id=absorbed,
        reason="auto",
        record_ids=record_ids,
        snapshot=snapshot,
        actor=actor.ref,
        created_at=clock.now(),
    )
