"""What happens to an invitation after it is sent: opens (pixel), starts and completions
(responses through its personal link), delivery reports (SMS callbacks, email bounces) and
unsubscribes. Statuses only move forward: a late "delivered" never undoes "completed".

Each invitation has a random salt; its personal-link, pixel and unsubscribe tokens are
HMAC-SHA256 of that salt under the deployment's secret key, so a reminder can carry the same
personal link again while the database keeps only SHA-256 digests of the tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core import audit, clock
from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.crypto import sha256_hex, token
from cxloop.core.params import parse_int
from cxloop.surveys.channels.base import DeliveryStatus, DeliveryUpdate
from cxloop.surveys.models_distribution import Invitation, Suppression

PUBLIC_PREFIX = "inv-"  # invitation ids as channels see them (mail headers, SMS callbacks)
RANK = {
    "queued": 0,
    "deferred": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "opened": 4,
    "started": 5,
    "completed": 6,
}
FAILURES = ("bounced", "failed")
ENGAGED = ("opened", "started", "completed")


def derive(purpose: str, salt: str) -> str:
    """A token of an invitation for ``purpose`` (link, open, unsubscribe)."""
    key = get_settings().resolved_secret_key().encode()
    mac = hmac.new(key, f"survey-invitation:{purpose}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def new_tokens() -> dict[str, str]:
    """A fresh salt and the digests of its pixel and unsubscribe tokens (for a new row)."""
    salt = token(24)
    return {
        "salt": salt,
        "open_hash": sha256_hex(derive("open", salt)),
        "unsubscribe_hash": sha256_hex(derive("unsubscribe", salt)),
    }


def public_id(inv: Invitation) -> str:
    """The invitation id channels carry."""
    return f"{PUBLIC_PREFIX}{inv.id}"


def from_public_id(value: str) -> int | None:
    """The row id of a public invitation id, if it is one."""
    if not value.startswith(PUBLIC_PREFIX):
        return None
    number = parse_int(value[len(PUBLIC_PREFIX) :], digits=19)
    return number if number is not None and 0 < number < 2**63 else None


def advance(inv: Invitation, status: str, at: datetime | None = None) -> bool:
    """Record that the invitation reached ``status``; return whether its status changed.

    The time of each status is kept once (the first time). Progress only moves forward; a
    failure replaces the status only before the customer engaged (opened or later).
    """
    at = at or clock.now()
    stamp = f"{status}_at"
    if hasattr(inv, stamp) and getattr(inv, stamp) is None:
        setattr(inv, stamp, at)
    inv.updated_at = at
    current = RANK.get(inv.status)
    if status in FAILURES:
        if current is not None and current <= RANK["delivered"]:
            inv.status = status
            inv.claimed_until = None
            return True
        return False
    new = RANK.get(status)
    if new is None:
        return False
    if current is None:  # bounced, failed or skipped: engagement still shows it arrived
        if status not in ENGAGED:
            return False
    elif new <= current:
        return False
    inv.status = status
    return True


def by_link(session: Session, link_id: int | None) -> Invitation | None:
    """The invitation whose personal link this is."""
    if link_id is None:
        return None
    return session.scalar(select(Invitation).where(Invitation.link_id == link_id).limit(1))


def response_started(session: Session, link_id: int | None) -> None:
    """A response was started through a personal link (collect calls this)."""
    inv = by_link(session, link_id)
    if inv is not None:
        advance(inv, "started")


def response_completed(session: Session, link_id: int | None) -> None:
    """A response was completed through a personal link: no more reminders."""
    if link_id is not None:
        responses_completed(session, [link_id])


def responses_completed(session: Session, link_ids: Sequence[int]) -> None:
    """Responses were completed through these personal links (one lookup for all)."""
    if not link_ids:
        return
    for inv in session.scalars(select(Invitation).where(Invitation.link_id.in_(link_ids))):
        advance(inv, "started")
        advance(inv, "completed")
        inv.reminder_due_at = None


def opened(session: Session, secret: str) -> bool:
    """The tracking pixel of an invitation was loaded; return whether the token was known."""
    if not secret or len(secret) > 100:
        return False
    inv = session.scalar(select(Invitation).where(Invitation.open_hash == sha256_hex(secret)))
    if inv is None:
        return False
    advance(inv, "opened")
    return True


def for_unsubscribe(session: Session, secret: str) -> Invitation | None:
    """The invitation of an unsubscribe token."""
    if not secret or len(secret) > 100:
        return None
    return session.scalar(
        select(Invitation).where(Invitation.unsubscribe_hash == sha256_hex(secret))
    )


def unsubscribe(session: Session, inv: Invitation) -> bool:
    """Stop surveys to this customer on the invitation's channel; return whether it is new."""
    t = clock.now()
    channel = inv.channel or "all"
    known = session.scalar(
        select(Suppression.id).where(
            Suppression.workspace_id == inv.workspace_id,
            Suppression.profile_id == inv.profile_id,
            Suppression.channel == channel,
            Suppression.reason == "unsubscribed",
        )
    )
    if inv.unsubscribed_at is None:
        inv.unsubscribed_at = t
    inv.reminder_due_at = None
    if known is not None:
        return False
    row = Suppression(
        workspace_id=inv.workspace_id,
        profile_id=inv.profile_id,
        channel=channel,
        reason="unsubscribed",
        invitation_id=inv.id,
        created_at=t,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        _customer(inv),
        "survey.unsubscribe",
        "profile",
        inv.profile_id,
        None,
        {"channel": channel, "invitation_id": inv.id, "purpose": "surveys"},
    )
    return True


