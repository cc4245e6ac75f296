"""Columns every table fed by a source system carries: where and when each row came from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.clock import now
from cxloop.core.types import IdType, UTCDateTime


class LineageColumns:
    """Received time, the row exactly as received, and the batch and line it arrived in."""

    # sort_order keeps these columns last in CREATE TABLE, after the columns of the table itself.

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, sort_order=1)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, sort_order=1)
    batch_id: Mapped[int | None] = mapped_column(IdType, nullable=True, sort_order=1)
    line: Mapped[int | None] = mapped_column(nullable=True, sort_order=1)
