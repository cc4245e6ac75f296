"""Channels are built from the CXLOOP_ settings; secrets stay out of reprs and logs."""

from __future__ import annotations

import logging

import pytest

from cxloop.core.config import Settings, get_settings
from cxloop.surveys.channels.base import Channel, DeliveryStatus
from cxloop.surveys.channels.email import SmtpSender
from cxloop.surveys.channels.registry import (
    ChannelNotConfigured,
    available_channels,
    get_channel,
    register_channel,
)
from cxloop.surveys.channels.sms import TwilioSmsSender

from . import fake_twilio as ft
from .conftest import SmtpServer, invitation


def test_nothing_configured_means_no_channel() -> None:
    assert available_channels(get_settings()) == {}
    with pytest.raises(ChannelNotConfigured, match="CXLOOP_SMTP_HOST"):
        get_channel("email")
    with pytest.raises(ChannelNotConfigured, match="CXLOOP_SMS_ACCOUNT_SID"):
        get_channel("sms")
    with pytest.raises(ChannelNotConfigured, match="no such channel"):
        get_channel("pigeon")


def test_email_from_the_environment_sends_through_the_server(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CXLOOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXLOOP_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("CXLOOP_SMTP_STARTTLS", "false")
    monkeypatch.setenv("CXLOOP_SMTP_FROM", "surveys@cx.example")
    monkeypatch.setenv("CXLOOP_SMTP_USERNAME", "mailer")
    monkeypatch.setenv("CXLOOP_SMTP_PASSWORD", "pw-never-shown")
    get_settings.cache_clear()
    settings = get_settings()
    assert "pw-never-shown" not in repr(settings)
    sender = get_channel("email")
    assert isinstance(sender, SmtpSender)
    assert "pw-never-shown" not in repr(sender.config)
    assert "test-secret-key" not in repr(sender.config)

    # the server offers no AUTH, so the login fails: permanent, and nothing secret in the logs
    with caplog.at_level(logging.DEBUG):
        result = sender.send(invitation())
    assert result.status is DeliveryStatus.FAILED
    assert "pw-never-shown" not in caplog.text
    assert "pw-never-shown" not in repr(result)

    monkeypatch.delenv("CXLOOP_SMTP_USERNAME")
    get_settings.cache_clear()
    assert get_channel("email").send(invitation()).status is DeliveryStatus.SENT
    assert smtp_server.handler.received[0].mail_from.startswith("surveys+inv_01.")


def test_email_needs_a_from_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXLOOP_SMTP_HOST", "mail.example")
    get_settings.cache_clear()
    with pytest.raises(ChannelNotConfigured, match="CXLOOP_SMTP_FROM"):
        get_channel("email")


def test_sms_from_the_environment(twilio: ft.FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXLOOP_SMS_BASE_URL", twilio.base_url)
    monkeypatch.setenv("CXLOOP_SMS_ACCOUNT_SID", ft.ACCOUNT_SID)
    monkeypatch.setenv("CXLOOP_SMS_AUTH_TOKEN", ft.AUTH_TOKEN)
    monkeypatch.setenv("CXLOOP_SMS_FROM", "+15017122661")
    get_settings.cache_clear()
    assert ft.AUTH_TOKEN not in repr(get_settings())
    channels = available_channels()
    assert set(channels) == {"sms"}
    sender = channels["sms"]
    assert isinstance(sender, TwilioSmsSender)
    assert ft.AUTH_TOKEN not in repr(sender.config)
    result = sender.send(invitation(channel="sms", recipient="+66812345678", language="th"))
    assert result.status is DeliveryStatus.SENT


def test_register_a_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    class Carrier:
        name = "pigeon"

        def send(self, invitation):  # type: ignore[no-untyped-def]
            raise NotImplementedError

        def send_many(self, invitations):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    from cxloop.surveys.channels import registry

    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))
    register_channel("pigeon", lambda s: Carrier())  # type: ignore[arg-type,return-value]
    assert isinstance(get_channel("pigeon", Settings()), Channel)
