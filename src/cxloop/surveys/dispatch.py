"""The sending job of a distribution (outbox kind ``surveys.distribution.run``).

1. Expand the audience into invitations, committed in chunks; a unique (distribution,
   customer, occurrence) key makes a re-run add only who is missing.
2. Settle claims left by a worker that died (``recover``).
3. In batches: apply the rules to each due invitation (skip with a reason, defer for quiet
   hours, or claim it: status ``sending`` with a lease), commit, call the channel's
   ``send_many`` with no transaction open, then store each result and commit. Deciding and
   claiming is serialised per workspace (``serialise_claims``), so concurrent workers see
   each other's claims when they apply the frequency rules.
4. Send due reminders, then leave one queued follow-up job for the next deferral, reminder or
   lease expiry, and mark the distribution done when nothing is left.

A claim is committed before the provider call, so a crash never loses an invitation: a claim
whose lease ran out was cut off mid-call. Email and web links are then queued again
(at-least-once: the message may have left before the crash); SMS is marked failed with
``send.unconfirmed`` (at-most-once: the Messages API has no idempotency key).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from cxloop.core import audit, clock, jobs
from cxloop.core.actor import system_actor
from cxloop.core.config import get_settings
from cxloop.core.db import is_sqlite, upsert
from cxloop.core.errors import AppError
from cxloop.profiles import queries as profiles
from cxloop.surveys import access, distribution, outbound, rules, segments, service, tracking
from cxloop.surveys.channels.base import (
    ChannelName,
    OutboundInvitation,
)
from cxloop.surveys.delivery import deliver, record
from cxloop.surveys.models import Survey, SurveyLink, SurveyVersion
from cxloop.surveys.models_distribution import Distribution, Invitation, Segment
from cxloop.surveys.schemas import LinkCreate

log = logging.getLogger(__name__)
RUN_SECONDS = 60.0  # one job run sends for at most this long, then hands over to a new job
CHUNK = 500
PENDING = ("queued", "deferred", "sending")
Sending = list[tuple[Invitation, OutboundInvitation]]


def run(session: Session, job: jobs.Job) -> dict[str, Any]:
    """Handle ``surveys.distribution.run``: expand, recover, send, remind, schedule."""
    dist = session.get(Distribution, int(job.payload.get("distribution_id", 0)))
    if dist is None or dist.status == "cancelled":
        return {"skipped": "cancelled or missing"}
    if dist.followup_job_id == job.id:
        dist.followup_job_id = None
    stats: Counter[str] = Counter()
    if dist.mode != "trigger" and dist.expanded_at is None:
        stats["expanded"] = expand(session, dist)
    stats["recovered"] = recover(session, dist)
    deadline = time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline and send_batch(session, dist, stats):
        pass
    from cxloop.surveys.reminders import remind

    stats["reminded"] = remind(session, dist, deadline)
    settle(session, dist)
    return dict(stats)


def new_row(dist: Distribution, profile_id: int, occurrence: str, t: datetime) -> dict[str, Any]:
    """A queued invitation as a row to insert."""
    return {
        "workspace_id": dist.workspace_id,
        "distribution_id": dist.id,
        "survey_id": dist.survey_id,
        "profile_id": profile_id,
        "occurrence": occurrence,
        "status": "queued",
        "attempts": 0,
        "reminders_sent": 0,
        "queued_at": t,
        "updated_at": t,
        **tracking.new_tokens(),
    }


def insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert invitations; those that exist already (same key) are left as they are."""
    upsert(session, Invitation.__table__, rows, ["distribution_id", "profile_id", "occurrence"])


