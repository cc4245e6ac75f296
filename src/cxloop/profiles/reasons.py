"""Why a match waits for a person: the contradiction guard's code and parameters, read back from
a link's comparison (older links stored an English sentence), with the text in a UI language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cxloop.core.i18n import DEFAULT, translate
from cxloop.profiles.resolution.guard import CODES, CONTACT, COUNTRY, NAME

OTHER = "other"  # a stored reason this version does not know: its text is shown as it is
# What links held before reasons had codes stored (the texts never change: they are data).
LEGACY = {
    "different email and different phone on both sides": CONTACT,
    "different name in the same script": NAME,
    "another country with only the name in common": COUNTRY,
}


def review_reason(comparison: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``{"code", "params", "message"}`` (message in English) of a link's reason, or None."""
    raw = (comparison or {}).get("review_reason")
    if not raw:
        return None
    if isinstance(raw, Mapping) and raw.get("code") in CODES:
        code, params = str(raw["code"]), dict(raw.get("params") or {})
    elif isinstance(raw, str) and raw in LEGACY:
        code, params = LEGACY[raw], {}
    else:
        text = raw if isinstance(raw, str) else str(raw.get("code", raw))
        return {"code": OTHER, "params": {}, "message": text}
    return {"code": code, "params": params, "message": reason_text(DEFAULT, code)}


def reason_text(lang: str, code: str) -> str:
    """The reason's sentence in a UI language."""
    return translate(lang, f"review_reason.{code}")
