"""Bounces: RFC 3464 delivery status notifications lead back to the invitation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxloop.surveys.channels.base import DeliveryStatus
from cxloop.surveys.channels.bounces import (
    UnreadableReport,
    classify_status,
    invitation_tag,
    parse_bounce,
    read_tag,
    verp_address,
)
from cxloop.surveys.channels.email import SmtpSender

from .conftest import SIGNING_KEY, SmtpServer, invitation

# A Postfix bounce as it arrives at the VERP return path, quoting the original headers.
POSTFIX_DSN = """\
Return-Path: <>
Delivered-To: bounces+{tag}@cx.example
Received: by mx.cx.example (Postfix) id 3F2A1C0123; Mon,  3 Mar 2025 09:15:02 +0800 (CST)
Date: Mon,  3 Mar 2025 09:15:02 +0800 (CST)
From: MAILER-DAEMON@mx.cx.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounces+{tag}@cx.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="3F2A1C0123.1740964502/mx.cx.example"
Message-Id: <20250303011502.3F2A1C0123@mx.cx.example>

This is a MIME-encapsulated message.

--3F2A1C0123.1740964502/mx.cx.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.cx.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<wrong.address@example.org>: host mail.example.org[203.0.113.5] said: 550 5.1.1
    <wrong.address@example.org>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--3F2A1C0123.1740964502/mx.cx.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.cx.example
X-Postfix-Queue-ID: 3F2A1C0123
X-Postfix-Sender: rfc822; bounces+{tag}@cx.example
Arrival-Date: Mon,  3 Mar 2025 09:15:01 +0800 (CST)

Final-Recipient: rfc822; wrong.address@example.org
Original-Recipient: rfc822;wrong.address@example.org
Action: {action}
Status: {status}
Remote-MTA: dns; mail.example.org
Diagnostic-Code: smtp; 550 5.1.1 <wrong.address@example.org>: Recipient address
    rejected: User unknown in virtual mailbox table

--3F2A1C0123.1740964502/mx.cx.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <bounces+{tag}@cx.example>
Received: from app.cx.example (app.cx.example [192.0.2.10])
	by mx.cx.example (Postfix) with ESMTPS id 3F2A1C0123
	for <wrong.address@example.org>; Mon,  3 Mar 2025 09:15:01 +0800 (CST)
Subject: =?utf-8?b?6YGg5YKz6Zu75L+hIOiqoOmCgOaCqOaPkOS+m+WvtuiytOaEj+imiw==?=
From: =?utf-8?b?6YGg5YKz6Zu75L+h?= <surveys@cx.example>
To: wrong.address@example.org
Message-ID: <174096450123.42.inv-7@cx.example>
{header}

