"""Signed webhooks: HMAC-SHA256 over ``"<timestamp>.<raw body>"``, a 5-minute window, no replays."""

from __future__ import annotations

from cxloop.core import clock
from cxloop.core.crypto import equal, hmac_sha256_hex
from cxloop.core.params import parse_int
from cxloop.profiles.ingest import errors

TIMESTAMP_HEADER = "x-cxloop-timestamp"
SIGNATURE_HEADER = "x-cxloop-signature"
DELIVERY_HEADER = "x-cxloop-delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value a sender computes: ``sha256=<hex>``."""
    return "sha256=" + hmac_sha256_hex(secret, f"{timestamp}.".encode() + body)


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    delivery: str | None,
    body: bytes,
    tolerance_seconds: int,
) -> None:
    """Raise a 401 unless the delivery is signed with ``secret`` inside the time window."""
    if not delivery or len(delivery) > 200:
        raise errors.signature(f"header {DELIVERY_HEADER} is missing or longer than 200 characters")
    ts = parse_int(timestamp)
    if ts is None:
        raise errors.signature(f"header {TIMESTAMP_HEADER} must be Unix seconds")
    if not signature:
        raise errors.signature(f"header {SIGNATURE_HEADER} is missing")
    skew = abs(clock.now().timestamp() - ts)
    if skew > tolerance_seconds:
        raise errors.signature(
            f"timestamp is {int(skew)} s away from the server clock (limit {tolerance_seconds} s)"
        )
    expected = sign(secret, ts, body)
    if not equal(expected, signature.strip()):
        raise errors.signature("signature does not match")
