"""Turn validated records into DB-ready rows of the typed tables (the projections of raw data).

Every projection row carries the lineage of its current version: source, external id, version,
content hash, received time, the payload exactly as received, batch and line. Rows are tuples in
the projection's column order, ready for ``core.bulk.bulk_insert`` on the session's dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from itertools import repeat
from typing import Any, NamedTuple

import orjson
from sqlalchemy.orm import Session

from cxloop.core import bulk
from cxloop.journeys import service as journeys
from cxloop.profiles.ingest.fields import field_names
from cxloop.profiles.models import (
    ConsentRecord,
    CustomerRecord,
    Holding,
    Order,
    PreferenceRecord,
)
from cxloop.profiles.resolution import normalize as norm

KEY = ("workspace_id", "source_id", "external_id")
LINEAGE = journeys.LINEAGE  # the columns a superseded version keeps in raw_records


class Item(NamedTuple):
    """An accepted row on its way to storage: content (values in field order, then extras)."""

    content: tuple[Any, ...]
    digest: str
    line: int | None
    payload: str


@dataclass(frozen=True)
class Context:
    """What a projection needs besides the record: where it came from and when."""

    workspace_id: int
    source_id: int
    region: str
    received_at: datetime
    source_ids: dict[str, int]  # source name -> id, for customer_source references
    batch_id: int
    sqlite: bool = False

    @cached_property
    def received_db(self) -> Any:
        """The received time as the database takes it."""
        return self.dt(self.received_at)

    def dt(self, value: datetime | None) -> Any:
        """A timestamp as the database takes it."""
        return bulk.sqlite_datetime(value) if self.sqlite else value

    def dts(self, values: Sequence[datetime | None]) -> Sequence[Any]:
        """Timestamps as the database takes them (a column of them)."""
        if not self.sqlite:
            return values
        return bulk.sqlite_datetimes(values)

    def day(self, value: date | None) -> Any:
        """A date as the database takes it."""
        return value.isoformat() if self.sqlite and value is not None else value


def json_text(value: Any) -> str:
    """JSON text of a value for a JSON column."""
    return orjson.dumps(value).decode()


# DB-ready rows of accepted records, given their customer source ids and versions
Build = Callable[[Context, list["Item"], Sequence[int], Sequence[int]], list[tuple[Any, ...]]]


class Projection:
    """Where validated records of one entity are stored, and how (one table, one key)."""

    def __init__(self, entity: str, columns: Sequence[str], build: Build, table: Any = None):
        self.entity = entity
        self.columns = tuple(columns)
        self.build_rows = build
        self.table = table
        self.names = field_names(entity)
        self.ref_index = self.names.index("customer_source") if entity != "customer" else None

    def build(self, ctx: Context, item: Item, version: int, cs: int) -> tuple[Any, ...]:
        """The DB-ready row of one accepted record as ``version``."""
        return self.build_rows(ctx, [item], [cs], [version])[0]

    def customer_source(self, ctx: Context, content: tuple[Any, ...]) -> int | None:
        """The id of the source a record's customer reference points at (None: unknown)."""
        if self.ref_index is None:
            return ctx.source_id
        name = content[self.ref_index]
        return ctx.source_id if not name else ctx.source_ids.get(name)

    def current(self, session: Session, ctx: Context, exts: Sequence[str]) -> list[tuple[Any, ...]]:
        """``(external_id, id, content_hash, version, batch_id, line)`` of the stored records."""
        if self.table is None:
            return journeys.current_interactions(session, ctx.workspace_id, ctx.source_id, exts)
        cols = ("external_id", "id", "content_hash", "version", "batch_id", "line")
        where = {"workspace_id": ctx.workspace_id, "source_id": ctx.source_id}
        return bulk.bulk_select(session, self.table, cols, where, "external_id", exts)

    def lineage(self, session: Session, ids: Sequence[int]) -> list[tuple[Any, ...]]:
        """The lineage columns of stored rows, DB-ready, to keep them as superseded versions."""
        if self.table is None:
            return journeys.interaction_lineage(session, ids)
        return bulk.bulk_select(session, self.table, LINEAGE, {}, "id", ids)

    def insert(self, session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert new rows."""
        if self.table is None:
            journeys.insert_interactions(session, rows)
        else:
            bulk.bulk_insert(session, self.table, self.columns, rows)

    def insert_new(self, session: Session, rows: Sequence[tuple[Any, ...]]) -> bool:
        """Insert rows expected to be new; False, writing nothing, if one already exists."""
        if self.table is None:
            return journeys.insert_new_interactions(session, rows)
        return bulk.try_insert_new(session, self.table, self.columns, rows)

    def replace(self, session: Session, rows: Sequence[tuple[int, tuple[Any, ...]]]) -> None:
        """Replace stored rows ``(id, row)`` by their new version (the key columns stay)."""
        if self.table is None:
            journeys.replace_interactions(session, rows)
            return
        n = len(KEY)
        cols = self.columns[n:]
        bulk.bulk_update(session, self.table, cols, [(*row[n:], id_) for id_, row in rows])


def _lineage(ctx: Context, item: Item, version: int) -> dict[str, Any]:
    return {
        "workspace_id": ctx.workspace_id,
        "source_id": ctx.source_id,
        "external_id": item.content[0],
        "version": version,
        "content_hash": item.digest,
        "received_at": ctx.received_db,
        "payload": item.payload,
        "batch_id": ctx.batch_id,
        "line": item.line,
    }


def _values(entity: str, item: Item) -> dict[str, Any]:
    return dict(zip(field_names(entity), item.content, strict=False))


def customer_row(ctx: Context, item: Item, version: int, _cs: int) -> dict[str, Any]:
    """The customer_records row of a validated customer record (unresolved until matched)."""
    v = _values("customer", item)
    region = (v.get("country") or ctx.region or "US").upper()
    raw_name = v.get("full_name") or norm.name_from_parts(v.get("given_name"), v.get("family_name"))
    names = norm.normalize_name(raw_name, region)
    emails = [e for e in (norm.normalize_email(x) for x in v.get("emails") or []) if e]
    phones = [p for p in (norm.normalize_phone(x, region) for x in v.get("phones") or []) if p]
    address = " ".join(p for p in (v.get("address"), v.get("city")) if p) or None
    return _lineage(ctx, item, version) | {
        "source_updated_at": ctx.dt(v.get("updated_at")),
        "full_name": (names.display or raw_name or "")[:300],
        "name_key": names.key[:300],
        "name_latin": names.latin[:300],
        "given_name": (v.get("given_name") or names.given or "")[:200],
        "family_name": (v.get("family_name") or names.family or "")[:200],
        "emails": json_text(emails),
        "email_verified": bool(v.get("email_verified") or False),
        "phones": json_text(phones),
        "birth_date": ctx.day(v.get("birth_date")),
        "address": address,
        "address_key": norm.normalize_address(address),
        "postcode": norm.normalize_postcode(v.get("postcode"), region),
        "country": v.get("country") or (ctx.region or None),
        "language": v.get("language"),
        "tier": v.get("tier"),
        "segment": v.get("segment"),
        "customer_since": ctx.day(v.get("customer_since")),
        "refs": json_text(list(v.get("refs") or [])),
        "attributes": json_text(item.content[-1]),
        "resolved_at": None,
    }


def _ref(ctx: Context, item: Item, version: int, cs: int) -> dict[str, Any]:
    # customer_id is the second field of every entity that references a customer
    return _lineage(ctx, item, version) | {
        "customer_source_id": cs,
        "customer_ref": item.content[1],
    }


def holding_row(ctx: Context, item: Item, version: int, cs: int) -> dict[str, Any]:
    """The holdings row of a validated holding."""
    v = _values("holding", item)
    return _ref(ctx, item, version, cs) | {
        "product_code": v.get("product_code") or "",
        "product_name": v["product_name"],
        "category": v.get("category"),
        "status": v.get("status") or "active",
        "monthly_amount_minor": v.get("monthly_amount") or 0,
        "currency": v["currency"],
        "start_date": ctx.day(v.get("start_date")),
        "end_date": ctx.day(v.get("end_date")),
        "contract_end_date": ctx.day(v.get("contract_end_date")),
        "attributes": json_text(item.content[-1]),
    }


def order_row(ctx: Context, item: Item, version: int, cs: int) -> dict[str, Any]:
    """The orders row of a validated order."""
    v = _values("order", item)
    return _ref(ctx, item, version, cs) | {
        "ordered_at": ctx.dt(v["ordered_at"]),
        "amount_minor": v["amount"],
        "currency": v["currency"],
        "status": v.get("status") or "completed",
        "channel": v.get("channel"),
        "description": v.get("description"),
        "attributes": json_text(item.content[-1]),
    }


def consent_row(ctx: Context, item: Item, version: int, cs: int) -> dict[str, Any]:
    """The consents row of a validated consent."""
    v = _values("consent", item)
    return _ref(ctx, item, version, cs) | {
        "channel": v["channel"],
        "purpose": v["purpose"],
        "granted": v["granted"],
        "recorded_at": ctx.dt(v.get("recorded_at") or ctx.received_at),
        "note": v.get("note"),
    }


def preference_row(ctx: Context, item: Item, version: int, cs: int) -> dict[str, Any]:
    """The preferences row of a validated preference."""
    v = _values("preference", item)
    return _ref(ctx, item, version, cs) | {
        "preferred_channels": json_text(v.get("preferred_channels") or []),
        "language": v.get("language"),
        "max_surveys_per_month": v.get("max_surveys_per_month"),
        "quiet_hours": v.get("quiet_hours"),
        "timezone": v.get("timezone"),
        "recorded_at": ctx.dt(v.get("recorded_at") or ctx.received_at),
    }


def interaction_rows(
    ctx: Context, items: list[Item], css: Sequence[int], versions: Sequence[int]
) -> list[tuple[Any, ...]]:
    """Interactions rows (``journeys.INTERACTION_COLUMNS`` order), built column by column.

    Unpacks contents in the field order of ``fields.SPECS["interaction"]`` (a test holds both
    orders together).
    """
    n = len(items)
    if not n:
        return []
    contents, digests, lines, payloads = zip(*items, strict=True)
    (ext, ref, _, channel, kind, direction, started, ended, agent, team, issue, outcome) = zip(
        *(c[:12] for c in contents), strict=True
    )
    transferred = [c[12] is True for c in contents]
    text = [c[13] for c in contents]
    contexts = [_context_json(c[14], c[15]) for c in contents]
    inbound = [d or "inbound" for d in direction]
    return list(
        zip(
            repeat(ctx.workspace_id, n),
            repeat(ctx.source_id, n),
            ext,
            css,
            ref,
            versions,
            digests,
            channel,
            kind,
            inbound,
            ctx.dts(started),
            ctx.dts(ended),
            agent,
            team,
            issue,
            outcome,
            transferred,
            text,
            contexts,
            repeat(ctx.received_db, n),
            payloads,
            repeat(ctx.batch_id, n),
            lines,
            strict=True,
        )
    )


def _context_json(context: dict[str, Any] | None, extra: dict[str, Any]) -> str:
    """The stored context of an interaction: as given, with the source's extra fields."""
    if not extra:
        return json_text(context) if context else "{}"
    out = dict(context or {})
    out.setdefault("source_fields", extra)
    return json_text(out)


def _table_projection(entity: str, model: Any, build: Callable[..., dict[str, Any]]) -> Projection:
    table = model.__table__
    skip = ("id", "profile_id")  # profile_id is owned by identity resolution, never overwritten
    columns = [*KEY, *(c for c in table.columns.keys() if c not in (*skip, *KEY))]  # noqa: SIM118

    def rows(
        ctx: Context, items: list[Item], css: Sequence[int], versions: Sequence[int]
    ) -> list[tuple[Any, ...]]:
        out = []
        for item, cs, version in zip(items, css, versions, strict=True):
            d = build(ctx, item, version, cs)
            out.append(tuple(d[c] for c in columns))
        return out

    return Projection(entity, columns, rows, table)


PROJECTIONS = {
    "customer": _table_projection("customer", CustomerRecord, customer_row),
    "holding": _table_projection("holding", Holding, holding_row),
    "order": _table_projection("order", Order, order_row),
    "consent": _table_projection("consent", ConsentRecord, consent_row),
    "preference": _table_projection("preference", PreferenceRecord, preference_row),
    "interaction": Projection("interaction", journeys.INTERACTION_COLUMNS, interaction_rows),
}
