"""The SMS channel against a Twilio-style API on loopback, segment counting, status callbacks."""

from __future__ import annotations

import base64
import socket
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cxloop.core.i18n import translate
from cxloop.surveys.channels.base import Channel, ChannelName, DeliveryStatus
from cxloop.surveys.channels.segments import SmsEncoding, count_segments, is_gsm7
from cxloop.surveys.channels.sms import (
    InvalidSignature,
    SmsConfig,
    TwilioSmsSender,
    parse_status_callback,
    signature,
    sms_text,
)

from . import fake_twilio as ft
from .conftest import invitation


def sms(**overrides: Any) -> Any:
    values: dict[str, Any] = {
        "channel": ChannelName.SMS,
        "recipient": "+886912345678",
        "link_url": "https://cx.example/s/Ab3dE",
        "first_question": None,
    }
    values.update(overrides)
    return invitation(**values)


def sender(fake: ft.FakeTwilio, **overrides: Any) -> TwilioSmsSender:
    values: dict[str, Any] = {
        "account_sid": ft.ACCOUNT_SID,
        "auth_token": ft.AUTH_TOKEN,
        "from_number": "+15017122661",
        "base_url": fake.base_url,
        "status_callback_url": "https://cx.example/hooks/sms/status",
        "timeout": 5.0,
    }
    values.update(overrides)
    return TwilioSmsSender(SmsConfig(**values))


def test_sender_is_a_channel(twilio: ft.FakeTwilio) -> None:
    assert isinstance(sender(twilio), Channel)


def test_sent_with_basic_auth_and_form_fields(twilio: ft.FakeTwilio) -> None:
    inv = sms(invitation_id="inv-5", language="zh-Hant", company_name="遠傳電信")
    result = sender(twilio).send(inv)

    assert result.status is DeliveryStatus.SENT, result
    assert result.provider_message_id.startswith("SM")
    assert len(result.provider_message_id) == 34
    [req] = twilio.requests
    assert req.path == f"/2010-04-01/Accounts/{ft.ACCOUNT_SID}/Messages.json"
    user, _, token = (
        base64.b64decode(req.headers["authorization"].split()[1]).decode().partition(":")
    )
    assert (user, token) == (ft.ACCOUNT_SID, ft.AUTH_TOKEN)
    assert req.form["To"] == ["+886912345678"]
    assert req.form["From"] == ["+15017122661"]
    body = req.form["Body"][0]
    assert body == translate("zh-Hant", "survey_sms.body", company="遠傳電信", link=inv.link_url)
    assert "https://cx.example/s/Ab3dE" in body
    callback = urlsplit(req.form["StatusCallback"][0])
    assert callback.path == "/hooks/sms/status"
    assert parse_qs(callback.query) == {"invitation": ["inv-5"]}
    assert result.details["encoding"] == "UCS-2"
    assert result.details["segments"] == count_segments(body).segments


def test_messaging_service_replaces_the_from_number(twilio: ft.FakeTwilio) -> None:
    sid = "MG" + "a" * 32
    result = sender(twilio, from_number="", messaging_service_sid=sid).send(sms())
    assert result.status is DeliveryStatus.SENT
    assert twilio.requests[0].form["MessagingServiceSid"] == [sid]
    assert "From" not in twilio.requests[0].form


def test_english_invitation_is_one_gsm7_segment(twilio: ft.FakeTwilio) -> None:
    result = sender(twilio).send(sms(language="en"))
    assert (result.details["encoding"], result.details["segments"]) == ("GSM-7", 1)