--3F2A1C0123.1740964502/mx.cx.example--
"""


def dsn(
    *,
    tag: str,
    header_tag: str | None = None,
    action: str = "failed",
    status: str = "5.1.1",
) -> bytes:
    header = f"X-Cxloop-Invitation: {header_tag}" if header_tag else "X-Mailer: cxloop"
    text = POSTFIX_DSN.format(tag=tag, action=action, status=status, header=header)
    return text.replace("\n", "\r\n").encode("ascii")


def test_tag_round_trip_and_tamper() -> None:
    tag = invitation_tag("inv-7", SIGNING_KEY)
    assert read_tag(tag, SIGNING_KEY) == "inv-7"
    assert read_tag(tag, "another-key") is None
    assert read_tag(tag.replace("inv-7", "inv-8"), SIGNING_KEY) is None
    assert read_tag("inv-7", SIGNING_KEY) is None
    assert verp_address("bounces@cx.example", tag) == f"bounces+{tag}@cx.example"
    with pytest.raises(ValueError, match="local@domain"):
        verp_address("not-an-address", tag)


def test_hard_bounce_found_by_the_quoted_original_headers() -> None:
    tag = invitation_tag("inv-7", SIGNING_KEY)
    update = parse_bounce(dsn(tag="unrelated", header_tag=tag), SIGNING_KEY)
    assert update is not None
    assert update.invitation_id == "inv-7"
    assert update.status is DeliveryStatus.BOUNCED
    assert update.recipient == "wrong.address@example.org"
    assert update.error_code == "5.1.1"
    assert "User unknown in virtual mailbox table" in update.error_message


def test_bounce_found_by_the_verp_return_path_alone() -> None:
    tag = invitation_tag("inv-9", SIGNING_KEY)
    update = parse_bounce(dsn(tag=tag), SIGNING_KEY)
    assert update is not None
    assert update.invitation_id == "inv-9"


def test_envelope_recipient_given_by_the_mail_pipe_is_used() -> None:
    tag = invitation_tag("inv-10", SIGNING_KEY)
    update = parse_bounce(dsn(tag="nothing"), SIGNING_KEY, envelope_to=f"bounces+{tag}@cx.example")
    assert update is not None
    assert update.invitation_id == "inv-10"


def test_delayed_report_is_temporary() -> None:
    tag = invitation_tag("inv-7", SIGNING_KEY)
    update = parse_bounce(dsn(tag=tag, action="delayed", status="4.4.1"), SIGNING_KEY)
    assert update is not None
    assert update.status is DeliveryStatus.DEFERRED


def test_policy_rejection_fails_without_bouncing_the_address() -> None:
    tag = invitation_tag("inv-7", SIGNING_KEY)
    update = parse_bounce(dsn(tag=tag, status="5.7.1"), SIGNING_KEY)
    assert update is not None
    assert update.status is DeliveryStatus.FAILED


def test_forged_tags_are_ignored() -> None:
    forged = "inv-7.0123456789abcdef"
    assert parse_bounce(dsn(tag=forged, header_tag=forged), SIGNING_KEY) is None


def test_a_message_that_is_not_a_dsn_is_ignored() -> None:
    tag = invitation_tag("inv-7", SIGNING_KEY)
    autoreply = (
        f"From: someone@example.org\r\nTo: bounces+{tag}@cx.example\r\n"
        "Subject: Out of office\r\nContent-Type: text/plain\r\n\r\nI am away.\r\n"
    ).encode()
    assert parse_bounce(autoreply, SIGNING_KEY) is None
    other_report = dsn(tag=tag).replace(b"report-type=delivery-status", b"report-type=disposition")
    assert parse_bounce(other_report, SIGNING_KEY) is None


@pytest.mark.parametrize(
    ("status", "delayed", "expected"),
    [
        ("5.1.1", False, DeliveryStatus.BOUNCED),
        ("5.1.2", False, DeliveryStatus.BOUNCED),
        ("5.2.1", False, DeliveryStatus.BOUNCED),
        ("5.2.2", False, DeliveryStatus.FAILED),  # mailbox full: keep the address
        ("5.7.1", False, DeliveryStatus.FAILED),
        ("4.2.2", False, DeliveryStatus.DEFERRED),
        ("5.0.0", True, DeliveryStatus.DEFERRED),
        ("2.0.0", False, DeliveryStatus.DELIVERED),
        ("", False, DeliveryStatus.FAILED),
    ],
)
def test_classify_status(status: str, delayed: bool, expected: DeliveryStatus) -> None:
    assert classify_status(status, delayed=delayed) is expected


def test_bounce_of_a_really_sent_invitation(smtp_server: SmtpServer) -> None:
    """The headers we send are the ones a DSN quotes back: build one from a real delivery."""
    SmtpSender(smtp_server.config()).send(invitation(invitation_id="real-1"))
    sent = smtp_server.handler.received[0]
    original_headers = sent.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    report = (
        "From: MAILER-DAEMON@mx.example.org\r\n"
        "To: bounces@cx.example\r\n"  # no VERP: found through the quoted headers
        "Subject: Delivery Status Notification (Failure)\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; customer@example.org\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--b1\r\nContent-Type: message/rfc822\r\n\r\n"
        f"{original_headers}\r\n\r\n(body omitted)\r\n"
        "--b1--\r\n"
    ).encode("ascii")
    update = parse_bounce(report, SIGNING_KEY)
    assert update is not None
    assert (update.invitation_id, update.status) == ("real-1", DeliveryStatus.BOUNCED)
    assert update.recipient == "customer@example.org"


def test_a_malformed_address_header_does_not_hide_the_verp_tag() -> None:
    tag = invitation_tag("inv-9", SIGNING_KEY)
    raw = dsn(tag=tag).replace(f"\nTo: bounces+{tag}@cx.example".encode(), b"\nTo: a@[, <")
    assert b"\nTo: a@[, <" in raw and f"Delivered-To: bounces+{tag}".encode() in raw
    update = parse_bounce(raw, SIGNING_KEY)
    assert update is not None and update.invitation_id == "inv-9"


@pytest.mark.parametrize(
    "raw",
    [
        b"Content-Type: multipart/report; report-type*\n\nx\n",
        b"Content-Type: multipart/r@eport; report-type*\r\n\r\nx\r\n",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
        + b"Content-Type: message/rfc822\r\n\r\n" * 2000  # nested 2,000 deep in 66 kB
        + b"X: y\r\n\r\nbody\r\n--b--\r\n",
    ],
    ids=["report-type*", "bad type", "nested"],
)
def test_a_message_the_email_parser_cannot_read_is_refused_as_unreadable(raw: bytes) -> None:
    with pytest.raises(UnreadableReport, match="not a readable email message"):
        parse_bounce(raw, SIGNING_KEY)


_PIECES = [b";", b"*", b"=", b'"', b"(", b")", b"<", b">", b"@", b",", b":", b"\\", b"[", b"]",
           b"=?", b"?=", b"=?utf-8?q?", b"*0*=", b"''", b"\xff", b"\r\n", b"\r\n ", b"--",
           b"report-type*", b"message/rfc822", b"text/rfc822-headers"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_any_mutation_of_a_report_is_read_or_refused_as_unreadable(data: st.DataObject) -> None:
    tag = invitation_tag("inv-7", SIGNING_KEY)
    raw = bytearray(data.draw(st.sampled_from([dsn(tag=tag, header_tag=tag), dsn(tag=tag)])))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw)))
        if data.draw(st.booleans()):
            raw[at:at] = data.draw(st.sampled_from(_PIECES) | st.binary(max_size=3))
        else:
            del raw[at : at + data.draw(st.integers(1, 12))]
    try:
        update = parse_bounce(bytes(raw), SIGNING_KEY)
    except UnreadableReport:
        return
    assert update is None or update.invitation_id == "inv-7"
