"""Reminders: the same personal link again, after the distribution's days, only to customers who
have not completed, and never after an unsubscribe, a withdrawn consent or a bounce.

Reminders are at-most-once: the count is committed before the channel is called, so a crash can
lose one reminder but never sends it twice.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.config import get_settings
from cxloop.core.db import is_sqlite
from cxloop.profiles import queries as profiles
from cxloop.surveys import access, outbound, rules, tracking
from cxloop.surveys.channels.base import DeliveryStatus, OutboundInvitation
from cxloop.surveys.delivery import deliver
from cxloop.surveys.models import SurveyLink, SurveyVersion
from cxloop.surveys.models_distribution import Distribution, Invitation

REMINDABLE = ("sent", "delivered", "opened", "started")


def remind(session: Session, dist: Distribution, deadline: float) -> int:
    """Send the distribution's due reminders until none is left or time is up; return how many."""
    if not dist.reminders or dist.status == "cancelled":
        return 0
    version = session.get(SurveyVersion, dist.version_id)
    if version is None:
        return 0
    d = access.definition_of(version)
    settings = get_settings()
    total = 0
    while time.monotonic() < deadline:
        t = clock.now()
        stmt = (
            select(Invitation)
            .where(
                Invitation.distribution_id == dist.id,
                Invitation.status.in_(REMINDABLE),
                Invitation.reminder_due_at <= t,
            )
            .order_by(Invitation.id)
            .limit(settings.survey_send_batch)
        )
        if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
            stmt = stmt.with_for_update(skip_locked=True)
        invs = list(session.scalars(stmt))
        if not invs:
            break
        found = profiles.contacts(session, dist.workspace_id, [i.profile_id for i in invs])
        contact_rules = rules.rules_of(session, dist.workspace_id)
        facts = outbound.gather(session, dist.workspace_id, found, contact_rules, t)
        company = outbound.company_name(session, dist.workspace_id)
        batch: list[tuple[Invitation, OutboundInvitation]] = []
        for inv in invs:
            inv.reminders_sent += 1
            inv.last_reminder_at = t
            inv.updated_at = t
            later = dist.reminders[inv.reminders_sent : inv.reminders_sent + 1]
            sent = inv.sent_at or t
            inv.reminder_due_at = sent + timedelta(days=later[0]) if later else None
            c, f = found.get(inv.profile_id), facts.get(inv.profile_id)
            if c is None or f is None or _blocked(inv, c, f):
                inv.reminder_due_at = None
                continue
            link = session.get(SurveyLink, inv.link_id) if inv.link_id else None
            if link is None or link.used_at is not None:
                inv.reminder_due_at = None
                continue
            fields = {k: str(v) for k, v in link.fields.items()}
            batch.append((inv, outbound.message(inv, d, fields, company, c.name)))
        session.commit()  # counted before sending: at most once
        results = deliver([m for _i, m in batch])
        for (inv, _m), r in zip(batch, results, strict=True):
            if r.status is DeliveryStatus.BOUNCED:
                tracking.advance(inv, "bounced")
                inv.reminder_due_at = None
                tracking.suppress_address(session, inv, f"{r.error_code} {r.error_message}")
        session.commit()
        total += len(batch)
    return total


def _blocked(inv: Invitation, c: profiles.Contact, f: rules.Facts) -> bool:
    channel = inv.channel or ""
    if inv.unsubscribed_at is not None or channel in f.unsubscribed or "all" in f.unsubscribed:
        return True
    if c.survey_consent.get(channel, c.survey_consent.get("all")) is False:
        return True
    return bool(inv.address and inv.address.lower() in f.bounced)
