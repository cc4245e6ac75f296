"""The write path of distributions: create (now, scheduled, trigger), cancel, and the follow-up
job that resumes one. The sending itself is the job in ``dispatch``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cxloop.core import audit, clock, jobs
from cxloop.core.actor import Actor
from cxloop.core.errors import Conflict, NotFound
from cxloop.core.permissions import SURVEYS_MANAGE, SURVEYS_READ
from cxloop.core.tenancy import owned
from cxloop.surveys import access, errors, segments
from cxloop.surveys.models_distribution import Distribution
from cxloop.surveys.schemas_distribution import DistributionCreate

RUN = "surveys.distribution.run"
POLL = "surveys.distribution.poll"


def not_found(ref: object) -> NotFound:
    """No such distribution visible to the caller."""
    return NotFound("distribution.not_found", f"Distribution {ref} not found.", {"id": str(ref)})


def get_distribution(
    session: Session, actor: Actor, distribution_id: int, permission: str = SURVEYS_READ
) -> Distribution:
    """A distribution of the actor's workspace, else 404."""
    access.require(actor, permission)
    dist = owned(session, Distribution, distribution_id, actor.workspace_id)
    if dist is None:
        raise not_found(distribution_id)
    return dist


def snapshot(d: Distribution) -> dict[str, Any]:
    """What the audit log keeps of a distribution."""
    return {
        "survey_id": d.survey_id,
        "version_id": d.version_id,
        "segment_id": d.segment_id,
        "channels": d.channels,
        "mode": d.mode,
        "status": d.status,
        "scheduled_at": d.scheduled_at.isoformat(),
        "trigger": d.trigger,
        "reminders": d.reminders,
    }


def create(
    session: Session, actor: Actor, survey_id: int, data: DistributionCreate
) -> Distribution:
    """Plan a distribution of the survey's current version; its job starts at the right time."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_MANAGE)
    if survey.status != "active":
        raise errors.not_active(survey.status)
    version = access.get_version(session, survey)
    if data.segment_id is not None:
        segments.get_segment(session, actor, data.segment_id)
    t = clock.now()
    start = t if data.mode != "scheduled" or data.scheduled_at is None else data.scheduled_at
    start = max(clock.ensure_utc(start), t)
    trigger = data.trigger.model_dump(mode="json") if data.trigger else {}
    dist = Distribution(
        workspace_id=actor.workspace_id,
        survey_id=survey.id,
        version_id=version.id,
        segment_id=data.segment_id,
        name=data.name.strip() or f"{survey.name} · {t:%Y-%m-%d %H:%M}",
        channels=list(data.channels),
        mode=data.mode,
        status="active" if data.mode == "trigger" else "scheduled",
        scheduled_at=start,
        trigger=trigger,
        reminders=list(data.reminders),
        expires_in_days=data.expires_in_days,
        created_by=actor.ref,
        created_at=t,
        updated_at=t,
    )
    if data.mode == "trigger":
        dist.trigger_cursor = t - timedelta(hours=float(trigger.get("delay_hours") or 0))
    session.add(dist)
    session.flush()
    if data.mode == "trigger":
        jobs.enqueue(session, POLL, {"distribution_id": dist.id}, dist.workspace_id, start)
    else:
        follow_up(session, dist, start)
    audit.record(
        session, actor, "distribution.create", "distribution", dist.id, None, snapshot(dist)
    )
    return dist


def cancel(session: Session, actor: Actor, distribution_id: int) -> Distribution:
    """Stop a distribution: nothing more is sent (what was sent stays tracked)."""
    dist = get_distribution(session, actor, distribution_id, SURVEYS_MANAGE)
    if dist.status in ("done", "cancelled"):
        raise Conflict(
            "distribution.finished",
            f"The distribution is {dist.status} already.",
            {"status": dist.status},
        )
    before = snapshot(dist)
    t = clock.now()
    dist.status = "cancelled"
    dist.cancelled_at = t
    dist.updated_at = t
    session.flush()
    audit.record(
        session, actor, "distribution.cancel", "distribution", dist.id, before, snapshot(dist)
    )
    return dist


def follow_up(session: Session, dist: Distribution, at: datetime) -> None:
    """Make sure a queued job resumes this distribution no later than ``at``.

    One job per distribution is kept queued; an earlier need moves it earlier. It doubles as
    the watchdog of a batch in flight: if the worker dies, this job finds the batch's claims
    expired and settles them (see ``dispatch.recover``).
    """
    job = session.get(jobs.Job, dist.followup_job_id) if dist.followup_job_id else None
    if job is not None and job.status == "queued":
        if clock.ensure_utc(job.run_after) > at:
            job.run_after = at
        return
    job = jobs.enqueue(session, RUN, {"distribution_id": dist.id}, dist.workspace_id, at)
    dist.followup_job_id = job.id