def _customer(inv: Invitation) -> Actor:
    return Actor(inv.workspace_id, "customer", inv.profile_id, "customer", frozenset(), "customer")


def suppress_address(session: Session, inv: Invitation, detail: str) -> None:
    """Never use this invitation's address again for surveys (it bounced)."""
    if not inv.address or not inv.channel:
        return
    address = inv.address.lower()
    known = session.scalar(
        select(Suppression.id).where(
            Suppression.workspace_id == inv.workspace_id,
            Suppression.channel == inv.channel,
            Suppression.address == address,
        )
    )
    if known is not None:
        return
    session.add(
        Suppression(
            workspace_id=inv.workspace_id,
            profile_id=inv.profile_id,
            channel=inv.channel,
            address=address,
            reason="bounced",
            invitation_id=inv.id,
            detail=detail[:2000],
            created_at=clock.now(),
        )
    )
    session.flush()


def apply_update(session: Session, update: DeliveryUpdate, source: Actor) -> Invitation | None:
    """A later report (bounce, SMS status) applied to its invitation; None if unknown."""
    row_id = from_public_id(update.invitation_id)
    inv = session.get(Invitation, row_id) if row_id is not None else None
    if inv is None or (source.workspace_id and inv.workspace_id != source.workspace_id):
        return None
    if inv.channel != update.channel.value:
        return None
    before = inv.status
    status = {
        DeliveryStatus.DELIVERED: "delivered",
        DeliveryStatus.BOUNCED: "bounced",
        DeliveryStatus.FAILED: "failed",
    }.get(update.status)
    if status is not None:
        advance(inv, status)
    if update.error_code:
        inv.error_code = update.error_code[:64]
        inv.error_message = update.error_message[:2000] or None
    if update.status is DeliveryStatus.BOUNCED:
        inv.reminder_due_at = None
        suppress_address(session, inv, f"{update.error_code} {update.error_message}".strip())
    if inv.status != before:
        audit.record(
            session,
            Actor(inv.workspace_id, source.kind, source.id, source.role, frozenset(), source.label),
            "survey.invitation_report",
            "survey_invitation",
            inv.id,
            {"status": before},
            _report(update, inv.status),
        )
    return inv


def _report(update: DeliveryUpdate, status: str) -> dict[str, Any]:
    return {"status": status, "reported": update.status.value, "error_code": update.error_code}
