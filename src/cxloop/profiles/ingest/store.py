"""Versioned, idempotent storage of accepted records, and of rejected rows.

A record is identified by (source, entity, external id). The current version lives in the
projection row; a new version first copies the current one into ``raw_records`` and then
replaces it. The last delivery wins: a content equal to the current one changes nothing, and any
other content is a new version — also one equal to an older version (a consent withdrawn again,
a tier back to Gold). A batch sent again under its key (a re-send after a crash) changes
nothing either: its lines are stored in order and committed in order, so a line at or before
the last line of that batch already stored for the record was stored then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cxloop.core import bulk, clock
from cxloop.profiles.ingest.models import RawRecord, RejectedRecord
from cxloop.profiles.ingest.projections import LINEAGE, Context, Item, Projection, json_text

_RAW: Any = RawRecord.__table__
_REJECTED: Any = RejectedRecord.__table__
_RAW_COLUMNS = ("workspace_id", "source_id", "entity", *LINEAGE)


@dataclass
class Counts:
    """What storing a set of accepted records did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Reject:
    """A rejected row: where, which record, why, and its raw text (already made printable)."""

    line: int | None
    external_id: str | None
    errors: list[dict[str, str]]
    raw: str


Row = tuple[Any, ...]
SAMPLE = 32  # ids looked up before a block is inserted as new without checking every id


def store(
    session: Session, proj: Projection, ctx: Context, items: list[Item], rows: list[Row]
) -> Counts:
    """Store accepted records in order: new ones, new versions, and unchanged ones (no write).

    ``rows`` are the records' rows as first versions (built while preparing, in parallel).
    """
    counts = Counts()
    exts = [it.content[0] for it in items]
    if len(set(exts)) == len(exts):
        _store(session, proj, ctx, items, rows, exts, counts)
        return counts
    # an id repeats: store in rounds, so that its versions follow one another in order
    seen: dict[str, int] = {}
    rounds: list[list[int]] = []
    for i, ext in enumerate(exts):
        k = seen.get(ext, 0)
        seen[ext] = k + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(i)
    for part in rounds:
        sub = [items[i] for i in part]
        _store(session, proj, ctx, sub, [rows[i] for i in part], [exts[i] for i in part], counts)
    return counts


def _store(
    session: Session,
    proj: Projection,
    ctx: Context,
    items: list[Item],
    rows: list[Row],
    exts: list[str],
    counts: Counts,
) -> None:
    # A bulk load is mostly new records: if a sample of the ids is unknown, insert them all at
    # once and let the unique key catch any stored one (then nothing is written, and we check).
    sample = exts[:: max(1, len(exts) // SAMPLE)] + exts[-1:]
    if not proj.current(session, ctx, sample) and proj.insert_new(session, rows):
        counts.created += len(rows)
        return
    current = {r[0]: r for r in proj.current(session, ctx, exts)}
    if not current:  # all new: the common case of a bulk load
        proj.insert(session, rows)
        counts.created += len(rows)
        return
    done = _stored_lines(session, proj, ctx, items, current)
    new: list[Row] = []
    replaced: list[tuple[int, Row]] = []
    for it, row in zip(items, rows, strict=True):
        c = current.get(it.content[0])
        if c is None:
            new.append(row)
        elif c[2] == it.digest or (it.line is not None and done.get(c[0], 0) >= it.line):
            counts.unchanged += 1
        else:
            cs = proj.customer_source(ctx, it.content)
            assert cs is not None  # unknown customer sources were rejected before
            replaced.append((c[1], proj.build(ctx, it, c[3] + 1, cs)))
    if replaced:
        kept = proj.lineage(session, [id_ for id_, _ in replaced])
        raw = [(ctx.workspace_id, ctx.source_id, proj.entity, *r) for r in kept]
        bulk.bulk_insert(session, _RAW, _RAW_COLUMNS, raw)
        proj.replace(session, replaced)
    proj.insert(session, new)
    counts.created += len(new)
    counts.updated += len(replaced)


def _stored_lines(
    session: Session,
    proj: Projection,
    ctx: Context,
    items: list[Item],
    current: dict[str, tuple[Any, ...]],
) -> dict[str, int]:
    """Per record, the last line of this batch already stored for it (current or superseded)."""
    done = {c[0]: c[5] for c in current.values() if c[4] == ctx.batch_id and c[5] is not None}
    changed = [it.content[0] for it in items if _differs(current.get(it.content[0]), it)]
    if changed:
        where = {
            "workspace_id": ctx.workspace_id,
            "source_id": ctx.source_id,
            "entity": proj.entity,
            "batch_id": ctx.batch_id,
        }
        for ext, line in bulk.bulk_select(
            session, _RAW, ("external_id", "line"), where, "external_id", changed
        ):
            if line is not None:
                done[ext] = max(done.get(ext, 0), line)
    return done


def _differs(current: tuple[Any, ...] | None, item: Item) -> bool:
    return current is not None and current[2] != item.digest


_REJECT_COLUMNS = (
    "workspace_id",
    "source_id",
    "batch_id",
    "entity",
    "line",
    "external_id",
    "errors",
    "raw",
    "created_at",
)


def store_rejects(
    session: Session, ctx: Context, entity: str, batch_id: int, rejects: list[Reject]
) -> None:
    """Keep rejected rows with their batch, line, fields and reasons (to fix and re-send)."""
    if not rejects:
        return
    at = ctx.dt(clock.now())
    rows = [
        (
            ctx.workspace_id,
            ctx.source_id,
            batch_id,
            entity,
            r.line,
            r.external_id,
            json_text(r.errors),
            r.raw,
            at,
        )
        for r in rejects
    ]
    bulk.bulk_insert(session, _REJECTED, _REJECT_COLUMNS, rows)
