"""How a reader without ``profiles.pii`` sees a customer's contact details and records."""

from __future__ import annotations

from typing import Any

from cxloop.profiles.ingest.models import Source
from cxloop.profiles.models import CustomerRecord


def mask_email(email: str | None) -> str | None:
    """``c***@example.com`` for roles without PII permission."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    """Keep the country code and last three digits of a number."""
    if not phone:
        return phone
    return phone[:4] + "*" * max(len(phone) - 7, 0) + phone[-3:]


def mask_golden(golden: dict[str, Any]) -> dict[str, Any]:
    """A golden record with its contact details, address and birth date masked."""
    out = {}
    for attr, info in golden.items():
        info = dict(info)
        if attr == "email":
            info["value"] = mask_email(info.get("value"))
            info["alternatives"] = [
                {**a, "value": mask_email(a["value"])} for a in info.get("alternatives", [])
            ]
        elif attr == "phone":
            info["value"] = mask_phone(info.get("value"))
            info["alternatives"] = [
                {**a, "value": mask_phone(a["value"])} for a in info.get("alternatives", [])
            ]
        elif attr in ("address", "birth_date", "postcode"):
            info["value"] = "•••"
            info["alternatives"] = []
        out[attr] = info
    return out


def record_view(r: CustomerRecord, sources: dict[int, Source], pii: bool) -> dict[str, Any]:
    """A source record as shown to the actor (contact details masked without profiles.pii)."""
    return {
        "id": r.id,
        "source": sources[r.source_id].name,
        "source_kind": sources[r.source_id].kind,
        "trust_rank": sources[r.source_id].trust_rank,
        "external_id": r.external_id,
        "version": r.version,
        "received_at": r.received_at,
        "full_name": r.full_name,
        "emails": r.emails if pii else [mask_email(e) for e in r.emails],
        "phones": r.phones if pii else [mask_phone(p) for p in r.phones],
        "birth_date": r.birth_date if pii else None,
        "address": r.address if pii else None,
        "tier": r.tier,
        "profile_id": r.profile_id,
    }
