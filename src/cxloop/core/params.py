"""Request parameter types shared by every API: ids are positive and fit a 64-bit column."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

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
