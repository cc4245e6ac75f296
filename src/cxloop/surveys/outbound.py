"""What the sending job needs around each invitation: the facts the rules look at (recent
invitations, open issues, opt-outs, bounced addresses) and the message a channel receives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cxloop.core.config import get_settings
from cxloop.core.tenancy import Workspace
from cxloop.profiles.queries import Contact
from cxloop.surveys import issues, tracking
from cxloop.surveys.channels.base import (
    ChannelName,
    EmbeddedQuestion,
    OutboundInvitation,
    QuestionKind,
)
from cxloop.surveys.definition import Definition, pipe
from cxloop.surveys.models_distribution import Invitation, Suppression
from cxloop.surveys.rules import Facts
from cxloop.surveys.schemas_distribution import ContactRules

REACHED = ("sending", "sent", "delivered", "opened", "started", "completed")


def gather(
    session: Session,
    workspace_id: int,
    found: dict[int, Contact],
    rules: ContactRules,
    now: datetime,
) -> dict[int, Facts]:
    """The facts of each customer in ``found`` (by profile id)."""
    facts = {pid: Facts() for pid in found}
    if not found:
        return facts
    ids = list(found)
    window = now - timedelta(days=max(rules.min_days_between_surveys, 30))
    month = now - timedelta(days=30)
    at = func.coalesce(Invitation.sent_at, Invitation.sending_at)
    for pid, when in session.execute(
        select(Invitation.profile_id, at).where(
            Invitation.workspace_id == workspace_id,
            Invitation.profile_id.in_(ids),
            Invitation.status.in_(REACHED),
            at >= window,
        )
    ):
        f = facts[pid]
        if f.last_invited_at is None or when > f.last_invited_at:
            f.last_invited_at = when
        if when >= month:
            f.invited_last_30_days += 1
    if rules.skip_open_issues:
        owner = {ref: pid for pid, c in found.items() for ref in c.refs}
        for ref in issues.finder().open_refs(
            session, workspace_id, list(owner), rules.open_issue_days
        ):
            facts[owner[ref]].open_issue = True
    addresses = {a.lower(): pid for pid, c in found.items() for a in (c.email, c.phone) if a}
    for owner_id, channel, address, reason in session.execute(
        select(
            Suppression.profile_id, Suppression.channel, Suppression.address, Suppression.reason
        ).where(
            Suppression.workspace_id == workspace_id,
            or_(
                Suppression.profile_id.in_(ids),
                Suppression.address.in_(list(addresses) or [""]),
            ),
        )
    ):
        if reason == "unsubscribed" and owner_id in facts:
            facts[owner_id].unsubscribed.add(channel)
        elif reason == "bounced" and address in addresses:
            facts[addresses[address]].bounced.add(address)
    return facts


def company_name(session: Session, workspace_id: int) -> str:
    """The name invitations are sent in (the workspace's)."""
    ws = session.get(Workspace, workspace_id)
    return ws.name if ws is not None else "cxloop"


def urls(inv: Invitation) -> dict[str, str]:
    """The personal link, pixel and unsubscribe addresses of an invitation."""
    base = get_settings().base_url.rstrip("/")
    return {
        "link": f"{base}/s/{tracking.derive('link', inv.salt)}",
        "pixel": f"{base}/o/{tracking.derive('open', inv.salt)}.gif",
        "unsubscribe": f"{base}/u/{tracking.derive('unsubscribe', inv.salt)}",
    }


def message(
    inv: Invitation,
    d: Definition,
    fields: dict[str, str],
    company: str,
    name: str,
) -> OutboundInvitation:
    """The invitation as a channel sends it, in the invitation's language."""
    lang = inv.language if inv.language in d.languages else d.default_language
    where = urls(inv)
    title = pipe(d.title.get(lang, ""), fields)
    intro = pipe(d.intro.get(lang, ""), fields) if d.intro else ""
    channel = ChannelName(inv.channel or "")
    return OutboundInvitation(
        invitation_id=tracking.public_id(inv),
        channel=channel,
        recipient=inv.address or "",
        language=lang,
        survey_title=" ".join(title.split()),
        link_url=where["link"],
        company_name=company,
        recipient_name=name,
        intro=intro,
        unsubscribe_url=where["unsubscribe"],
        open_pixel_url=where["pixel"] if channel is ChannelName.EMAIL else "",
        first_question=first_question(d, lang, fields) if channel is ChannelName.EMAIL else None,
    )


def first_question(d: Definition, lang: str, fields: dict[str, str]) -> EmbeddedQuestion | None:
    """The survey's first question for one-click answers in an email, when it is a scale."""
    q = d.questions[0]
    if q.type not in {k.value for k in QuestionKind}:
        return None
    low, high = q.scale()
    if not 0 <= low < high <= 10:
        return None

    def label(texts: dict[Any, str] | None) -> str:
        return pipe(texts.get(lang, ""), fields) if texts else ""

    return EmbeddedQuestion(
        QuestionKind(q.type), label(q.text), low, high,
        label(q.low_label), label(q.high_label),
    )  # fmt: skip


def due(
    session: Session, distribution_id: int, now: datetime, limit: int, locking: bool
) -> Sequence[Invitation]:
    """Invitations ready to be tried: queued, or deferred until now."""
    stmt = (
        select(Invitation)
        .where(
            Invitation.distribution_id == distribution_id,
            or_(
                Invitation.status == "queued",
                (Invitation.status == "deferred") & (Invitation.next_attempt_at <= now),
            ),
        )
        .order_by(Invitation.id)
        .limit(limit)
    )
    if locking:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))
