"""The email channel: a multipart invitation in the respondent's language, sent over SMTP.

The first question is embedded as one link per score (``?q1=<score>`` on the personal link), so a
single click opens the survey with that question answered. SMTP replies map to results: 2xx sent,
4xx deferred (retry later), 5xx failed, or bounced when the address itself is bad (5.1.x).
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cxloop.core.i18n import translate
from cxloop.surveys.channels.base import (
    ChannelName,
    DeliveryResult,
    DeliveryStatus,
    OutboundInvitation,
    QuestionKind,
)
from cxloop.surveys.channels.bounces import (
    TAG_HEADER,
    classify_status,
    invitation_tag,
    verp_address,
)

log = logging.getLogger(__name__)

_templates = Environment(
    loader=FileSystemLoader(str(Path(__file__).with_name("templates"))),
    autoescape=select_autoescape(["html"], default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """How to reach the SMTP relay and what to put in the envelope and the From header."""

    host: str
    from_address: str
    signing_key: str = field(repr=False)  # signs the invitation tag (see bounces.py)
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    implicit_tls: bool = False
    timeout: float = 30.0
    bounce_address: str = ""  # VERP base, e.g. bounces@cx.example; empty: from_address
    tls_context: ssl.SSLContext | None = field(default=None, repr=False)


def render_invitation(invitation: OutboundInvitation) -> tuple[str, str, str]:
    """The subject, plain-text body and HTML body of an invitation email."""
    lang = invitation.language

    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    question = invitation.first_question
    low_label = high_label = ""
    scores: list[tuple[int, str]] = []
    if question is not None:
        scores = [(s, invitation.answer_url(s)) for s in question.scores]
        low_label, high_label = question.low_label, question.high_label
        if question.kind is QuestionKind.NPS:
            low_label = low_label or t("survey_email.nps_low")
            high_label = high_label or t("survey_email.nps_high")
    context = {
        "inv": invitation,
        "lang": lang,
        "t": t,
        "question": question,
        "scores": scores,
        "low_label": low_label,
        "high_label": high_label,
    }
    subject = _header_text(t("survey_email.subject", company=invitation.company_name))
    text = _templates.get_template("email/invitation.txt").render(context)
    html = _templates.get_template("email/invitation.html").render(context)
    return subject, text, html


def build_message(invitation: OutboundInvitation, config: SmtpConfig) -> EmailMessage:
    """The complete invitation email with its headers (From, Message-ID, List-Unsubscribe, …)."""
    subject, text, html = render_invitation(invitation)
    domain = config.from_address.rpartition("@")[2] or "localhost"
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = Address(
        display_name=_header_text(invitation.company_name), addr_spec=config.from_address
    )
    msg["To"] = Address(
        display_name=_header_text(invitation.recipient_name), addr_spec=invitation.recipient
    )
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(idstring=invitation.invitation_id, domain=domain)
    msg[TAG_HEADER] = invitation_tag(invitation.invitation_id, config.signing_key)
    if invitation.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{invitation.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    msg["Content-Language"] = invitation.language  # after the body: set_content drops Content-*
    return msg


class SmtpSender:
    """Sends invitation emails through an SMTP relay (STARTTLS and AUTH when configured)."""

    name = ChannelName.EMAIL

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, invitation: OutboundInvitation) -> DeliveryResult:
        """Send one invitation email."""
        return self.send_many([invitation])[0]

    def send_many(self, invitations: Sequence[OutboundInvitation]) -> list[DeliveryResult]:
        """Send invitation emails over one SMTP session, reconnecting once if it drops."""
        results: list[DeliveryResult] = []
        conn: smtplib.SMTP | None = None
        refused: DeliveryResult | None = None  # the session could not be opened: same for all
        try:
            for invitation in invitations:
                if refused is not None:
                    results.append(replace(refused, invitation_id=invitation.invitation_id))
                    continue
                result: DeliveryResult | None = None
                for _attempt in range(2):
                    if conn is None:
                        conn, refused = self._connect(invitation)
                        if conn is None:
                            result = refused
                            break
                    result = self._deliver(conn, invitation)
                    if result.error_code != "smtp.disconnected":
                        break
                    _close(conn)
                    conn = None
                assert result is not None
                results.append(result)
                log.info(
                    "email invitation %s: %s %s",
                    invitation.invitation_id,
                    result.status,
                    result.error_code,
                )
        finally:
            _close(conn)
        return results

    def _connect(
        self, invitation: OutboundInvitation
    ) -> tuple[smtplib.SMTP | None, DeliveryResult | None]:
        c = self.config
        context = c.tls_context or ssl.create_default_context()
        conn: smtplib.SMTP | None = None
        try:
            if c.implicit_tls:
                conn = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            conn.ehlo()
            if c.starttls and not c.implicit_tls:
                conn.starttls(context=context)
                conn.ehlo()
            if c.username:
                conn.login(c.username, c.password)
        except smtplib.SMTPAuthenticationError as exc:
            failure = _reply(invitation, exc.smtp_code, exc.smtp_error, "auth")
        except smtplib.SMTPNotSupportedError as exc:
            failure = _fail(invitation, "smtp.not_supported", str(exc))
        except ssl.SSLError as exc:
            failure = _fail(invitation, "smtp.tls", str(exc))
        except smtplib.SMTPResponseException as exc:
            failure = _reply(invitation, exc.smtp_code, exc.smtp_error, "connect")
        except (OSError, smtplib.SMTPException) as exc:
            failure = _defer(invitation, "smtp.connect", _describe(exc))
        else:
            return conn, None
        _close(conn)
        return None, failure

    def _deliver(self, conn: smtplib.SMTP, invitation: OutboundInvitation) -> DeliveryResult:
        c = self.config
        try:
            msg = build_message(invitation, c)
        except (ValueError, TypeError) as exc:
            return _fail(invitation, "email.invalid", str(exc))
        sender = verp_address(c.bounce_address or c.from_address, str(msg[TAG_HEADER]))
        try:
            conn.send_message(msg, from_addr=sender, to_addrs=[invitation.recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return _reply(invitation, code, text, "rcpt")
        except smtplib.SMTPSenderRefused as exc:
            return _reply(invitation, exc.smtp_code, exc.smtp_error, "mail")
        except smtplib.SMTPDataError as exc:
            return _reply(invitation, exc.smtp_code, exc.smtp_error, "data")
        except smtplib.SMTPNotSupportedError as exc:
            return _fail(invitation, "smtp.not_supported", str(exc))
        except smtplib.SMTPServerDisconnected as exc:
            return _defer(invitation, "smtp.disconnected", _describe(exc))
        except (OSError, smtplib.SMTPException) as exc:
            return _defer(invitation, "smtp.error", _describe(exc))
        return DeliveryResult(
            invitation.invitation_id,
            ChannelName.EMAIL,
            DeliveryStatus.SENT,
            provider_message_id=str(msg["Message-ID"]).strip("<>"),
        )


def _reply(
    invitation: OutboundInvitation, code: int, text: bytes | str, stage: str
) -> DeliveryResult:
    """A result for an SMTP reply code (and its enhanced status code, when the text has one)."""
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    message = " ".join(message.split())
    if 400 <= code < 500:
        status = DeliveryStatus.DEFERRED
    elif stage != "rcpt":
        status = DeliveryStatus.FAILED
    else:
        enhanced = message.split(" ", 1)[0] if message[:1] == "5" else ""
        if enhanced.count(".") == 2:
            status = classify_status(enhanced)
        else:
            status = DeliveryStatus.BOUNCED if code in (550, 551, 553) else DeliveryStatus.FAILED
    return DeliveryResult(
        invitation.invitation_id,
        ChannelName.EMAIL,
        status,
        error_code=f"smtp.{code}",
        error_message=message,
        details={"stage": stage},
    )


def _fail(invitation: OutboundInvitation, code: str, message: str) -> DeliveryResult:
    return DeliveryResult(
        invitation.invitation_id, ChannelName.EMAIL, DeliveryStatus.FAILED, "", code, message
    )


def _defer(invitation: OutboundInvitation, code: str, message: str) -> DeliveryResult:
    return DeliveryResult(
        invitation.invitation_id, ChannelName.EMAIL, DeliveryStatus.DEFERRED, "", code, message
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        _quit(conn)


def _quit(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()


def _header_text(value: str) -> str:
    """A header value on one line: no CR/LF (header injection) and no runs of whitespace."""
    return " ".join(value.split())
