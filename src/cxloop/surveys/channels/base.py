"""The channel extension point: what a sender receives, what it returns, and its Protocol.

Senders never raise for provider or network errors: every outcome is a ``DeliveryResult`` whose
status says whether trying again later can help (``deferred``) or not (``failed``, ``bounced``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cxloop.core.i18n import LANGUAGES

# The query parameter a personal link receives with the answer to its first question, so that one
# click in an email opens the survey with that question already answered: /s/<token>?q1=9
FIRST_ANSWER_PARAM = "q1"

# Invitation ids travel in mail headers and VERP return paths, so they are kept to safe characters.
_INVITATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class ChannelName(StrEnum):
    """The channels that send invitations."""

    EMAIL = "email"
    SMS = "sms"
    WEB = "web"  # no sender: the personal link is handed to another system (distribution API)


class QuestionKind(StrEnum):
    """Kinds of question that can be embedded in an invitation."""

    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    RATING = "rating"


class DeliveryStatus(StrEnum):
    """Outcome of a delivery attempt or a later report about it."""

    SENT = "sent"  # accepted by the provider / receiving server
    DELIVERED = "delivered"  # confirmed later by the provider (status callback)
    DEFERRED = "deferred"  # temporary: try again later
    FAILED = "failed"  # permanent: this message cannot be sent as it is (config, content, auth)
    BOUNCED = "bounced"  # permanent: the recipient address is bad; do not use it again


@dataclass(frozen=True, slots=True)
class EmbeddedQuestion:
    """The first question of a survey, answered by one click in the invitation."""

    kind: QuestionKind
    text: str
    low: int = 0
    high: int = 10
    low_label: str = ""
    high_label: str = ""

    def __post_init__(self) -> None:
        if not (0 <= self.low < self.high <= 10):
            raise ValueError(f"scale {self.low}..{self.high} must lie within 0..10")

    @classmethod
    def nps(cls, text: str, low_label: str = "", high_label: str = "") -> EmbeddedQuestion:
        """The standard 0..10 likelihood-to-recommend question."""
        return cls(QuestionKind.NPS, text, 0, 10, low_label, high_label)

    @property
    def scores(self) -> range:
        """Every score a respondent can click, low to high."""
        return range(self.low, self.high + 1)


@dataclass(frozen=True, slots=True)
class OutboundInvitation:
    """Everything a channel needs to send one personal survey invitation."""

    invitation_id: str
    channel: ChannelName
    recipient: str  # an email address, or an E.164 phone number for SMS
    language: str
    survey_title: str
    link_url: str  # the respondent's personal link
    company_name: str
    recipient_name: str = ""
    intro: str = ""
    first_question: EmbeddedQuestion | None = None
    unsubscribe_url: str = ""
    open_pixel_url: str = ""  # a 1x1 image whose loading marks the email opened

    def __post_init__(self) -> None:
        if not _INVITATION_ID.fullmatch(self.invitation_id):
            raise ValueError("invitation_id must be 1-64 characters of A-Z a-z 0-9 _ -")
        if self.language not in LANGUAGES:
            raise ValueError(f"unsupported language {self.language!r}")
        if urlsplit(self.link_url).scheme not in ("http", "https"):
            raise ValueError("link_url must be an http(s) URL")
        if self.unsubscribe_url and urlsplit(self.unsubscribe_url).scheme not in ("http", "https"):
            raise ValueError("unsubscribe_url must be an http(s) URL")
        if self.open_pixel_url and urlsplit(self.open_pixel_url).scheme not in ("http", "https"):
            raise ValueError("open_pixel_url must be an http(s) URL")

    def answer_url(self, score: int) -> str:
        """The personal link that opens the survey with the first question answered."""
        return with_query(self.link_url, {FIRST_ANSWER_PARAM: str(score)})


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened when a channel tried to send one invitation."""

    invitation_id: str
    channel: ChannelName
    status: DeliveryStatus
    provider_message_id: str = ""
    error_code: str = ""
    error_message: str = ""
    retry_after_seconds: int | None = None
    details: dict[str, int | str] = field(default_factory=dict)

    @property
    def retryable(self) -> bool:
        """Whether sending the same invitation again later may succeed."""
        return self.status is DeliveryStatus.DEFERRED

    @property
    def ok(self) -> bool:
        """Whether the provider accepted (or delivered) the message."""
        return self.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)


@dataclass(frozen=True, slots=True)
class DeliveryUpdate:
    """A later report about a sent message: a bounce, a provider status callback."""

    channel: ChannelName
    status: DeliveryStatus
    invitation_id: str = ""
    provider_message_id: str = ""
    recipient: str = ""
    error_code: str = ""
    error_message: str = ""


@runtime_checkable
class Channel(Protocol):
    """A way of sending survey invitations (email, SMS, …)."""

    name: ChannelName

    def send(self, invitation: OutboundInvitation) -> DeliveryResult:
        """Send one invitation; never raises for provider or network errors."""
        ...

    def send_many(self, invitations: Sequence[OutboundInvitation]) -> list[DeliveryResult]:
        """Send several invitations over one connection, one result each, in order."""
        ...


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` set in its query string (existing other parameters kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))
