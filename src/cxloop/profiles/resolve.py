"""Running identity resolution over the stored records and applying its decisions.

The engine (``profiles.resolution``) is pure; this module feeds it the workspace's records,
stores every scored link with its explanation, and turns links into profile assignments:
auto-merge above the workspace's upper threshold, the review queue between the thresholds.
Decisions people made (approved or rejected links, undone merges) always win over the engine.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from cxloop.core import audit, clock
from cxloop.core.actor import Actor, system_actor
from cxloop.core.tenancy import Workspace
from cxloop.profiles import automerge, candidates, matchlinks, trained
from cxloop.profiles.ingest.models import Source
from cxloop.profiles.models import (
    CustomerRecord,
    MatchLink,
    Profile,
)
from cxloop.profiles.refresh import refresh_profiles

if TYPE_CHECKING:
    from cxloop.profiles.resolution import engine

DEFAULTS = {"auto_threshold": 0.95, "review_threshold": 0.70}
BULK_SHARE = 0.5  # more pending records than this share of all: run a full resolution


def settings_of(ws: Workspace) -> dict[str, float]:
    """The workspace's identity thresholds."""
    conf = (ws.settings or {}).get("identity", {})
    return {k: float(conf.get(k, v)) for k, v in DEFAULTS.items()}


def to_engine(rec: CustomerRecord, source_name: str) -> engine.ResolutionRecord:
    """The engine's view of a stored customer record."""
    from cxloop.profiles.resolution import engine  # heavy (Splink, DuckDB): load on first use
    from cxloop.profiles.resolution.normalize import normalize_name

    names = normalize_name(rec.full_name, rec.country)  # cached; the stored keys come from it too
    return engine.ResolutionRecord(
        record_id=rec.id,
        source=source_name,
        external_id=rec.external_id,
        name_key=rec.name_key,
        name_latin=rec.name_latin,
        given=names.given,  # the comparison keys, not the display fields of the source
        family=names.family,
        emails=tuple(rec.emails or ()),
        email_verified=rec.email_verified,
        phones=tuple(rec.phones or ()),
        birth_date=rec.birth_date,
        address=rec.address_key,
        postcode=rec.postcode,
        country=rec.country,
        given_alt=names.given_alt,
        gender=names.gender,
        name_system=names.system,
        family_alt=names.family_alt,
        refs=tuple(rec.refs or ()),
    )


def _source_names(session: Session, workspace_id: int) -> dict[int, str]:
    return dict(
        session.execute(
            select(Source.id, Source.name).where(Source.workspace_id == workspace_id)
        ).all()
    )


def resolve_pending(
    session: Session, workspace_id: int, actor: Actor | None = None
) -> dict[str, Any]:
    """Resolve records not yet resolved: incrementally, or in full after a bulk load."""
    actor = actor or system_actor(workspace_id, "identity")
    pending = list(
        session.scalars(
            select(CustomerRecord).where(
                CustomerRecord.workspace_id == workspace_id, CustomerRecord.resolved_at.is_(None)
            )
        )
    )
    if not pending:
        return {"mode": "none", "records": 0}
    ws = session.get(Workspace, workspace_id)
    assert ws is not None
    total = (
        session.scalar(
            select(func.count())
            .select_from(CustomerRecord)
            .where(CustomerRecord.workspace_id == workspace_id)
        )
        or 0
    )
    model = trained.stored_model(session, workspace_id)
    if model is None or len(pending) > BULK_SHARE * total:
        return resolve_all(session, workspace_id, actor)
    return _incremental(session, ws, pending, model, actor)


def _incremental(
    session: Session,
    ws: Workspace,
    pending: list[CustomerRecord],
    model: dict[str, Any],
    actor: Actor,
) -> dict[str, Any]:
    conf = settings_of(ws)
    names = _source_names(session, ws.id)
    existing = candidates.candidates(session, ws.id, pending, names)
    # each existing profile is a cluster, represented by its smallest record id
    rep_of_profile: dict[int, int] = {}
    for r in existing:
        if r.profile_id is not None:
            rep_of_profile[r.profile_id] = min(rep_of_profile.get(r.profile_id, r.id), r.id)
    from cxloop.profiles.resolution.incremental import resolve_incremental

    result = resolve_incremental(
        [to_engine(r, names[r.source_id]) for r in pending],
        [to_engine(r, names[r.source_id]) for r in existing],
        model=model,
        cannot_link=matchlinks.cannot_link(session, ws.id),
        auto_threshold=conf["auto_threshold"],
        review_threshold=conf["review_threshold"],
        existing_clusters={r.id: rep_of_profile[r.profile_id] for r in existing if r.profile_id},
        unique_sources=unique_sources(ws),
    )
    outcome = automerge.apply_clusters(
        session, actor, pending, existing, result.clusters, result.links
    )
    profile_of = {r.id: r.profile_id for r in existing}
    touched = outcome.touched
    t = clock.now()
    for r in pending:
        r.resolved_at = t
        profile_of[r.id] = r.profile_id
        if r.profile_id is not None:
            touched.add(r.profile_id)
    session.flush()
    status = {}
    notes: dict[tuple[int, int], dict[str, Any]] = {}
    for link in result.links:
        a, b = sorted((link.record_a, link.record_b))
        same = profile_of.get(a) is not None and profile_of.get(a) == profile_of.get(b)
        status[(a, b)] = matchlinks.link_status(link.probability, same, conf)
        for mine, theirs in ((a, b), (b, a)):
            held = outcome.held.get(mine)
            if (
                held
                and profile_of.get(theirs) == held[0]
                and link.probability >= conf["review_threshold"]
            ):
                status[(a, b)], notes[(a, b)] = "pending", held[1].as_json()
    matchlinks.store_links(session, ws.id, result.links, status, notes)
    refresh_profiles(session, ws.id, touched)
    stats = {
        "mode": "incremental",
        "records": len(pending),
        "candidates": len(existing),
        "links": len(result.links),
        "profiles_touched": len(touched),
        "merges": outcome.merges,
        "held_for_review": len(outcome.held),
    }
    audit.record(session, actor, "identity.resolve", "workspace", ws.id, None, stats)
    return stats


