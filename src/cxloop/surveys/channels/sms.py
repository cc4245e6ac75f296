"""The SMS channel: a Twilio-style Messages API adapter and its signed status callbacks.

``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with form fields To, From (or
MessagingServiceSid), Body and StatusCallback, HTTP basic auth ``sid:token``. 2xx is sent (the
provider's ``sid`` is kept); 429 and 5xx and network errors are deferred (retry later); other 4xx
fail permanently with the provider's code and message, and the codes that condemn the number
itself (invalid, not a mobile, opted out) are bounces.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from cxloop.core.i18n import translate
from cxloop.surveys.channels.base import (
    ChannelName,
    DeliveryResult,
    DeliveryStatus,
    DeliveryUpdate,
    OutboundInvitation,
    with_query,
)
from cxloop.surveys.channels.segments import count_segments

log = logging.getLogger(__name__)

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
SIGNATURE_HEADER = "X-Twilio-Signature"
INVITATION_PARAM = "invitation"  # added to the status callback URL, so callbacks name it

# Provider error codes that mean the number itself must not be used again.
BAD_NUMBER_CODES = frozenset({21211, 21214, 21217, 21610, 21614, 30005, 30006})
# Delivery errors worth another try later (the handset was off or out of coverage).
TEMPORARY_DELIVERY_CODES = frozenset({30003, 30008})
_PENDING = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})


class InvalidSignature(ValueError):
    """A status callback whose signature does not match: not from the provider."""


@dataclass(frozen=True, slots=True)
class SmsConfig:
    """How to reach the SMS provider and who the messages come from."""

    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str = ""  # an E.164 number or alphanumeric sender id
    messaging_service_sid: str = ""  # used instead of from_number when set
    base_url: str = "https://api.twilio.com"
    status_callback_url: str = ""
    timeout: float = 10.0


def sms_text(invitation: OutboundInvitation) -> str:
    """The invitation SMS in the respondent's language, with the personal link."""
    return translate(
        invitation.language,
        "survey_sms.body",
        company=" ".join(invitation.company_name.split()),
        link=invitation.link_url,
    )


class TwilioSmsSender:
    """Sends invitation SMS through a Twilio-compatible Messages API."""

    name = ChannelName.SMS

    def __init__(self, config: SmsConfig) -> None:
        self.config = config

    @property
    def messages_url(self) -> str:
        """The Messages resource of the configured account."""
        base = self.config.base_url.rstrip("/")
        return f"{base}/2010-04-01/Accounts/{self.config.account_sid}/Messages.json"

    def send(self, invitation: OutboundInvitation) -> DeliveryResult:
        """Send one invitation SMS."""
        return self.send_many([invitation])[0]

    def send_many(self, invitations: Sequence[OutboundInvitation]) -> list[DeliveryResult]:
        """Send invitation SMS over one HTTP connection pool, one result each, in order."""
        c = self.config
        with httpx.Client(
            auth=httpx.BasicAuth(c.account_sid, c.auth_token),
            timeout=httpx.Timeout(c.timeout),
            headers={"Accept": "application/json"},
        ) as client:
            results = [self._send(client, inv) for inv in invitations]
        for result in results:
            log.info(
                "sms invitation %s: %s %s", result.invitation_id, result.status, result.error_code
            )
        return results

    def _send(self, client: httpx.Client, invitation: OutboundInvitation) -> DeliveryResult:
        body = sms_text(invitation)
        segments = count_segments(body)
        details: dict[str, int | str] = {
            "segments": segments.segments,
            "encoding": segments.encoding.value,
            "units": segments.units,
        }

        def result(
            status: DeliveryStatus,
            code: str = "",
            message: str = "",
            provider_message_id: str = "",
            retry_after_seconds: int | None = None,
        ) -> DeliveryResult:
            return DeliveryResult(
                invitation.invitation_id,
                ChannelName.SMS,
                status,
                provider_message_id,
                code,
                message,
                retry_after_seconds,
                details,
            )

        if not E164.fullmatch(invitation.recipient):
            return result(DeliveryStatus.BOUNCED, "sms.invalid_number", "not an E.164 number")
        form = {"To": invitation.recipient, "Body": body}
        if self.config.messaging_service_sid:
            form["MessagingServiceSid"] = self.config.messaging_service_sid
        else:
            form["From"] = self.config.from_number
        if self.config.status_callback_url:
            form["StatusCallback"] = with_query(
                self.config.status_callback_url, {INVITATION_PARAM: invitation.invitation_id}
            )
        try:
            response = client.post(self.messages_url, data=form)
        except httpx.TimeoutException:
            return result(DeliveryStatus.DEFERRED, "sms.timeout", "the provider did not answer")
        except httpx.HTTPError as exc:
            return result(DeliveryStatus.DEFERRED, "sms.network", type(exc).__name__)
        payload = _json(response)
        if response.is_success:
            return result(
                DeliveryStatus.SENT,
                provider_message_id=str(payload.get("sid", "")),
            )
        code = payload.get("code")
        error_code = f"twilio.{code}" if code else f"http.{response.status_code}"
        message = str(payload.get("message") or response.reason_phrase)
        if payload.get("more_info"):
            details["more_info"] = str(payload["more_info"])
        if response.status_code == 429 or response.status_code >= 500:
            return result(
                DeliveryStatus.DEFERRED,
                error_code,
                message,
                retry_after_seconds=_retry_after(response),
            )
        bad_number = isinstance(code, int) and code in BAD_NUMBER_CODES
        status = DeliveryStatus.BOUNCED if bad_number else DeliveryStatus.FAILED
        return result(status, error_code, message)


def signature(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """Twilio's request signature: base64 HMAC-SHA1 of the URL and the sorted form fields."""
    data = url + "".join(k + params[k] for k in sorted(params))
    mac = hmac.new(auth_token.encode(), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def parse_status_callback(
    url: str, params: Mapping[str, str], signature_header: str, auth_token: str
) -> DeliveryUpdate:
    """Check a status callback's signature and read it; raises InvalidSignature if forged."""
    expected = signature(url, params, auth_token)
    if not signature_header or not hmac.compare_digest(expected, signature_header.strip()):
        raise InvalidSignature("status callback signature does not match")
    raw_status = params.get("MessageStatus", params.get("SmsStatus", "")).lower()
    code_text = params.get("ErrorCode", "")
    code = _small_number(code_text)
    if raw_status == "delivered":
        status = DeliveryStatus.DELIVERED
    elif raw_status in _PENDING:
        status = DeliveryStatus.SENT
    elif code in BAD_NUMBER_CODES:
        status = DeliveryStatus.BOUNCED
    elif code in TEMPORARY_DELIVERY_CODES:
        status = DeliveryStatus.DEFERRED
    else:
        status = DeliveryStatus.FAILED
    invitation = parse_qs(urlsplit(url).query).get(INVITATION_PARAM, [""])[0]
    return DeliveryUpdate(
        channel=ChannelName.SMS,
        status=status,
        invitation_id=invitation,
        provider_message_id=params.get("MessageSid", params.get("SmsSid", "")),
        recipient=params.get("To", ""),
        error_code=f"twilio.{code}" if code else "",
        error_message=raw_status,
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _small_number(text: str) -> int | None:
    """A number of at most 9 ASCII digits (error codes, seconds), else None.

    Not ``core.params.parse_int``: channels import nothing that imports FastAPI.
    """
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _retry_after(response: httpx.Response) -> int | None:
    return _small_number(response.headers.get("Retry-After", ""))
