"""The provider call of the sending job and the storing of its results (see ``dispatch``)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core import audit, clock
from cxloop.core.actor import system_actor
from cxloop.core.config import get_settings
from cxloop.surveys import tracking
from cxloop.surveys.channels.base import DeliveryResult, DeliveryStatus, OutboundInvitation
from cxloop.surveys.channels.registry import ChannelNotConfigured, get_channel
from cxloop.surveys.models_distribution import Distribution, Invitation

log = logging.getLogger(__name__)


def deliver(messages: list[OutboundInvitation]) -> list[DeliveryResult]:
    """Send through each channel's ``send_many``; one result per message, in order."""
    results: dict[str, DeliveryResult] = {}
    by_channel: dict[str, list[OutboundInvitation]] = {}
    for m in messages:
        by_channel.setdefault(m.channel.value, []).append(m)
    for name, group in by_channel.items():
        if name == "web":  # handed to another system: the link is ready now
            for m in group:
                results[m.invitation_id] = DeliveryResult(
                    m.invitation_id, m.channel, DeliveryStatus.SENT
                )
            continue
        try:
            sender = get_channel(name)
            out = sender.send_many(group)
        except ChannelNotConfigured as exc:
            out = [
                _result(m, DeliveryStatus.FAILED, "channel.not_configured", exc.reason)
                for m in group
            ]
        except Exception as exc:  # a sender must not raise; if one does, try again later
            log.exception("channel %s raised", name)
            out = [
                _result(m, DeliveryStatus.DEFERRED, "send.error", type(exc).__name__) for m in group
            ]
        for r in out:
            results[r.invitation_id] = r
    return [
        results.get(m.invitation_id)
        or _result(m, DeliveryStatus.DEFERRED, "send.no_result", "the channel gave no result")
        for m in messages
    ]


def _result(m: OutboundInvitation, status: DeliveryStatus, code: str, text: str) -> DeliveryResult:
    return DeliveryResult(m.invitation_id, m.channel, status, error_code=code, error_message=text)


def backoff(attempts: int) -> timedelta:
    """Wait before try n+1 when the provider gave no time: 1, 4, 16, 64 minutes … ≤ 6 hours."""
    return timedelta(seconds=min(60 * 4 ** max(attempts - 1, 0), 6 * 3600))


def record(
    session: Session,
    dist: Distribution,
    ids: list[int],
    results: list[DeliveryResult],
    stats: Counter[str],
) -> None:
    """Store each result on its (still claimed) invitation."""
    if not ids:
        return
    t = clock.now()
    max_attempts = get_settings().survey_max_attempts
    rows = {
        inv.id: inv
        for inv in session.scalars(
            select(Invitation)
            .where(Invitation.id.in_(ids))
            .execution_options(populate_existing=True)
        )
    }
    counts: Counter[str] = Counter()
    for row_id, r in zip(ids, results, strict=True):
        inv = rows.get(row_id)
        if inv is None or inv.claimed_until is None:  # settled meanwhile (lease ran out)
            continue
        inv.claimed_until = None
        inv.provider_message_id = r.provider_message_id[:200] or inv.provider_message_id
        inv.error_code = r.error_code[:64] or None
        inv.error_message = r.error_message[:2000] or None
        inv.updated_at = t
        if r.ok:
            tracking.advance(inv, "sent", t)
            if dist.reminders and inv.channel != "web":
                inv.reminder_due_at = (inv.sent_at or t) + timedelta(days=dist.reminders[0])
        elif r.status is DeliveryStatus.DEFERRED and inv.attempts < max_attempts:
            wait = timedelta(seconds=r.retry_after_seconds) if r.retry_after_seconds else None
            inv.status = "deferred"
            inv.reason = "provider"
            inv.next_attempt_at = t + (wait or backoff(inv.attempts))
            inv.deferred_at = inv.deferred_at or t
        elif r.status is DeliveryStatus.BOUNCED:
            tracking.advance(inv, "bounced", t)
            tracking.suppress_address(session, inv, f"{r.error_code} {r.error_message}".strip())
        else:
            tracking.advance(inv, "failed", t)
        counts[inv.status] += 1
    stats.update(counts)
    audit.record(
        session,
        system_actor(dist.workspace_id, "surveys"),
        "distribution.batch",
        "distribution",
        dist.id,
        None,
        dict(counts),
    )
