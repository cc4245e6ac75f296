"""The email channel against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
import ssl
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from cxloop.core.i18n import translate
from cxloop.surveys.channels.base import (
    FIRST_ANSWER_PARAM,
    Channel,
    DeliveryStatus,
    EmbeddedQuestion,
    QuestionKind,
)
from cxloop.surveys.channels.bounces import TAG_HEADER, read_tag
from cxloop.surveys.channels.email import SmtpSender

from .conftest import PASSWORD, SIGNING_KEY, USER, SmtpServer, free_port, invitation


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and html is not None
    return str(plain.get_content()), str(html.get_content())


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def score_links(urls: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for url in urls:
        query = parse_qs(urlsplit(url).query)
        if FIRST_ANSWER_PARAM in query:
            found[int(query[FIRST_ANSWER_PARAM][0])] = url
    return found


def test_sender_is_a_channel() -> None:
    assert isinstance(SmtpSender.__new__(SmtpSender), Channel)


@pytest.mark.parametrize(
    ("lang", "company", "name"),
    [
        ("en", "Acme Telecom", "Ada Lovelace"),
        ("zh-Hant", "遠傳電信", "陳美玲"),
        ("zh-Hans", "中国移动", "王小明"),
        ("th", "ทรูมูฟ", "สมชาย ใจดี"),
    ],
)
def test_invitation_arrives_multipart_in_the_respondents_language(
    smtp_server: SmtpServer, lang: str, company: str, name: str
) -> None:
    inv = invitation(language=lang, company_name=company, recipient_name=name)
    result = SmtpSender(smtp_server.config()).send(inv)

    assert result.status is DeliveryStatus.SENT, result
    assert not result.retryable
    [got] = smtp_server.handler.received
    msg = got.message
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = parts(msg)
    # headers decode back to the exact Unicode text
    assert str(make_header(decode_header(msg["Subject"]))) == translate(
        lang, "survey_email.subject", company=company
    )
    display, address = parseaddr(str(make_header(decode_header(msg["From"]))))
    assert (display, address) == (company, "surveys@cx.example")
    assert msg["To"].addresses[0].display_name == name
    assert msg["Content-Language"] == lang
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg["Message-ID"].strip("<>") == result.provider_message_id
    assert result.provider_message_id.endswith("@cx.example")
    # the raw message is 7-bit on the wire: every non-ASCII text is encoded
    assert max(got.raw) < 128
    # localized body in both parts
    greeting = translate(lang, "survey_email.greeting", name=name)
    assert greeting in plain
    assert greeting in html
    assert translate(lang, "survey_email.nps_low") in html


def test_nps_links_open_the_personal_link_with_the_score(smtp_server: SmtpServer) -> None:
    inv = invitation(link_url="https://cx.example/s/tok123?src=mail")
    SmtpSender(smtp_server.config()).send(inv)
    plain, html = parts(smtp_server.handler.received[0].message)

    links = score_links(hrefs(html))
    assert sorted(links) == list(range(11))
    for score, url in links.items():
        parsed = urlsplit(url)
        assert (parsed.scheme, parsed.netloc, parsed.path) == ("https", "cx.example", "/s/tok123")
        assert parse_qs(parsed.query) == {"src": ["mail"], FIRST_ANSWER_PARAM: [str(score)]}
        assert url in plain  # the text part offers the same links
    assert "https://cx.example/s/tok123?src=mail" in hrefs(html)


def test_csat_scale_gives_one_link_per_point(smtp_server: SmtpServer) -> None:
    q = EmbeddedQuestion(QuestionKind.CSAT, "How satisfied are you?", 1, 5, "Very bad", "Very good")
    SmtpSender(smtp_server.config()).send(invitation(first_question=q))
    _plain, html = parts(smtp_server.handler.received[0].message)
    assert sorted(score_links(hrefs(html))) == [1, 2, 3, 4, 5]
    assert "Very bad" in html
    assert "Very good" in html


def test_without_a_question_the_invitation_links_to_the_survey(smtp_server: SmtpServer) -> None:
    SmtpSender(smtp_server.config()).send(invitation(first_question=None))
    _plain, html = parts(smtp_server.handler.received[0].message)
    assert score_links(hrefs(html)) == {}
    assert hrefs(html).count("https://cx.example/s/tok123") == 2


def test_unsubscribe_header_and_visible_link(smtp_server: SmtpServer) -> None:
    SmtpSender(smtp_server.config()).send(invitation())
    msg = smtp_server.handler.received[0].message
    assert msg["List-Unsubscribe"] == "<https://cx.example/u/tok123>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain, html = parts(msg)
    assert "https://cx.example/u/tok123" in hrefs(html)
    assert "https://cx.example/u/tok123" in plain


def test_envelope_and_header_carry_the_signed_invitation_tag(smtp_server: SmtpServer) -> None:
    SmtpSender(smtp_server.config()).send(invitation(invitation_id="inv-42"))
    got = smtp_server.handler.received[0]
    tag = got.message[TAG_HEADER]
    assert read_tag(tag, SIGNING_KEY) == "inv-42"
    assert got.mail_from == f"bounces+{tag}@cx.example"
    assert got.rcpt_tos == ["customer@example.org"]


def test_hostile_text_is_escaped_in_html_and_cannot_inject_headers(
    smtp_server: SmtpServer,
) -> None:
    inv = invitation(
        recipient_name='<script>alert("x")</script>',
        company_name="Evil & Co\r\nBcc: victim@example.org",
        survey_title="<img src=x onerror=alert(1)>",
        intro='"><a href="https://evil.example">click</a>',
    )
    result = SmtpSender(smtp_server.config()).send(inv)
    assert result.status is DeliveryStatus.SENT
    got = smtp_server.handler.received[0]
    msg = got.message
    assert msg["Bcc"] is None
    assert got.rcpt_tos == ["customer@example.org"]
    _plain, html = parts(msg)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "https://evil.example" not in hrefs(html)
    assert "Evil &amp; Co" in html


def test_rejected_recipient_550_is_a_permanent_bounce(smtp_server: SmtpServer) -> None:
    result = SmtpSender(smtp_server.config()).send(invitation(recipient="nouser@example.org"))
    assert result.status is DeliveryStatus.BOUNCED
    assert not result.retryable
    assert result.error_code == "smtp.550"
    assert "User unknown" in result.error_message
    assert smtp_server.handler.received == []


def test_greylisting_451_is_retryable(smtp_server: SmtpServer) -> None:
    result = SmtpSender(smtp_server.config()).send(invitation(recipient="greylisted@example.org"))
    assert result.status is DeliveryStatus.DEFERRED
    assert result.retryable
    assert result.error_code == "smtp.451"


def test_policy_rejection_fails_the_message_without_condemning_the_address(
    smtp_server: SmtpServer,
) -> None:
    sender = SmtpSender(smtp_server.config())
    relay = sender.send(invitation(recipient="relaydenied@example.org"))
    assert (relay.status, relay.error_code) == (DeliveryStatus.FAILED, "smtp.554")
    big = sender.send(invitation(recipient="toobig@example.org"))
    assert (big.status, big.error_code) == (DeliveryStatus.FAILED, "smtp.552")
    assert big.details["stage"] == "data"


def test_batch_uses_one_session_and_keeps_going_after_refusals(smtp_server: SmtpServer) -> None:
    batch = [
        invitation(invitation_id="a", recipient="one@example.org"),
        invitation(invitation_id="b", recipient="nouser@example.org"),
        invitation(invitation_id="c", recipient="greylisted@example.org"),
        invitation(invitation_id="d", recipient="two@example.org"),
    ]
    results = SmtpSender(smtp_server.config()).send_many(batch)
    assert [(r.invitation_id, r.status) for r in results] == [
        ("a", DeliveryStatus.SENT),
        ("b", DeliveryStatus.BOUNCED),
        ("c", DeliveryStatus.DEFERRED),
        ("d", DeliveryStatus.SENT),
    ]
    assert [g.rcpt_tos for g in smtp_server.handler.received] == [
        ["one@example.org"],
        ["two@example.org"],
    ]
    assert len(smtp_server.handler.peers) == 1


def test_unreachable_server_is_retryable_for_the_whole_batch() -> None:
    with socket.socket() as s:  # a port that is bound but not listening refuses connections
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        sender = SmtpSender(
            SmtpServer(port, None).config(timeout=2.0)  # type: ignore[arg-type]
        )
        results = sender.send_many([invitation(invitation_id="a"), invitation(invitation_id="b")])
    assert [(r.invitation_id, r.status, r.error_code) for r in results] == [
        ("a", DeliveryStatus.DEFERRED, "smtp.connect"),
        ("b", DeliveryStatus.DEFERRED, "smtp.connect"),
    ]


def test_starttls_and_auth(tls_smtp_server: tuple[SmtpServer, ssl.SSLContext]) -> None:
    server, client_ctx = tls_smtp_server
    config = server.config(starttls=True, username=USER, password=PASSWORD, tls_context=client_ctx)
    assert PASSWORD not in repr(config)
    result = SmtpSender(config).send(invitation())
    assert result.status is DeliveryStatus.SENT, result
    assert len(server.handler.received) == 1


def test_wrong_password_is_a_permanent_failure(
    tls_smtp_server: tuple[SmtpServer, ssl.SSLContext],
) -> None:
    server, client_ctx = tls_smtp_server
    config = server.config(starttls=True, username=USER, password="wrong", tls_context=client_ctx)
    result = SmtpSender(config).send(invitation())
    assert (result.status, result.error_code) == (DeliveryStatus.FAILED, "smtp.535"), result
    assert "wrong" not in result.error_message
    assert server.handler.received == []


def test_untrusted_certificate_fails_instead_of_sending_in_clear(
    tls_smtp_server: tuple[SmtpServer, ssl.SSLContext],
) -> None:
    server, _trusted = tls_smtp_server
    config = server.config(starttls=True, username=USER, password=PASSWORD)
    result = SmtpSender(config).send(invitation())
    assert (result.status, result.error_code) == (DeliveryStatus.FAILED, "smtp.tls")
    assert server.handler.received == []


def test_server_without_starttls_when_required_is_a_permanent_failure(
    smtp_server: SmtpServer,
) -> None:
    result = SmtpSender(smtp_server.config(starttls=True)).send(invitation())
    assert (result.status, result.error_code) == (DeliveryStatus.FAILED, "smtp.not_supported")
    assert smtp_server.handler.received == []


def test_free_port_helper_gives_a_closed_port() -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", free_port()), timeout=1).close()
