"""The write path of profiles: review decisions, merges and their undo, detach, owners, settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cxloop.core import audit, clock, jobs
from cxloop.core.actor import Actor
from cxloop.core.db import upsert
from cxloop.core.permissions import IDENTITY_REVIEW, IDENTITY_RUN, PROFILES_WRITE, USERS_MANAGE
from cxloop.core.tenancy import Workspace
from cxloop.profiles import access, errors
from cxloop.profiles.models import CustomerRecord, MatchLink, MergeEvent, Profile
from cxloop.profiles.refresh import refresh_profiles
from cxloop.profiles.resolve import DEFAULTS, settings_of
from cxloop.profiles.schemas import SOURCE_REF_MAX
from cxloop.profiles.survivorship import ATTRIBUTES, RULES

RESOLVE_ALL_JOB = "identity.resolve_all"


def _snapshot(p: Profile) -> dict[str, Any]:
    return {
        "status": p.status,
        "display_name": p.display_name,
        "record_count": p.record_count,
        "merged_into_id": p.merged_into_id,
    }


def _record_ids(session: Session, profile_id: int) -> list[int]:
    return list(
        session.scalars(select(CustomerRecord.id).where(CustomerRecord.profile_id == profile_id))
    )


def merge_profiles(
    session: Session,
    actor: Actor,
    survivor_id: int,
    absorbed_id: int,
    reason: str = "manual",
    link_id: int | None = None,
) -> MergeEvent:
    """Move every record of ``absorbed`` into ``survivor``; the merge can be undone."""
    access.require(actor, IDENTITY_REVIEW if reason == "review" else PROFILES_WRITE)
    if survivor_id == absorbed_id:
        raise errors.not_mergeable("A customer cannot be merged with itself.")
    survivor = access.get_profile(session, actor, survivor_id)
    absorbed = access.get_profile(session, actor, absorbed_id)
    for p in (survivor, absorbed):
        if p.status != "active":
            raise errors.not_mergeable(f"Customer {p.id} is {p.status}; open the surviving one.")
    ids = _record_ids(session, absorbed.id)
    kept = _record_ids(session, survivor.id)
    overrode = _override_keep_apart(session, actor, ids, kept)
    if reason == "manual" and ids and kept:
        # a person's merge is a decision: later resolutions keep the two together
        _decide_pairs(session, actor, [min(ids)], [min(kept)], "approved")
    before = {"survivor": _snapshot(survivor), "absorbed": _snapshot(absorbed)}
    for rec in session.scalars(select(CustomerRecord).where(CustomerRecord.id.in_(ids))):
        rec.profile_id = survivor.id
    if absorbed.owner_user_id and not survivor.owner_user_id:
        survivor.owner_user_id = absorbed.owner_user_id
    absorbed.status = "merged"
    absorbed.merged_into_id = survivor.id
    event = MergeEvent(
        workspace_id=actor.workspace_id,
        survivor_id=survivor.id,
        absorbed_id=absorbed.id,
        reason=reason,
        link_id=link_id,
        record_ids=ids,
        snapshot={"absorbed_owner": absorbed.owner_user_id, "absorbed_golden": absorbed.golden},
        actor=actor.ref,
        created_at=clock.now(),
    )
    session.add(event)
    session.flush()
    refresh_profiles(session, actor.workspace_id, [survivor.id, absorbed.id])
    audit.record(
        session,
        actor,
        "identity.merge",
        "profile",
        survivor.id,
        before,
        {
            "merge_id": event.id,
            "absorbed": absorbed.id,
            "records": ids,
            "reason": reason,
            "overrode": overrode,
        },
    )
    return event


def _override_keep_apart(
    session: Session, actor: Actor, left: list[int], right: list[int]
) -> list[int]:
    """Turn earlier keep-apart decisions between two record sets into approvals (identity.run).

    Returns the ids of the overridden links; without identity.run the decision stands.
    """
    if not left or not right:
        return []
    rejected = list(
        session.scalars(
            select(MatchLink).where(
                MatchLink.workspace_id == actor.workspace_id,
                MatchLink.status == "rejected",
                or_(
                    MatchLink.record_a_id.in_(left) & MatchLink.record_b_id.in_(right),
                    MatchLink.record_b_id.in_(left) & MatchLink.record_a_id.in_(right),
                ),
            )
        )
    )
    if not rejected:
        return []
    if not actor.can(IDENTITY_RUN):
        raise errors.not_mergeable(
            f"Someone decided these customers are different people (match {rejected[0].id}); "
            "only someone with identity.run can merge them anyway."
        )
    t = clock.now()
    for link in rejected:
        link.status = "approved"
        link.decided_by = actor.ref
        link.decided_at = t
        link.updated_at = t
    return sorted(link.id for link in rejected)


def undo_merge(session: Session, actor: Actor, merge_id: int) -> MergeEvent:
    """Restore the absorbed profile with its records, and keep the two apart from now on."""
    access.require(actor, IDENTITY_REVIEW)
    event = access.get_merge(session, actor, merge_id)
    if event.undone_at is not None:
        raise errors.already_undone()
    absorbed = session.get(Profile, event.absorbed_id)
    survivor = session.get(Profile, event.survivor_id)
    assert absorbed is not None and survivor is not None
    moved = list(
        session.scalars(
            select(CustomerRecord).where(
                CustomerRecord.id.in_(event.record_ids),
                CustomerRecord.workspace_id == actor.workspace_id,
            )
        )
    )
    current_home = {r.profile_id for r in moved}
    for rec in moved:
        rec.profile_id = absorbed.id
    absorbed.status = "active"
    absorbed.merged_into_id = None
    absorbed.owner_user_id = event.snapshot.get("absorbed_owner", absorbed.owner_user_id)
    event.undone_at = clock.now()
    event.undone_by = actor.ref
    remaining = _record_ids(session, survivor.id)
    _keep_apart(session, actor, [r.id for r in moved], remaining)
    session.flush()
    touched = {absorbed.id, survivor.id} | {p for p in current_home if p}
    refresh_profiles(session, actor.workspace_id, touched)
    audit.record(
        session,
        actor,
        "identity.unmerge",
        "profile",
        survivor.id,
        {"merge_id": event.id},
        {"restored": absorbed.id, "records": [r.id for r in moved]},
    )
    return event


def _keep_apart(session: Session, actor: Actor, left: list[int], right: list[int]) -> None:
    """Mark every pair across two record sets as rejected, so no resolution joins them again."""
    _decide_pairs(session, actor, left, right, "rejected")


def _decide_pairs(
    session: Session, actor: Actor, left: list[int], right: list[int], status: str
) -> None:
    """Record a person's decision on every pair across two record sets (scores kept)."""
    t = clock.now()
    rows = []
    for a in left:
        for b in right:
            x, y = sorted((a, b))
            rows.append(
                {
                    "workspace_id": actor.workspace_id,
                    "record_a_id": x,
                    "record_b_id": y,
                    "method": "manual",
                    "match_weight": 0.0,
                    "probability": 0.0,
                    "comparison": {},
                    "status": status,
                    "decided_by": actor.ref,
                    "decided_at": t,
                    "created_at": t,
                    "updated_at": t,
                }
            )
    for i in range(0, len(rows), 1000):
        upsert(
            session,
            MatchLink.__table__,
            rows[i : i + 1000],
            ["workspace_id", "record_a_id", "record_b_id"],
            ["status", "decided_by", "decided_at", "updated_at"],
        )