def expand(session: Session, dist: Distribution) -> int:
    """Create the audience's invitations in committed chunks; return how many are new."""
    seg = session.get(Segment, dist.segment_id) if dist.segment_id else None
    ids = segments.members(session, dist.workspace_id, segments.filters_of(seg)) if seg else []
    existing = set(
        session.scalars(
            select(Invitation.profile_id).where(
                Invitation.distribution_id == dist.id, Invitation.occurrence == ""
            )
        )
    )
    new = [pid for pid in ids if pid not in existing]
    for i in range(0, len(new), CHUNK):
        t = clock.now()
        insert_rows(session, [new_row(dist, pid, "", t) for pid in new[i : i + CHUNK]])
        session.commit()
    t = clock.now()
    # Two workers may expand the same distribution at once (the inserts above are idempotent):
    # only the one whose update finds it still unexpanded starts it and audits the start.
    started = session.execute(
        update(Distribution)
        .where(
            Distribution.id == dist.id,
            Distribution.expanded_at.is_(None),
            Distribution.status != "cancelled",
        )
        .values(
            expanded_at=t,
            started_at=func.coalesce(Distribution.started_at, t),
            status="sending",
            updated_at=t,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(started, "rowcount", 0) == 1:
        audit.record(
            session,
            system_actor(dist.workspace_id, "surveys"),
            "distribution.start",
            "distribution",
            dist.id,
            None,
            {"audience": len(ids), "new_invitations": len(new)},
        )
    session.commit()
    session.refresh(dist)
    return len(new)


def recover(session: Session, dist: Distribution) -> int:
    """Settle claims whose lease ran out (their worker died mid-call); return how many."""
    t = clock.now()
    stale = list(
        session.scalars(
            select(Invitation).where(
                Invitation.distribution_id == dist.id,
                Invitation.status == "sending",
                Invitation.claimed_until < t,
            )
        )
    )
    for inv in stale:
        inv.claimed_until = None
        inv.updated_at = t
        if inv.channel == ChannelName.SMS:
            inv.status = "failed"
            inv.failed_at = t
            inv.error_code = "send.unconfirmed"
            inv.error_message = (
                "the worker stopped before the provider answered; not sent again because "
                "the SMS API has no idempotency key (it may or may not have been sent)"
            )
        else:
            inv.status = "queued"
            inv.reason = "unconfirmed"
    if stale:
        audit.record(
            session,
            system_actor(dist.workspace_id, "surveys"),
            "distribution.recover",
            "distribution",
            dist.id,
            None,
            {"invitations": [inv.id for inv in stale]},
        )
    session.commit()
    return len(stale)


def _skip(inv: Invitation, reason: str, t: datetime) -> None:
    inv.status = "skipped"
    inv.reason = reason
    inv.skipped_at = t
    inv.updated_at = t


def _defer(inv: Invitation, until: datetime, reason: str, t: datetime) -> None:
    inv.status = "deferred"
    inv.reason = reason
    inv.next_attempt_at = until
    inv.deferred_at = inv.deferred_at or t
    inv.claimed_until = None
    inv.updated_at = t


def serialise_claims(session: Session, workspace_id: int) -> None:
    """Let one transaction at a time decide and claim invitations of a workspace.

    The rules read the customer's other invitations (frequency, monthly limit), so two workers
    deciding at once, each for another distribution, would both invite the same customer. On
    PostgreSQL a transaction-level advisory lock makes them take turns until the claim commits
    (provider calls still run in parallel); SQLite has one writer at a time already.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"survey-claims:{workspace_id}".encode()).digest()[:7])
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def send_batch(session: Session, dist: Distribution, stats: Counter[str]) -> int:
    """Decide, claim and send one batch of due invitations; return how many were due."""
    settings = get_settings()
    locking = not is_sqlite(session.get_bind())  # type: ignore[arg-type]
    serialise_claims(session, dist.workspace_id)
    session.refresh(dist, ["status"])  # cancelled meanwhile: stop after the batch in flight
    if dist.status == "cancelled":
        session.commit()
        return 0
    t = clock.now()
    invs = outbound.due(session, dist.id, t, settings.survey_send_batch, locking)
    if not invs:
        session.commit()
        return 0
    survey = session.get(Survey, dist.survey_id)
    version = session.get(SurveyVersion, dist.version_id)
    if survey is None or version is None or survey.status != "active":
        for inv in invs:
            _skip(inv, "survey_closed", t)
        stats["skipped"] += len(invs)
        session.commit()
        return len(invs)
    sending = _claim(session, dist, survey, version, invs, stats, t)
    lease = timedelta(seconds=settings.survey_send_lease_seconds)
    if sending:
        distribution.follow_up(session, dist, t + lease + timedelta(seconds=1))
    session.commit()  # the claims are durable before any provider is called
    results = deliver([m for _inv, m in sending])
    record(session, dist, [inv.id for inv, _m in sending], results, stats)
    session.commit()
    return len(invs)


def _claim(
    session: Session,
    dist: Distribution,
    survey: Survey,
    version: SurveyVersion,
    invs: Sequence[Invitation],
    stats: Counter[str],
    t: datetime,
) -> Sending:
    settings = get_settings()
    d = access.definition_of(version)
    found = profiles.contacts(session, dist.workspace_id, [inv.profile_id for inv in invs])
    contact_rules = rules.rules_of(session, dist.workspace_id)
    facts = outbound.gather(session, dist.workspace_id, found, contact_rules, t)
    actor = system_actor(dist.workspace_id, "surveys")
    company = outbound.company_name(session, dist.workspace_id)
    lease = timedelta(seconds=settings.survey_send_lease_seconds)
    chosen: set[int] = set()
    sending: Sending = []
    for inv in invs:
        c = found.get(inv.profile_id)
        if c is None:
            _skip(inv, "profile_gone", t)
            stats["skipped"] += 1
            continue
        f = facts[inv.profile_id]
        if inv.profile_id in chosen:  # the same customer twice in one batch (triggers)
            f.last_invited_at = t
            f.invited_last_30_days += 1
        decision = rules.decide(
            c, list(dist.channels), contact_rules, f, list(d.languages), d.default_language, t
        )
        inv.language = decision.language
        if decision.skip:
            _skip(inv, decision.skip, t)
            stats["skipped"] += 1
            continue
        inv.channel, inv.address = decision.channel, decision.address
        if decision.defer_until is not None:
            _defer(inv, decision.defer_until, "quiet_hours", t)
            stats["deferred"] += 1
            continue
        fields = _link_fields(session, actor, dist, version, inv)
        if fields is None:
            _skip(inv, "profile_gone", t)
            stats["skipped"] += 1
            continue
        inv.status = "sending"
        inv.reason = None
        inv.sending_at = inv.sending_at or t
        inv.claimed_until = t + lease
        inv.attempts += 1
        inv.updated_at = t
        chosen.add(inv.profile_id)
        sending.append((inv, outbound.message(inv, d, fields, company, c.name)))
    return sending


def _link_fields(
    session: Session, actor: Any, dist: Distribution, version: SurveyVersion, inv: Invitation
) -> dict[str, str] | None:
    """The piped values of the invitation's personal link (made on the first attempt)."""
    if inv.link_id is not None:
        link = session.get(SurveyLink, inv.link_id)
        return {k: str(v) for k, v in (link.fields if link else {}).items()}
    data = LinkCreate(
        kind="personal",
        profile_id=inv.profile_id,
        channel=inv.channel or "web",
        expires_in_days=dist.expires_in_days,
    )
    try:
        with session.begin_nested():
            link, _token = service.create_link(
                session, actor, dist.survey_id, data, tracking.derive("link", inv.salt), version
            )
    except AppError:
        return None
    inv.link_id = link.id
    return {k: str(v) for k, v in link.fields.items()}


def settle(session: Session, dist: Distribution) -> None:
    """Leave one follow-up job for what is still to do; mark the distribution done if nothing."""
    t = clock.now()
    base = select(func.min(Invitation.next_attempt_at)).where(Invitation.distribution_id == dist.id)
    queued = session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.distribution_id == dist.id, Invitation.status == "queued")
    )
    times = [
        session.scalar(base.where(Invitation.status == "deferred")),
        session.scalar(
            select(func.min(Invitation.claimed_until)).where(
                Invitation.distribution_id == dist.id, Invitation.status == "sending"
            )
        ),
        session.scalar(
            select(func.min(Invitation.reminder_due_at)).where(
                Invitation.distribution_id == dist.id,
                Invitation.status.in_(("sent", "delivered", "opened", "started")),
            )
        ),
    ]
    upcoming = [clock.ensure_utc(x) for x in times if x is not None]
    if queued:
        distribution.follow_up(session, dist, t)
    elif upcoming:
        distribution.follow_up(session, dist, min(upcoming) + timedelta(seconds=1))
    session.refresh(dist, ["status"])  # a user or another worker may have changed it
    if dist.mode == "trigger" or dist.status in ("cancelled", "done") or queued or upcoming:
        return
    finished = session.execute(  # only one worker finishes it, and never a cancelled one
        update(Distribution)
        .where(Distribution.id == dist.id, Distribution.status == "sending")
        .values(status="done", finished_at=t, updated_at=t)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(finished, "rowcount", 0) == 1:
        audit.record(
            session,
            system_actor(dist.workspace_id, "surveys"),
            "distribution.finish",
            "distribution",
            dist.id,
            {"status": "sending"},
            {"status": "done"},
        )
