"""Bounce handling for email: signed invitation tags, VERP return paths, RFC 3464 DSN parsing.

Every invitation email carries a tag ``<invitation id>.<signature>`` in its ``X-Cxloop-Invitation``
header and in its envelope sender (``bounces+<tag>@example.com``, VERP). A delivery status
notification comes back to that address and usually quotes the original headers, so either way
leads back to the invitation; the signature keeps a forged report from marking arbitrary
invitations as bounced.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from email import message_from_bytes, policy
from email.errors import MessageError
from email.message import EmailMessage, Message
from email.utils import getaddresses

from cxloop.surveys.channels.base import ChannelName, DeliveryStatus, DeliveryUpdate

TAG_HEADER = "X-Cxloop-Invitation"
_SIG_CHARS = 16
_TAG = re.compile(r"([A-Za-z0-9_-]{1,64})\.([0-9a-f]{16})")
_STATUS = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})")
_VERP_HEADERS = ("x-original-to", "delivered-to", "to")

# Besides its own errors, the stdlib's header parser raises IndexError and AttributeError on
# some malformed headers (``Content-Type: multipart/report; report-type*``, ``To: a@[``),
# decoding a part can meet an unknown charset (LookupError) or bad bytes (ValueError), and the
# parser recurses once per nested MIME part (a 30 kB report can nest 1,000 deep).
_PARSER_FAILURES = (
    MessageError,
    IndexError,
    AttributeError,
    LookupError,
    ValueError,
    TypeError,
    RecursionError,
)


class UnreadableReport(ValueError):
    """The message cannot be read as an email message at all (a malformed header or part)."""


def invitation_tag(invitation_id: str, key: str) -> str:
    """The signed tag that identifies an invitation in headers and return paths."""
    return f"{invitation_id}.{_signature(invitation_id, key)}"


def read_tag(tag: str, key: str) -> str | None:
    """The invitation id in a tag, or None if the tag is malformed or its signature is wrong."""
    m = _TAG.fullmatch(tag.strip())
    if not m or not hmac.compare_digest(m.group(2), _signature(m.group(1), key)):
        return None
    return m.group(1)


def verp_address(bounce_address: str, tag: str) -> str:
    """The envelope sender ``local+tag@domain`` for a bounce address ``local@domain``."""
    local, at, domain = bounce_address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError("bounce address must look like local@domain")
    return f"{local}+{tag}@{domain}"


def classify_status(status: str, *, delayed: bool = False) -> DeliveryStatus:
    """Map an enhanced status code (RFC 3463) to a delivery status.

    Permanent failures of the address itself (5.1.x: no such mailbox or domain, 5.2.1: mailbox
    disabled) are bounces, so the address is not used again; other permanent failures (policy,
    content, size) fail this message only; 4.x.x and delayed reports are temporary.
    """
    m = _STATUS.search(status or "")
    if delayed or (m and m.group(1) == "4"):
        return DeliveryStatus.DEFERRED
    if m and m.group(1) == "2":
        return DeliveryStatus.DELIVERED
    if m and (m.group(2) == "1" or (m.group(2), m.group(3)) == ("2", "1")):
        return DeliveryStatus.BOUNCED
    return DeliveryStatus.FAILED


def parse_bounce(raw: bytes, key: str, envelope_to: str = "") -> DeliveryUpdate | None:
    """Read a delivery status notification; None if the message is not one (or not ours).

    Raises UnreadableReport when the message cannot be parsed as an email message.
    """
    try:
        return _parse(message_from_bytes(raw, policy=policy.default), key, envelope_to)
    except _PARSER_FAILURES as exc:
        raise UnreadableReport(
            "not a readable email message: a header or MIME part is malformed"
        ) from exc


def _parse(msg: EmailMessage | Message, key: str, envelope_to: str) -> DeliveryUpdate | None:
    if msg.get_content_type() != "multipart/report":
        return None
    if (msg.get_param("report-type") or "").lower() != "delivery-status":  # type: ignore[union-attr]
        return None
    recipient_fields = _recipient_fields(msg)
    if recipient_fields is None:
        return None
    invitation_id = _invitation_from_original(msg, key) or _invitation_from_verp(
        msg, key, envelope_to
    )
    if invitation_id is None:
        return None
    action = recipient_fields.get("Action", "").strip().lower()
    status = recipient_fields.get("Status", "").strip()
    outcome = classify_status(status, delayed=action == "delayed")
    if action in ("delivered", "relayed", "expanded"):
        outcome = DeliveryStatus.DELIVERED
    return DeliveryUpdate(
        channel=ChannelName.EMAIL,
        status=outcome,
        invitation_id=invitation_id,
        recipient=_address_field(recipient_fields.get("Final-Recipient", ""))
        or _address_field(recipient_fields.get("Original-Recipient", "")),
        error_code=status,
        error_message=" ".join(recipient_fields.get("Diagnostic-Code", "").split()),
    )


def _signature(invitation_id: str, key: str) -> str:
    mac = hmac.new(key.encode(), b"cxloop-bounce:" + invitation_id.encode(), hashlib.sha256)
    return mac.hexdigest()[:_SIG_CHARS]


def _recipient_fields(msg: Message) -> Message | None:
    """The first per-recipient block of the delivery-status part that reports a failure."""
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list) or len(blocks) < 2:
            return None
        per_recipient = [b for b in blocks[1:] if isinstance(b, Message)]
        for block in per_recipient:
            if block.get("Action", "").strip().lower() in ("failed", "delayed"):
                return block
        return per_recipient[0] if per_recipient else None
    return None


def _invitation_from_original(msg: Message, key: str) -> str | None:
    for part in msg.walk():
        ctype = part.get_content_type()
        headers: Message | None = None
        if ctype == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                headers = payload[0]
        elif ctype == "text/rfc822-headers":
            body = part.get_payload(decode=True)
            if isinstance(body, bytes):
                headers = message_from_bytes(body, policy=policy.default)
        if headers is not None and headers.get(TAG_HEADER):
            found = read_tag(str(headers[TAG_HEADER]), key)
            if found:
                return found
    return None


def _invitation_from_verp(msg: EmailMessage | Message, key: str, envelope_to: str) -> str | None:
    # raw values, each read on its own by getaddresses: the structured address parser raises on
    # some malformed headers, and getaddresses gives up on a whole list that holds one, so a bad
    # To must not hide a good Delivered-To
    raw = [(name.lower(), str(value)) for name, value in msg.raw_items()]
    candidates = [envelope_to] + [v for want in _VERP_HEADERS for name, v in raw if name == want]
    addresses = [a for c in candidates if c for _name, a in getaddresses([c])]
    for address in addresses:
        local = address.rpartition("@")[0]
        if "+" in local:
            found = read_tag(local.split("+", 1)[1], key)
            if found:
                return found
    return None


def _address_field(value: str) -> str:
    """``rfc822; someone@example.com`` → ``someone@example.com``."""
    return value.partition(";")[2].strip() if ";" in value else value.strip()
