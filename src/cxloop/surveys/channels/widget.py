"""The website widget's server side that needs no survey tables: public keys, CORS, the answer.

A customer's site includes ``static/widget.js`` with the workspace's public key; the script POSTs
answers as JSON from the customer's origin, so the answer endpoint (wired at the merge) answers
CORS preflights for the workspace's allowed origins only: exact origins, never a wildcard, no
cookies (the public key identifies the workspace, it is not a secret).
"""

from __future__ import annotations

import html
import re
import secrets
import string
from collections.abc import Iterable
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.core.i18n import LANGUAGES, translate

PUBLIC_KEY_PREFIX = "pk_"
_KEY_ALPHABET = string.ascii_letters + string.digits
_KEY = re.compile(r"pk_[A-Za-z0-9]{24}")
_DEFAULT_PORTS = {"http": 80, "https": 443}
ALLOWED_METHODS = ("POST",)
ALLOWED_HEADERS = ("content-type",)
PREFLIGHT_MAX_AGE = 600

# The texts the widget shows, by the name widget.js uses for each.
WIDGET_TEXT_KEYS = {
    "question": "survey_widget.question",
    "low": "survey_email.nps_low",
    "high": "survey_email.nps_high",
    "comment": "survey_widget.comment",
    "submit": "survey_widget.submit",
    "close": "survey_widget.close",
    "thanks": "survey_widget.thanks",
    "error": "survey_widget.error",
    "choose": "survey_widget.choose",
}


def new_public_key() -> str:
    """A fresh workspace public key: ``pk_`` and 24 random letters and digits."""
    return PUBLIC_KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(24))


def is_public_key(value: str) -> bool:
    """Whether ``value`` has the form of a public key (existence is for the caller to check)."""
    return bool(_KEY.fullmatch(value))


def normalize_origin(value: str) -> str | None:
    """An origin as browsers send it (``https://shop.example``), or None if ``value`` is not one.

    Scheme and host are lower-cased, an internationalised host becomes its ASCII (IDNA) form and
    the scheme's default port is dropped; a path, query, user or wildcard makes it no origin.
    """
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in _DEFAULT_PORTS or not host or "*" in host:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def allowed_origin(origin: str | None, allowed_origins: Iterable[str]) -> str | None:
    """The request's Origin if it is exactly one of the workspace's allowed origins, else None."""
    if not origin or origin == "null":
        return None
    wanted = normalize_origin(origin)
    if wanted is None or wanted != origin.lower().rstrip("/"):
        return None
    allowed = {normalize_origin(o) for o in allowed_origins} - {None}
    return origin if wanted in allowed else None


def preflight_headers(
    origin: str | None,
    allowed_origins: Iterable[str],
    request_method: str | None,
    request_headers: str | None = None,
) -> dict[str, str] | None:
    """Headers answering an OPTIONS preflight, or None to refuse it (answer 403 without them)."""
    echo = allowed_origin(origin, allowed_origins)
    if echo is None or (request_method or "").upper() not in ALLOWED_METHODS:
        return None
    asked = {h.strip().lower() for h in (request_headers or "").split(",") if h.strip()}
    if not asked <= set(ALLOWED_HEADERS):
        return None
    return {
        "Access-Control-Allow-Origin": echo,
        "Access-Control-Allow-Methods": ", ".join(ALLOWED_METHODS),
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
        "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    }


def response_headers(origin: str | None, allowed_origins: Iterable[str]) -> dict[str, str]:
    """CORS headers for the answer itself (always ``Vary: Origin``, so caches keep them apart)."""
    echo = allowed_origin(origin, allowed_origins)
    headers = {"Vary": "Origin"}
    if echo is not None:
        headers["Access-Control-Allow-Origin"] = echo
    return headers


def widget_texts(lang: str) -> dict[str, str]:
    """The widget's texts in one language (what widget.js carries for it)."""
    return {name: translate(lang, key) for name, key in WIDGET_TEXT_KEYS.items()}


def embed_snippet(base_url: str, public_key: str) -> str:
    """The ``<script>`` tag a customer pastes into their site."""
    if not is_public_key(public_key):
        raise ValueError("not a public key")
    src = html.escape(base_url.rstrip("/") + "/static/widget.js", quote=True)
    return f'<script src="{src}" data-key="{public_key}" async></script>'


class WidgetAnswer(BaseModel):
    """The JSON body widget.js POSTs."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=_KEY.pattern)
    survey: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    customer: str = Field(default="", max_length=128)
    score: int = Field(ge=0, le=10, strict=True)
    comment: str = Field(default="", max_length=2000)
    page: str = Field(default="", max_length=2048)
    lang: str = Field(default="en")

    @field_validator("customer", "comment", "page")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value
