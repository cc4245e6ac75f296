"""Downloads of rejected rows, safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from cxloop.profiles.ingest.models import RejectedRecord

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_FORMULA = tuple("'" + c for c in _FORMULA_START)


def spreadsheet_safe(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe (OWASP)."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_unescaped(value: str) -> str:
    """A cell of a download as it was before ``spreadsheet_safe`` (read back on upload)."""
    return value[1:] if value.startswith(_ESCAPED_FORMULA) else value


def _row_object(rec: RejectedRecord) -> dict[str, Any] | None:
    try:
        value = orjson.loads(rec.raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _errors_text(rec: RejectedRecord) -> str:
    return "; ".join(f"{e.get('field')}: {e.get('reason')}" for e in rec.errors)


def rejected_jsonl(records: Iterable[RejectedRecord]) -> Iterator[bytes]:
    """JSON Lines of the rejected rows as sent (fix and re-upload), errors in ``_errors``."""
    for rec in records:
        obj = _row_object(rec)
        out: dict[str, Any] = dict(obj) if obj is not None else {"_raw": rec.raw}
        out["_line"] = rec.line
        out["_errors"] = _errors_text(rec)
        yield orjson.dumps(out) + b"\n"


def rejected_csv(records: list[RejectedRecord]) -> str:
    """CSV of the rejected rows: their fields, then ``_line`` and ``_errors``."""
    objects = [(rec, _row_object(rec)) for rec in records]
    columns: list[str] = []
    for _rec, obj in objects:
        for key in obj or {"_raw": ""}:
            if key not in columns:
                columns.append(key)
    columns += ["_line", "_errors"]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for rec, obj in objects:
        values: dict[str, Any] = dict(obj) if obj is not None else {"_raw": rec.raw}
        values["_line"] = rec.line
        values["_errors"] = _errors_text(rec)
        row = []
        for col in columns:
            v = values.get(col, "")
            text = v if isinstance(v, str) else ("" if v is None else orjson.dumps(v).decode())
            row.append(spreadsheet_safe(text))
        writer.writerow(row)
    return buf.getvalue()
