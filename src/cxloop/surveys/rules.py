"""Who may be invited, on which channel, in which language and when: the per-customer rules
checked at send time, and the workspace's settings for them.

``decide`` is pure: the sending job gathers the facts (contact points, consent, preferences,
recent invitations, open issues, suppressions) and applies it to each customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from cxloop.core import audit
from cxloop.core.actor import Actor
from cxloop.core.errors import NotFound
from cxloop.core.i18n import normalize_language
from cxloop.core.permissions import SURVEYS_MANAGE, SURVEYS_READ
from cxloop.core.tenancy import Workspace
from cxloop.profiles.queries import Contact
from cxloop.surveys import access
from cxloop.surveys.schemas_distribution import ContactRules

SETTINGS_KEY = "survey_rules"
ADDRESSED = ("email", "sms")  # channels that need an address of the customer

# Reasons a customer is skipped (or deferred), in the order they are checked.
REASONS = (
    "open_issue",
    "frequency",
    "customer_limit",
    "channel_not_preferred",
    "unsubscribed",
    "consent_withdrawn",
    "no_consent",
    "no_address",
    "bounced_before",
    "quiet_hours",  # deferred, not skipped
    "survey_closed",
    "profile_gone",
)


def get_rules(session: Session, actor: Actor) -> ContactRules:
    """The workspace's contact rules (defaults until someone saves them)."""
    access.require(actor, SURVEYS_READ)
    return rules_of(session, actor.workspace_id)


def rules_of(session: Session, workspace_id: int) -> ContactRules:
    """The contact rules of a workspace, without a permission check (jobs)."""
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        raise NotFound("workspace.not_found", "Workspace not found.")
    return ContactRules.model_validate((ws.settings or {}).get(SETTINGS_KEY, {}))


def update_rules(session: Session, actor: Actor, rules: ContactRules) -> ContactRules:
    """Save the workspace's contact rules (audited)."""
    access.require(actor, SURVEYS_MANAGE)
    ws = session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise NotFound("workspace.not_found", "Workspace not found.")
    before = (ws.settings or {}).get(SETTINGS_KEY)
    after = rules.model_dump(mode="json")
    ws.settings = {**(ws.settings or {}), SETTINGS_KEY: after}  # a new dict: JSON is not tracked
    session.flush()
    audit.record(session, actor, "survey.rules_update", "workspace", ws.id, before, after)
    return rules


@dataclass
class Facts:
    """What the job knows about one customer at send time, besides the contact record."""

    last_invited_at: datetime | None = None  # latest survey invitation sent to them
    invited_last_30_days: int = 0
    open_issue: bool = False
    unsubscribed: set[str] = field(default_factory=set)  # channels ("all" = every channel)
    bounced: set[str] = field(default_factory=set)  # addresses that bounced before


@dataclass
class Decision:
    """Send on ``channel`` to ``address`` in ``language``; or skip (reason); or defer."""

    channel: str | None = None
    address: str | None = None
    language: str = "en"
    skip: str | None = None
    defer_until: datetime | None = None

    @property
    def reason(self) -> str | None:
        """Why the customer is not invited now."""
        return self.skip or ("quiet_hours" if self.defer_until else None)


def decide(
    contact: Contact,
    channels: list[str],
    rules: ContactRules,
    facts: Facts,
    languages: list[str],
    default_language: str,
    now: datetime,
) -> Decision:
    """Apply every rule to one customer for a distribution allowed on ``channels``."""
    language = _language(contact, languages, default_language)
    if rules.skip_open_issues and facts.open_issue:
        return Decision(language=language, skip="open_issue")
    last = facts.last_invited_at
    if last is not None and now - last < timedelta(days=rules.min_days_between_surveys):
        return Decision(language=language, skip="frequency")
    limit = contact.max_surveys_per_month
    if limit is not None and facts.invited_last_30_days >= limit:
        return Decision(language=language, skip="customer_limit")
    candidates = _candidates(contact, channels)
    if not candidates:
        return Decision(language=language, skip="channel_not_preferred")
    first_reason: str | None = None
    for channel in candidates:
        reason, address = _check_channel(contact, channel, rules, facts)
        if reason is None:
            until = quiet_until(contact, rules, now) if channel in ADDRESSED else None
            return Decision(channel, address, language, defer_until=until)
        first_reason = first_reason or reason
    return Decision(language=language, skip=first_reason)


def _language(contact: Contact, languages: list[str], default: str) -> str:
    for candidate in (contact.preferred_language, contact.language):
        lang = normalize_language(candidate)
        if lang in languages:
            return lang
    return default


def _candidates(contact: Contact, channels: list[str]) -> list[str]:
    """The allowed channels to try, the customer's preferred ones first; a customer who stated
    preferences is only reached on them (the web channel is another system's business)."""
    preferred = [c.lower() for c in contact.preferred_channels]
    if not preferred:
        return list(channels)
    ordered = [c for c in preferred if c in channels and c in ADDRESSED]
    return ordered + [c for c in channels if c not in ADDRESSED]


def _check_channel(
    contact: Contact, channel: str, rules: ContactRules, facts: Facts
) -> tuple[str | None, str | None]:
    if channel in facts.unsubscribed or "all" in facts.unsubscribed:
        return "unsubscribed", None
    consent = contact.survey_consent.get(channel, contact.survey_consent.get("all"))
    if consent is False:
        return "consent_withdrawn", None
    if consent is None and rules.require_consent:
        return "no_consent", None
    if channel not in ADDRESSED:
        return None, None
    address = contact.email if channel == "email" else contact.phone
    if not address:
        return "no_address", None
    if address.lower() in facts.bounced:
        return "bounced_before", None
    return None, address


def quiet_until(contact: Contact, rules: ContactRules, now: datetime) -> datetime | None:
    """The end of the customer's quiet hours (in UTC) if ``now`` falls inside them."""
    window = contact.quiet_hours or rules.quiet_hours
    if not window:
        return None
    try:
        start, end = (_hhmm(part) for part in window.split("-", 1))
    except ValueError:
        return None
    zone = _zone(contact.timezone) or _zone(rules.default_timezone) or ZoneInfo("UTC")
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    if start == end:
        return None
    if start < end:
        inside, end_day = start <= t < end, local.date()
    else:  # the window crosses midnight, e.g. 21:00-08:00
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(now.tzinfo)


def _hhmm(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def describe(rules: ContactRules) -> dict[str, Any]:
    """The rules as stored and shown."""
    return rules.model_dump(mode="json")
