"""QR codes of public and kiosk links, for posters and counter cards (survey managers).

Tokens are stored only as hashes, so a code can be made only by someone who holds the link
(the builder right after creating it, or the API caller that got it): the token is posted,
checked against the link's hash, and the image holds the link with an optional ``?loc=`` tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.crypto import sha256_hex
from cxloop.core.params import MAX_ID
from cxloop.core.permissions import SURVEYS_MANAGE
from cxloop.surveys import access, errors
from cxloop.surveys.channels.qr import is_location, location_link, make_qr
from cxloop.surveys.models import SurveyLink

QrFormat = Literal["png", "svg"]
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class QrFile:
    """An image ready to download."""

    content: bytes
    media_type: str
    filename: str
    url: str


def link_qr(
    session: Session,
    actor: Actor,
    survey_id: int,
    link_id: int,
    secret: str,
    location: str | None = None,
    fmt: QrFormat = "png",
    scale: int = 10,
) -> QrFile:
    """The QR code of a public or kiosk link whose token the caller holds."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_MANAGE)
    link = session.get(SurveyLink, link_id) if 0 < link_id <= MAX_ID else None
    if link is None or link.survey_id != survey.id or link.revoked_at is not None:
        raise errors.link_invalid()
    if link.token_hash != sha256_hex(secret):
        raise errors.invalid("token", "is not the token of this link")
    if link.kind == "personal":
        raise errors.invalid(
            "link", "a personal link is for one customer; print a public or kiosk link"
        )
    if location is not None and not is_location(location):
        raise errors.invalid("location", "must be 1-64 characters of A-Z a-z 0-9 _ -")
    url = get_settings().base_url.rstrip("/") + "/s/" + secret
    if location:
        url = location_link(url, location)
    image = make_qr(url, scale=scale, title=f"{survey.name} {location or ''}".strip())
    name = f"survey-{survey.id}-link-{link.id}" + (f"-{location}" if location else "")
    content = image.png if fmt == "png" else image.svg
    return QrFile(content, MEDIA_TYPES[fmt], f"{name}.{fmt}", url)