def decide_link(session: Session, actor: Actor, link_id: int, approve: bool) -> MatchLink:
    """Approve (merge the two customers) or reject (keep them apart) a match in review."""
    access.require(actor, IDENTITY_REVIEW)
    link = access.get_link(session, actor, link_id)
    # approving a rejected match overrides a decision: identity.run, as for a manual merge
    reopen = approve and link.status == "rejected" and actor.can(IDENTITY_RUN)
    if link.status in ("approved", "rejected") and not reopen:
        raise errors.already_decided(link.status)
    before = {"status": link.status}
    a = session.get(CustomerRecord, link.record_a_id)
    b = session.get(CustomerRecord, link.record_b_id)
    assert a is not None and b is not None
    if approve:
        if a.profile_id and b.profile_id and a.profile_id != b.profile_id:
            pa, pb = session.get(Profile, a.profile_id), session.get(Profile, b.profile_id)
            assert pa is not None and pb is not None
            survivor, absorbed = sorted((pa, pb), key=lambda p: (-p.record_count, p.id))
            merge_profiles(session, actor, survivor.id, absorbed.id, "review", link.id)
        link.status = "approved"
    else:
        link.status = "rejected"
    link.decided_by = actor.ref
    link.decided_at = clock.now()
    link.updated_at = link.decided_at
    session.flush()
    audit.record(
        session, actor, "identity.review", "match_link", link.id, before, {"status": link.status}
    )
    return link


