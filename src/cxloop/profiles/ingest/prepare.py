"""From parsed rows to storable items and rejects: validation, content hash, payload (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from cxloop.profiles.ingest.columns import ColumnValidator
from cxloop.profiles.ingest.parsing import ParsedRow, printable
from cxloop.profiles.ingest.projections import Context, Item, Projection
from cxloop.profiles.ingest.store import Reject
from cxloop.profiles.ingest.validation import FieldError, Validator, content_hash

MAX_RAW_CHARS = 1_200_000


@dataclass
class Prepared:
    """A chunk of rows, validated: accepted items and rejected rows, both in line order."""

    received: int = 0
    items: list[Item] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # DB-ready, as first versions
    rejects: list[Reject] = field(default_factory=list)

    def extend(self, other: Prepared) -> None:
        """Append a following chunk (to store several in one go)."""
        self.received += other.received
        self.items += other.items
        self.rows += other.rows
        self.rejects += other.rejects


def stored_raw(raw: str) -> str:
    """The raw text of a rejected row as kept: printable, and cut past ``MAX_RAW_CHARS``."""
    stored = printable(raw)
    if len(stored) > MAX_RAW_CHARS:
        stored = stored[:MAX_RAW_CHARS] + f"\n[truncated: {len(raw):,} characters in all]"
    return stored


def _raw_of(pr: ParsedRow) -> str:
    """The rejected row as a JSON object with its source field names (re-submittable)."""
    if pr.row is not None:
        try:
            return orjson.dumps(pr.row).decode()
        except (TypeError, orjson.JSONEncodeError):
            pass
    return pr.raw


def _ext_of(row: dict[str, Any]) -> str | None:
    ext = row.get("external_id") or row.get("id")
    return printable(str(ext)[:200])[:200] if isinstance(ext, str | int) else None


def _errors_of(errors: list[FieldError]) -> list[dict[str, str]]:
    """The errors of a row as kept: field names from the row made printable, as its raw text."""
    return [{"field": printable(e.field), "reason": printable(e.reason)} for e in errors]


class Preparer:
    """Prepares chunks of one batch (entity, source mapping, time zone, region)."""

    def __init__(self, validator: Validator, proj: Projection, ctx: Context) -> None:
        self.columns = ColumnValidator(validator)
        self.proj = proj
        self.ctx = ctx

    def prepare(self, chunk: list[ParsedRow]) -> Prepared:
        """Validate a chunk; hash and wrap what is accepted, explain what is not."""
        out = Prepared(received=len(chunk))
        css: list[int] = []
        rows = [pr.row for pr in chunk if pr.error is None and pr.row is not None]
        results = iter(self.columns.validate(rows))
        for pr in chunk:
            if pr.error is not None or pr.row is None:
                reason = pr.error or "is empty"
                err = [{"field": "(row)", "reason": reason}]
                out.rejects.append(Reject(pr.line, None, err, stored_raw(pr.raw)))
                continue
            res = next(results)
            if not isinstance(res, tuple):
                errors = _errors_of(res)
                out.rejects.append(
                    Reject(pr.line, _ext_of(pr.row), errors, stored_raw(_raw_of(pr)))
                )
                continue
            cs = self.proj.customer_source(self.ctx, res)
            if cs is None:
                name = res[self.proj.names.index("customer_source")]
                reason = f"names no source of this workspace ({name!r})"
                err = [{"field": "customer_source", "reason": reason}]
                out.rejects.append(Reject(pr.line, res[0], err, stored_raw(_raw_of(pr))))
                continue
            payload = pr.raw if pr.json else orjson.dumps(pr.row).decode()
            out.items.append(Item(res, content_hash(res), pr.line, payload))
            css.append(cs)
        out.rows = self.proj.build_rows(self.ctx, out.items, css, [1] * len(css))
        return out