def test_thai_invitation_is_ucs2_and_counted_in_70s(twilio: ft.FakeTwilio) -> None:
    inv = sms(language="th", company_name="ทรูมูฟ เอช")
    result = sender(twilio).send(inv)
    text = sms_text(inv)
    assert result.details["encoding"] == "UCS-2"
    assert result.details["units"] == len(text)
    assert result.details["segments"] == (1 if len(text) <= 70 else -(-len(text) // 67))
    assert len(text) > 70  # this Thai text needs two segments, unlike its English version


def test_invalid_number_21211_is_a_permanent_bounce(twilio: ft.FakeTwilio) -> None:
    result = sender(twilio).send(sms(recipient=ft.INVALID))
    assert result.status is DeliveryStatus.BOUNCED
    assert not result.retryable
    assert result.error_code == "twilio.21211"
    assert result.error_message == f"The 'To' number {ft.INVALID} is not a valid phone number."
    assert result.details["more_info"] == "https://www.twilio.com/docs/errors/21211"


def test_wrong_credentials_401_is_a_permanent_failure(twilio: ft.FakeTwilio) -> None:
    config_sender = sender(twilio, auth_token="not-the-token")
    assert "not-the-token" not in repr(config_sender.config)
    result = config_sender.send(sms())
    assert (result.status, result.error_code) == (DeliveryStatus.FAILED, "twilio.20003")
    assert result.error_message == "Authenticate"
    assert "not-the-token" not in repr(result)


def test_rate_limit_429_is_retryable_after_the_given_delay(twilio: ft.FakeTwilio) -> None:
    result = sender(twilio).send(sms(recipient=ft.RATE_LIMITED))
    assert result.status is DeliveryStatus.DEFERRED
    assert result.retryable
    assert (result.error_code, result.retry_after_seconds) == ("twilio.20429", 7)


def test_a_retry_after_that_is_not_a_small_number_is_ignored(twilio: ft.FakeTwilio) -> None:
    result = sender(twilio).send(sms(recipient=ft.RATE_LIMITED_ODDLY))
    assert result.status is DeliveryStatus.DEFERRED and result.retryable
    assert result.retry_after_seconds is None  # the usual backoff applies


@pytest.mark.parametrize(
    ("number", "code"), [(ft.BROKEN, "http.500"), (ft.UNAVAILABLE, "twilio.20500")]
)
def test_server_errors_are_retryable(twilio: ft.FakeTwilio, number: str, code: str) -> None:
    result = sender(twilio).send(sms(recipient=number))
    assert (result.status, result.error_code) == (DeliveryStatus.DEFERRED, code)


def test_timeout_is_retryable(twilio: ft.FakeTwilio) -> None:
    result = sender(twilio, timeout=0.3).send(sms(recipient=ft.SLOW))
    assert (result.status, result.error_code) == (DeliveryStatus.DEFERRED, "sms.timeout")


def test_unreachable_provider_is_retryable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        fake = ft.FakeTwilio(port=s.getsockname()[1])
        result = sender(fake).send(sms())
    assert (result.status, result.error_code) == (DeliveryStatus.DEFERRED, "sms.network")


def test_a_number_that_is_not_e164_is_refused_before_calling_the_provider(
    twilio: ft.FakeTwilio,
) -> None:
    result = sender(twilio).send(sms(recipient="0912 345 678"))
    assert (result.status, result.error_code) == (DeliveryStatus.BOUNCED, "sms.invalid_number")
    assert twilio.requests == []


def test_batch_keeps_order_and_outcomes(twilio: ft.FakeTwilio) -> None:
    batch = [
        sms(invitation_id="a"),
        sms(invitation_id="b", recipient=ft.INVALID),
        sms(invitation_id="c", recipient=ft.RATE_LIMITED),
        sms(invitation_id="d", recipient="+66812345678", language="th"),
    ]
    results = sender(twilio).send_many(batch)
    assert [(r.invitation_id, r.status) for r in results] == [
        ("a", DeliveryStatus.SENT),
        ("b", DeliveryStatus.BOUNCED),
        ("c", DeliveryStatus.DEFERRED),
        ("d", DeliveryStatus.SENT),
    ]
    assert len(twilio.requests) == 4


# --- segments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", SmsEncoding.GSM7, 0, 0),
        ("a" * 160, SmsEncoding.GSM7, 160, 1),
        ("a" * 161, SmsEncoding.GSM7, 161, 2),
        ("a" * 306, SmsEncoding.GSM7, 306, 2),
        ("a" * 307, SmsEncoding.GSM7, 307, 3),
        ("€" * 80, SmsEncoding.GSM7, 160, 1),  # extension characters cost two septets
        ("€" * 81, SmsEncoding.GSM7, 162, 2),
        ("a" * 152 + "€" + "a" * 153, SmsEncoding.GSM7, 307, 3),  # € does not straddle parts
        ("Café Ñoño @ 5£", SmsEncoding.GSM7, 14, 1),
        ("Ñandú", SmsEncoding.UCS2, 5, 1),  # ú is not in GSM 03.38 (ù is)
        ("ça va", SmsEncoding.UCS2, 5, 1),  # lower-case ç is not in GSM 03.38
        ("don’t", SmsEncoding.UCS2, 5, 1),  # the typographic apostrophe forces UCS-2
        ("您" * 70, SmsEncoding.UCS2, 70, 1),
        ("您" * 71, SmsEncoding.UCS2, 71, 2),
        ("您" * 134, SmsEncoding.UCS2, 134, 2),
        ("您" * 135, SmsEncoding.UCS2, 135, 3),
        ("ข" * 70, SmsEncoding.UCS2, 70, 1),
        ("ข" * 71, SmsEncoding.UCS2, 71, 2),
        ("😀" * 35, SmsEncoding.UCS2, 70, 1),  # each emoji is a surrogate pair
        ("a" * 66 + "😀" + "a" * 66, SmsEncoding.UCS2, 134, 3),  # a pair is never split
    ],
)
def test_count_segments(text: str, encoding: SmsEncoding, units: int, segments: int) -> None:
    got = count_segments(text)
    assert (got.encoding, got.units, got.segments) == (encoding, units, segments)