def detach_record(session: Session, actor: Actor, record_id: int) -> Profile:
    """Move one source record out of its profile into a new one, and keep it apart from the rest."""
    access.require(actor, IDENTITY_REVIEW)
    rec = access.get_record(session, actor, record_id)
    old = access.get_profile(session, actor, rec.profile_id or 0)
    others = [i for i in _record_ids(session, old.id) if i != rec.id]
    if not others:
        raise errors.not_mergeable("This is the customer's only source record.")
    t = clock.now()
    new = Profile(
        workspace_id=actor.workspace_id, status="active", created_at=t, updated_at=t, golden={}
    )
    session.add(new)
    session.flush()
    rec.profile_id = new.id
    _keep_apart(session, actor, [rec.id], others)
    session.flush()
    refresh_profiles(session, actor.workspace_id, [old.id, new.id])
    audit.record(
        session,
        actor,
        "identity.detach",
        "profile",
        old.id,
        {"record": rec.id},
        {"new_profile": new.id},
    )
    return new


def set_owner(session: Session, actor: Actor, profile_id: int, user_id: int | None) -> Profile:
    """Assign the account manager who owns a customer (or clear it)."""
    access.require(actor, USERS_MANAGE)
    profile = access.get_profile(session, actor, profile_id)
    before = {"owner_user_id": profile.owner_user_id}
    if user_id is not None:
        from cxloop.auth import service as auth_service

        auth_service.get_user(session, actor, user_id)
    profile.owner_user_id = user_id
    session.flush()
    audit.record(
        session, actor, "profile.owner", "profile", profile.id, before, {"owner_user_id": user_id}
    )
    return profile


def update_settings(
    session: Session,
    actor: Actor,
    thresholds: dict[str, float] | None,
    rules: dict[str, str] | None,
    unique_sources: list[str] | None = None,
) -> dict[str, Any]:
    """Change the workspace's identity thresholds, survivorship rules and unique sources."""
    access.require(actor, IDENTITY_RUN)
    ws = session.get(Workspace, actor.workspace_id)
    assert ws is not None
    settings = dict(ws.settings or {})
    before = {
        "unique_sources": settings.get("identity_unique_sources", []),
        "identity": settings.get("identity", {}),
        "survivorship": settings.get("survivorship", {}),
    }
    if thresholds:
        merged = {**settings_of(ws), **thresholds}
        for key, value in merged.items():
            if key not in DEFAULTS:
                raise errors.invalid(key, "unknown setting", "unknown_setting")
            if not 0.0 < value < 1.0:
                raise errors.invalid(key, "must be between 0 and 1", "out_of_range")
        if merged["review_threshold"] > merged["auto_threshold"]:
            raise errors.invalid(
                "review_threshold", "must not be above auto_threshold", "review_above_auto"
            )
        settings["identity"] = merged
    if rules:
        for attr, rule in rules.items():
            field = f"survivorship.{attr}"
            if attr not in ATTRIBUTES:
                raise errors.invalid(
                    field,
                    f"unknown attribute; use one of {', '.join(ATTRIBUTES)}",
                    "unknown_attribute",
                )
            if rule not in RULES:
                raise errors.invalid(
                    field, f"unknown rule {rule!r}; use one of {', '.join(RULES)}", "unknown_rule"
                )
        settings["survivorship"] = {**settings.get("survivorship", {}), **rules}
    if unique_sources is not None:
        from cxloop.profiles.ingest import service as ingest

        for ref in unique_sources:
            if len(ref) > SOURCE_REF_MAX:  # the page and the CLI pass what was typed
                raise errors.invalid(
                    "unique_sources",
                    f"no source has a name or id this long (at most {SOURCE_REF_MAX} characters)",
                    "source.not_found",
                )
        # by name or id, 404 when unknown; stored by name, which is what resolution compares
        names = {ingest.get_source(session, actor, ref).name for ref in unique_sources}
        settings["identity_unique_sources"] = sorted(names)
    ws.settings = settings
    session.flush()
    after = {
        "unique_sources": settings.get("identity_unique_sources", []),
        "identity": settings.get("identity", {}),
        "survivorship": settings.get("survivorship", {}),
    }
    audit.record(session, actor, "identity.settings", "workspace", ws.id, before, after)
    return after


def queue_full_resolution(session: Session, actor: Actor) -> jobs.Job:
    """Queue a full re-resolution of the workspace as a background job."""
    access.require(actor, IDENTITY_RUN)
    job = jobs.enqueue(session, RESOLVE_ALL_JOB, {}, workspace_id=actor.workspace_id)
    audit.record(session, actor, "identity.resolve_all.queued", "job", job.id)
    return job
