"""Turn validated canonical records into rows of the typed tables (the projections of raw data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.core.db import upsert
from cxloop.journeys import service as journeys
from cxloop.profiles.ingest.validation import Canonical
from cxloop.profiles.models import (
    ConsentRecord,
    CustomerRecord,
    Holding,
    Order,
    PreferenceRecord,
)
from cxloop.profiles.resolution import normalize as norm


@dataclass(frozen=True)
class Context:
    """What a projection needs besides the record: where it came from and when."""

    workspace_id: int
    source_id: int
    region: str
    received_at: datetime
    source_ids: dict[str, int]  # source name -> id, for customer_source references


def _customer_source(ctx: Context, values: dict[str, Any]) -> int | None:
    name = values.get("customer_source")
    if not name:
        return ctx.source_id
    return ctx.source_ids.get(name)


def customer_row(ctx: Context, rec: Canonical, version: int, digest: str) -> dict[str, Any]:
    """The customer_records row of a validated customer record."""
    v = rec.values
    region = (v.get("country") or ctx.region or "US").upper()
    raw_name = v.get("full_name") or " ".join(
        p for p in (v.get("family_name"), v.get("given_name")) if p
    )
    names = norm.normalize_name(raw_name)
    emails = [e for e in (norm.normalize_email(x) for x in v.get("emails", [])) if e]
    phones = [p for p in (norm.normalize_phone(x, region) for x in v.get("phones", [])) if p]
    address = " ".join(p for p in (v.get("address"), v.get("city")) if p) or None
    attributes = dict(rec.extra)
    return {
        "workspace_id": ctx.workspace_id,
        "source_id": ctx.source_id,
        "external_id": rec.external_id,
        "version": version,
        "content_hash": digest,
        "received_at": ctx.received_at,
        "source_updated_at": v.get("updated_at"),
        "full_name": (names.display or raw_name or "")[:300],
        "name_key": names.key[:300],
        "name_latin": names.latin[:300],
        "given_name": (v.get("given_name") or names.given or "")[:200],
        "family_name": (v.get("family_name") or names.family or "")[:200],
        "emails": emails,
        "email_verified": bool(v.get("email_verified", False)),
        "phones": phones,
        "birth_date": v.get("birth_date"),
        "address": address,
        "address_key": norm.normalize_address(address),
        "postcode": norm.normalize_postcode(v.get("postcode"), region),
        "country": v.get("country") or (ctx.region or None),
        "language": v.get("language"),
        "tier": v.get("tier"),
        "segment": v.get("segment"),
        "customer_since": v.get("customer_since"),
        "attributes": attributes,
        "profile_id": None,
        "resolved_at": None,
    }


_CUSTOMER_UPDATE = [
    c
    for c in CustomerRecord.__table__.columns.keys()  # noqa: SIM118 (a ColumnCollection)
    if c not in ("id", "workspace_id", "source_id", "external_id", "profile_id")
]


def _ref_row(ctx: Context, rec: Canonical, version: int, digest: str) -> dict[str, Any] | None:
    cs = _customer_source(ctx, rec.values)
    if cs is None:
        return None
    return {
        "workspace_id": ctx.workspace_id,
        "source_id": ctx.source_id,
        "external_id": rec.external_id,
        "customer_source_id": cs,
        "customer_ref": rec.values["customer_id"],
        "version": version,
        "content_hash": digest,
        "received_at": ctx.received_at,
    }


def holding_row(ctx: Context, rec: Canonical, version: int, digest: str) -> dict[str, Any] | None:
    """The holdings row of a validated holding."""
    row = _ref_row(ctx, rec, version, digest)
    if row is None:
        return None
    v = rec.values
    row.update(
        product_code=v.get("product_code", ""),
        product_name=v["product_name"],
        category=v.get("category"),
        status=v.get("status", "active"),
        monthly_amount_minor=v.get("monthly_amount", 0),
        currency=v["currency"],
        start_date=v.get("start_date"),
        end_date=v.get("end_date"),
        contract_end_date=v.get("contract_end_date"),
        attributes=dict(rec.extra),
    )
    return row


def order_row(ctx: Context, rec: Canonical, version: int, digest: str) -> dict[str, Any] | None:
    """The orders row of a validated order."""
    row = _ref_row(ctx, rec, version, digest)
    if row is None:
        return None
    v = rec.values
    row.update(
        ordered_at=v["ordered_at"],
        amount_minor=v["amount"],
        currency=v["currency"],
        status=v.get("status", "completed"),
        channel=v.get("channel"),
        description=v.get("description"),
        attributes=dict(rec.extra),
    )
    return row


def consent_row(ctx: Context, rec: Canonical, version: int, digest: str) -> dict[str, Any] | None:
    """The consents row of a validated consent."""
    row = _ref_row(ctx, rec, version, digest)
    if row is None:
        return None
    v = rec.values
    row.update(
        channel=v["channel"],
        purpose=v["purpose"],
        granted=v["granted"],
        recorded_at=v.get("recorded_at") or ctx.received_at,
        note=v.get("note"),
    )
    return row


def preference_row(
    ctx: Context, rec: Canonical, version: int, digest: str
) -> dict[str, Any] | None:
    """The preferences row of a validated preference."""
    row = _ref_row(ctx, rec, version, digest)
    if row is None:
        return None
    v = rec.values
    row.update(
        preferred_channels=v.get("preferred_channels", []),
        language=v.get("language"),
        max_surveys_per_month=v.get("max_surveys_per_month"),
        quiet_hours=v.get("quiet_hours"),
        timezone=v.get("timezone"),
        recorded_at=v.get("recorded_at") or ctx.received_at,
    )
    return row


def interaction_row(
    ctx: Context, rec: Canonical, version: int, digest: str
) -> dict[str, Any] | None:
    """The interactions row of a validated interaction."""
    cs = _customer_source(ctx, rec.values)
    if cs is None:
        return None
    return journeys.interaction_row(
        ctx.workspace_id, ctx.source_id, cs, rec.values, rec.extra, version, digest, ctx.received_at
    )


_KEY = ["workspace_id", "source_id", "external_id"]


def _updatable(table: Any) -> list[str]:
    return [c for c in table.columns.keys() if c not in ("id", *_KEY)]  # noqa: SIM118


def write(session: Session, entity: str, rows: list[dict[str, Any]]) -> None:
    """Insert or replace projection rows of ``entity``."""
    if not rows:
        return
    if entity == "interaction":
        journeys.upsert_interactions(session, rows)
        return
    table: Any = {
        "customer": CustomerRecord.__table__,
        "holding": Holding.__table__,
        "order": Order.__table__,
        "consent": ConsentRecord.__table__,
        "preference": PreferenceRecord.__table__,
    }[entity]
    update = _CUSTOMER_UPDATE if entity == "customer" else _updatable(table)
    upsert(session, table, rows, _KEY, update)


BUILDERS = {
    "customer": customer_row,
    "holding": holding_row,
    "order": order_row,
    "consent": consent_row,
    "preference": preference_row,
    "interaction": interaction_row,
}
