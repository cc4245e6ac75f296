"""Reads of distribution for the API, pages and CLI: audiences, distributions with their figures,
invitations, links handed to other systems, and a survey's response rate by channel."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.permissions import PROFILES_PII, SURVEYS_READ, SURVEYS_SEND
from cxloop.profiles import access as profile_access
from cxloop.surveys import access, distribution, queries, segments, tracking
from cxloop.surveys.models_distribution import Distribution, Invitation, Segment
from cxloop.surveys.schemas_distribution import InvitationRead

REACHED = ("sent", "delivered", "opened", "started", "completed")


def segment_view(seg: Segment) -> dict[str, Any]:
    """An audience as the API shows it."""
    return {
        "id": seg.id,
        "name": seg.name,
        "filters": segments.filters_of(seg),
        "created_by": seg.created_by,
        "created_at": seg.created_at,
        "updated_at": seg.updated_at,
    }


def _counts(session: Session, *where: Any) -> tuple[Counter[str], Counter[str], Counter[str]]:
    by_status: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    deferred: Counter[str] = Counter()
    rows = session.execute(
        select(Invitation.status, Invitation.reason, func.count())
        .where(*where)
        .group_by(Invitation.status, Invitation.reason)
    )
    for status, reason, n in rows:
        by_status[status] += n
        if status == "skipped":
            skipped[reason or "unknown"] += n
        elif status == "deferred":
            deferred[reason or "unknown"] += n
    return by_status, skipped, deferred


def distribution_view(session: Session, d: Distribution) -> dict[str, Any]:
    """A distribution with its invitations by status and its skips and deferrals by reason."""
    by_status, skipped, deferred = _counts(session, Invitation.distribution_id == d.id)
    return {
        "id": d.id,
        "survey_id": d.survey_id,
        "version": queries.version_number(session, d.version_id),
        "name": d.name,
        "segment_id": d.segment_id,
        "channels": d.channels,
        "mode": d.mode,
        "status": d.status,
        "scheduled_at": d.scheduled_at,
        "trigger": d.trigger,
        "reminders": d.reminders,
        "created_by": d.created_by,
        "created_at": d.created_at,
        "started_at": d.started_at,
        "finished_at": d.finished_at,
        "cancelled_at": d.cancelled_at,
        "invitations": sum(by_status.values()),
        "by_status": dict(by_status),
        "skipped": dict(skipped),
        "deferred": dict(deferred),
    }


def list_distributions(session: Session, actor: Actor, survey_id: int) -> list[dict[str, Any]]:
    """A survey's distributions, newest first."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_READ)
    rows = session.scalars(
        select(Distribution)
        .where(Distribution.survey_id == survey.id)
        .order_by(Distribution.id.desc())
        .limit(200)
    )
    return [distribution_view(session, d) for d in rows]


def get_distribution(session: Session, actor: Actor, distribution_id: int) -> dict[str, Any]:
    """One distribution with its figures."""
    return distribution_view(
        session, distribution.get_distribution(session, actor, distribution_id)
    )


def _masked(inv: Invitation) -> str | None:
    """The provider's error without the invitation's address (for roles without profiles.pii)."""
    if not inv.error_message or not inv.address:
        return inv.error_message
    label = "[PHONE]" if inv.channel == "sms" else "[EMAIL]"
    return re.sub(re.escape(inv.address), label, inv.error_message, flags=re.IGNORECASE)


def list_invitations(
    session: Session,
    actor: Actor,
    distribution_id: int,
    status: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[InvitationRead]:
    """A distribution's invitations (optionally of one status), in order: of the customers the
    actor may see, with addresses masked in errors unless the actor may read them."""
    d = distribution.get_distribution(session, actor, distribution_id)
    stmt = select(Invitation).where(
        Invitation.distribution_id == d.id, profile_access.visible(actor, Invitation.profile_id)
    )
    if status:
        stmt = stmt.where(Invitation.status == status)
    rows = session.scalars(stmt.order_by(Invitation.id).offset(offset).limit(limit))
    pii = actor.can(PROFILES_PII)
    return [
        InvitationRead.model_validate(inv, from_attributes=True).model_copy(
            update={} if pii else {"error_message": _masked(inv)}
        )
        for inv in rows
    ]


def handed_links(
    session: Session, actor: Actor, distribution_id: int, offset: int = 0
) -> list[dict[str, Any]]:
    """The personal links of the web channel, for another system to deliver."""
    d = distribution.get_distribution(session, actor, distribution_id, SURVEYS_SEND)
    base = get_settings().base_url.rstrip("/")
    rows = session.scalars(
        select(Invitation)
        .where(
            Invitation.distribution_id == d.id,
            Invitation.channel == "web",
            Invitation.status.in_(REACHED),
            profile_access.visible(actor, Invitation.profile_id),  # account managers: their own
        )
        .order_by(Invitation.id)
        .offset(offset)
        .limit(1000)
    )
    return [
        {
            "invitation_id": inv.id,
            "profile_id": inv.profile_id,
            "language": inv.language,
            "url": f"{base}/s/{tracking.derive('link', inv.salt)}",
        }
        for inv in rows
    ]


def delivery_figures(session: Session, actor: Actor, survey_id: int) -> dict[str, Any]:
    """A survey's invitations by status and the response rate by channel."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_READ)
    by_status, skipped, _deferred = _counts(session, Invitation.survey_id == survey.id)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    rows = session.execute(
        select(Invitation.channel, Invitation.status, func.count())
        .where(Invitation.survey_id == survey.id, Invitation.status.in_(REACHED))
        .group_by(Invitation.channel, Invitation.status)
    )
    for channel, status, n in rows:
        per[channel or "?"][status] += n
    channels = []
    for channel in sorted(per):
        c = per[channel]
        sent = sum(c.values())
        opened = c["opened"] + c["started"] + c["completed"]
        started = c["started"] + c["completed"]
        channels.append(
            {
                "channel": channel,
                "sent": sent,
                "opened": opened,
                "started": started,
                "completed": c["completed"],
                "response_rate": round(c["completed"] / sent, 4) if sent else None,
            }
        )
    return {
        "survey_id": survey.id,
        "invitations": sum(by_status.values()),
        "by_status": dict(by_status),
        "by_channel": channels,
        "skipped": dict(skipped),
    }