def test_gsm7_alphabet_has_128_characters_less_escape() -> None:
    from cxloop.surveys.channels.segments import GSM_BASIC, GSM_EXTENSION

    assert len(GSM_BASIC) == 127
    assert len(set(GSM_BASIC)) == 127
    assert len(GSM_EXTENSION) == 10
    assert is_gsm7("Hello {name} [ok] ~ |x| ^ \\ €")
    assert not is_gsm7("สวัสดี")


# --- status callbacks -----------------------------------------------------------------------

CALLBACK_URL = "https://cx.example/hooks/sms/status?invitation=inv-5"


def callback(status: str, **extra: str) -> dict[str, str]:
    params = {
        "AccountSid": ft.ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": "+15017122661",
        "MessageSid": "SM" + "b" * 32,
        "MessageStatus": status,
        "SmsSid": "SM" + "b" * 32,
        "SmsStatus": status,
        "To": "+886912345678",
    }
    params.update(extra)
    return params


def test_signature_matches_twilios_published_example() -> None:
    params = {  # deliberately not in name order: the scheme sorts them
        "To": "+18005551212",
        "Digits": "1234",
        "CallSid": "CA1234567890ABCDE",
        "From": "+14158675309",
        "Caller": "+14158675309",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature(url, params, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_delivered_callback_with_a_valid_signature() -> None:
    params = callback("delivered")
    update = parse_status_callback(
        CALLBACK_URL, params, signature(CALLBACK_URL, params, ft.AUTH_TOKEN), ft.AUTH_TOKEN
    )
    assert update.status is DeliveryStatus.DELIVERED
    assert update.invitation_id == "inv-5"
    assert update.provider_message_id == "SM" + "b" * 32
    assert update.recipient == "+886912345678"


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("queued", "", DeliveryStatus.SENT),
        ("sent", "", DeliveryStatus.SENT),
        ("undelivered", "30005", DeliveryStatus.BOUNCED),  # unknown handset
        ("undelivered", "30003", DeliveryStatus.DEFERRED),  # handset off
        ("failed", "30007", DeliveryStatus.FAILED),  # carrier filtering
        ("failed", "", DeliveryStatus.FAILED),
    ],
)
def test_callback_statuses(status: str, code: str, expected: DeliveryStatus) -> None:
    params = callback(status, **({"ErrorCode": code} if code else {}))
    update = parse_status_callback(
        CALLBACK_URL, params, signature(CALLBACK_URL, params, ft.AUTH_TOKEN), ft.AUTH_TOKEN
    )
    assert update.status is expected
    assert update.error_code == (f"twilio.{code}" if code else "")


@pytest.mark.parametrize("code", ["\u00b2", "9" * 5000, "-1", "+30005"])
def test_an_error_code_that_is_not_a_number_is_not_read(code: str) -> None:
    params = callback("undelivered", ErrorCode=code)
    update = parse_status_callback(
        CALLBACK_URL, params, signature(CALLBACK_URL, params, ft.AUTH_TOKEN), ft.AUTH_TOKEN
    )
    assert update.status is DeliveryStatus.FAILED and update.error_code == ""


def test_tampered_callback_is_refused() -> None:
    params = callback("undelivered", ErrorCode="30005")
    good = signature(CALLBACK_URL, params, ft.AUTH_TOKEN)
    tampered = {**params, "MessageStatus": "delivered", "ErrorCode": ""}
    with pytest.raises(InvalidSignature):
        parse_status_callback(CALLBACK_URL, tampered, good, ft.AUTH_TOKEN)
    with pytest.raises(InvalidSignature):  # another invitation in the URL
        parse_status_callback(CALLBACK_URL.replace("inv-5", "inv-6"), params, good, ft.AUTH_TOKEN)
    with pytest.raises(InvalidSignature):
        parse_status_callback(CALLBACK_URL, params, good, "another-token")
    with pytest.raises(InvalidSignature):
        parse_status_callback(CALLBACK_URL, params, "", ft.AUTH_TOKEN)
