"""Request parameter types shared by every API: ids fit a 64-bit column, text holds no NUL."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field

MAX_ID = 2**63 - 1

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A record id in the URL path."""

IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
"""An optional record id in the query string."""

IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A record id in a JSON body."""

Offset = Annotated[int, Query(ge=0, le=10_000_000)]
"""How many rows to skip when paging."""

Page = Annotated[int, Query(ge=1, le=100_000)]
"""A page number (pages of the web UI)."""


def reject_nul(value: str) -> str:
    """Refuse text holding a NUL character, which no database column can store."""
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000), which cannot be stored")
    return value


Text = Annotated[str, AfterValidator(reject_nul)]
"""Any text a request carries into storage: refused with a field error when it holds a NUL."""


def parse_int(raw: object, digits: int = 18) -> int | None:
    """An optionally signed ASCII decimal of at most ``digits`` digits, else None.

    ``str.isdigit`` alone is not enough before ``int()``: it accepts "²" (which ``int`` refuses)
    and any length (``int`` refuses more than 4,300 digits; a 64-bit column fewer than 20).
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    body = text[1:] if text[:1] in ("-", "+") else text
    if not (body.isascii() and body.isdigit() and len(body) <= digits):
        return None
    return int(text)