def unique_sources(ws: Workspace) -> list[str]:
    """Sources declared to hold at most one record per person (never two in one profile)."""
    return [str(s) for s in (ws.settings or {}).get("identity_unique_sources", [])]


def _new_profile(session: Session, workspace_id: int) -> int:
    t = clock.now()
    p = Profile(workspace_id=workspace_id, status="active", created_at=t, updated_at=t, golden={})
    session.add(p)
    session.flush()
    return p.id


def resolve_all(session: Session, workspace_id: int, actor: Actor | None = None) -> dict[str, Any]:
    """Re-resolve every record of the workspace, retrain the model, reconcile the profiles."""
    actor = actor or system_actor(workspace_id, "identity")
    ws = session.get(Workspace, workspace_id)
    assert ws is not None
    conf = settings_of(ws)
    names = _source_names(session, workspace_id)
    records = list(
        session.scalars(select(CustomerRecord).where(CustomerRecord.workspace_id == workspace_id))
    )
    cannot = matchlinks.cannot_link(session, workspace_id)
    from cxloop.profiles.resolution import engine
    from cxloop.profiles.resolution.default_model import MIN_TRAIN_RECORDS, default_model

    # too few records to train on: keep the workspace's model, else start from the packaged one
    given, origin = None, "trained"
    if len(records) < MIN_TRAIN_RECORDS:
        stored = trained.stored(session, workspace_id)
        given = stored.model if stored is not None else default_model()
        origin = stored.origin if stored is not None else "default"
    result, model = engine.resolve_full(
        [to_engine(r, names[r.source_id]) for r in records],
        model=given,
        cannot_link=cannot,
        auto_threshold=conf["auto_threshold"],
        review_threshold=conf["review_threshold"],
        unique_sources=unique_sources(ws),
    )
    trained.store_model(session, workspace_id, model, origin, len(records))
    clusters = _with_approved(session, workspace_id, result.clusters, cannot)
    members: dict[int, list[CustomerRecord]] = defaultdict(list)
    for r in records:
        members[clusters.get(r.id, r.id)].append(r)
    used: set[int] = set()
    touched: set[int] = set()
    moved = 0
    for group in sorted(members.values(), key=len, reverse=True):
        counts: dict[int, int] = defaultdict(int)
        for r in group:
            if r.profile_id is not None and r.profile_id not in used:
                counts[r.profile_id] += 1
        if counts:
            pid = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            pid = _new_profile(session, workspace_id)
        used.add(pid)
        for r in group:
            if r.profile_id != pid:
                if r.profile_id is not None:
                    touched.add(r.profile_id)
                    moved += 1
                r.profile_id = pid
        touched.add(pid)
    t = clock.now()
    for r in records:
        r.resolved_at = t
    session.flush()
    profile_of = {r.id: r.profile_id for r in records}
    status = {}
    for link in result.links:
        a, b = sorted((link.record_a, link.record_b))
        status[(a, b)] = matchlinks.link_status(
            link.probability,
            profile_of.get(a) == profile_of.get(b),
            conf,
            held="review_reason" in link.comparison,  # the engine's contradiction guard
        )
    matchlinks.store_links(session, workspace_id, result.links, status)
    _retire_empty(session, workspace_id, touched)
    refresh_profiles(session, workspace_id, touched)
    stats = {
        "mode": "full",
        "records": len(records),
        "links": len(result.links),
        "profiles": len(used),
        "records_moved": moved,
        **{k: v for k, v in result.stats.items() if isinstance(v, int | float | str)},
    }
    audit.record(session, actor, "identity.resolve_all", "workspace", workspace_id, None, stats)
    return stats


def _with_approved(
    session: Session, workspace_id: int, clusters: dict[int, int], cannot: set[tuple[int, int]]
) -> dict[int, int]:
    """Join clusters that a person linked by approving a match."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = clusters.get(x, x)
        while parent.get(root, root) != root:
            root = parent[root]
        return root

    for a, b in session.execute(
        select(MatchLink.record_a_id, MatchLink.record_b_id).where(
            MatchLink.workspace_id == workspace_id, MatchLink.status == "approved"
        )
    ):
        if (a, b) in cannot:
            continue
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {rid: find(rid) for rid in clusters} | {
        rid: find(rid) for pair in parent.items() for rid in pair
    }


def _retire_empty(session: Session, workspace_id: int, profile_ids: set[int]) -> None:
    if not profile_ids:
        return
    occupied = set(
        session.scalars(
            select(CustomerRecord.profile_id)
            .where(CustomerRecord.profile_id.in_(profile_ids))
            .distinct()
        )
    )
    empty = profile_ids - occupied
    if empty:
        session.execute(
            update(Profile)
            .where(Profile.id.in_(empty), Profile.status == "active")
            .values(status="retired", record_count=0, updated_at=clock.now())
        )


def pending_count(session: Session, workspace_id: int) -> int:
    """How many records wait for resolution."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(CustomerRecord)
            .where(
                CustomerRecord.workspace_id == workspace_id,
                or_(CustomerRecord.resolved_at.is_(None), CustomerRecord.profile_id.is_(None)),
            )
        )
        or 0
    )
