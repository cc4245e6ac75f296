"""Real servers on loopback for the channel tests: SMTP (aiosmtpd), a Twilio-style API."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from cxloop.surveys.channels.base import ChannelName, EmbeddedQuestion, OutboundInvitation
from cxloop.surveys.channels.email import SmtpConfig

from .fake_twilio import FakeTwilio
from .fake_twilio import start as start_twilio

SIGNING_KEY = "test-signing-key"
USER, PASSWORD = "mailer", "s3cret-Pa55"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    peer: Any

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Handler:
    """Accepts mail, except for recipients whose local part names an SMTP reply."""

    received: list[Received] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        local = address.split("@")[0]
        if local == "nouser":
            return "550 5.1.1 <nouser@example.org>: Recipient address rejected: User unknown"
        if local == "greylisted":
            return "451 4.7.1 Greylisted, please try again later"
        if local == "relaydenied":
            return "554 5.7.1 Relay access denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if session.peer not in self.peers:
            self.peers.append(session.peer)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if any(r.startswith("toobig@") for r in envelope.rcpt_tos):
            return "552 5.3.4 Message size exceeds fixed limit"
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), content, session.peer)
        )
        return "250 2.0.0 Ok: queued as 4Xyz"


@dataclass
class SlowHandler(Handler):
    """Accepts mail slowly, so that batches take long enough to overlap or to be cut off."""

    delay: float = 0.12

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class SmtpServer:
    port: int
    handler: Handler

    def config(self, **overrides: Any) -> SmtpConfig:
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "from_address": "surveys@cx.example",
            "bounce_address": "bounces@cx.example",
            "signing_key": SIGNING_KEY,
            "starttls": False,
            "timeout": 5.0,
        }
        values.update(overrides)
        return SmtpConfig(**values)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on a loopback port that keeps what it accepts."""
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller.port, handler)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticate(
    server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd answers 535 itself (handled=True would leave the client waiting)
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_smtp_server(tls_files: tuple[Path, Path]) -> Iterator[tuple[SmtpServer, ssl.SSLContext]]:
    """An SMTP server that requires STARTTLS and AUTH, and a client context trusting it."""
    cert, key = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    handler = Handler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=_authenticate,
        auth_required=True,
    )
    controller.start()
    client_ctx = ssl.create_default_context(cafile=str(cert))
    try:
        yield SmtpServer(controller.port, handler), client_ctx
    finally:
        controller.stop()


def invitation(**overrides: Any) -> OutboundInvitation:
    """An email invitation with an embedded NPS question."""
    values: dict[str, Any] = {
        "invitation_id": "inv_01",
        "channel": ChannelName.EMAIL,
        "recipient": "customer@example.org",
        "language": "en",
        "survey_title": "Your recent visit",
        "link_url": "https://cx.example/s/tok123",
        "company_name": "Acme Telecom",
        "recipient_name": "Ada Lovelace",
        "first_question": EmbeddedQuestion.nps(
            "How likely are you to recommend Acme to a friend or colleague?"
        ),
        "unsubscribe_url": "https://cx.example/u/tok123",
    }
    values.update(overrides)
    return OutboundInvitation(**values)


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    """A Twilio-style Messages API on a loopback port."""
    fake = FakeTwilio()
    server, thread = start_twilio(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
