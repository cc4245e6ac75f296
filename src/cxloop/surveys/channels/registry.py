"""Channel name → sender, built from the settings (``CXLOOP_SMTP_*``, ``CXLOOP_SMS_*``)."""

from __future__ import annotations

from collections.abc import Callable

from cxloop.core.config import Settings, get_settings
from cxloop.surveys.channels.base import Channel, ChannelName
from cxloop.surveys.channels.email import SmtpConfig, SmtpSender
from cxloop.surveys.channels.sms import SmsConfig, TwilioSmsSender

Factory = Callable[[Settings], Channel]


class ChannelNotConfigured(Exception):
    """The channel is unknown, or its settings are missing."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"channel {name!r} is not available: {reason}")
        self.name = name
        self.reason = reason


def smtp_config(settings: Settings) -> SmtpConfig:
    """The SMTP settings as the email sender takes them."""
    if not settings.smtp_host:
        raise ChannelNotConfigured(ChannelName.EMAIL, "CXLOOP_SMTP_HOST is empty")
    if "@" not in settings.smtp_from:
        raise ChannelNotConfigured(ChannelName.EMAIL, "CXLOOP_SMTP_FROM is not an address")
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        from_address=settings.smtp_from,
        signing_key=settings.resolved_secret_key(),
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value(),
        starttls=settings.smtp_starttls and not settings.smtp_ssl,
        implicit_tls=settings.smtp_ssl,
        timeout=settings.smtp_timeout_seconds,
        bounce_address=settings.smtp_bounce_address,
    )


def sms_config(settings: Settings) -> SmsConfig:
    """The SMS provider settings as the SMS sender takes them."""
    if not settings.sms_account_sid:
        raise ChannelNotConfigured(ChannelName.SMS, "CXLOOP_SMS_ACCOUNT_SID is empty")
    if not settings.sms_auth_token.get_secret_value():
        raise ChannelNotConfigured(ChannelName.SMS, "CXLOOP_SMS_AUTH_TOKEN is empty")
    if not (settings.sms_from or settings.sms_messaging_service_sid):
        raise ChannelNotConfigured(ChannelName.SMS, "CXLOOP_SMS_FROM is empty")
    return SmsConfig(
        account_sid=settings.sms_account_sid,
        auth_token=settings.sms_auth_token.get_secret_value(),
        from_number=settings.sms_from,
        messaging_service_sid=settings.sms_messaging_service_sid,
        base_url=settings.sms_base_url,
        status_callback_url=settings.sms_status_callback_url,
        timeout=settings.sms_timeout_seconds,
    )


_FACTORIES: dict[str, Factory] = {
    ChannelName.EMAIL: lambda s: SmtpSender(smtp_config(s)),
    ChannelName.SMS: lambda s: TwilioSmsSender(sms_config(s)),
}


def register_channel(name: str, factory: Factory) -> None:
    """Add (or replace) the sender factory of a channel."""
    _FACTORIES[name] = factory


def get_channel(name: str, settings: Settings | None = None) -> Channel:
    """The sender for a channel name; raises ChannelNotConfigured if it cannot be built."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ChannelNotConfigured(name, "no such channel")
    return factory(settings or get_settings())


def available_channels(settings: Settings | None = None) -> dict[str, Channel]:
    """Every channel whose settings are complete, by name."""
    settings = settings or get_settings()
    found: dict[str, Channel] = {}
    for name in _FACTORIES:
        try:
            found[name] = get_channel(name, settings)
        except ChannelNotConfigured:
            continue
    return found
