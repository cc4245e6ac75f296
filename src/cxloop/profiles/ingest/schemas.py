"""Pydantic schemas of ingest."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.core.params import Text

SourceKind = Literal["crm", "billing", "support", "web", "app", "pos", "other"]
Region = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]  # the pattern also excludes NUL
Entity = Literal["customer", "holding", "order", "interaction", "consent", "preference"]


class SourceCreate(BaseModel):
    """A new source system."""

    name: Text = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    kind: SourceKind
    trust_rank: int = Field(default=5, ge=1, le=10, description="1 is the most trusted.")
    field_mapping: dict[Entity, dict[Text, Text]] = Field(
        default_factory=dict,
        description="Per entity: source column name -> canonical field name.",
    )
    default_region: Region | None = None
    timezone: Text = "UTC"


class SourceUpdate(BaseModel):
    """Changes to a source."""

    kind: SourceKind | None = None
    trust_rank: int | None = Field(default=None, ge=1, le=10)
    field_mapping: dict[Entity, dict[Text, Text]] | None = None
    default_region: Region | None = None
    timezone: Text | None = None
    is_active: bool | None = None


class SourceRead(BaseModel):
    """A source as shown to its users (never its webhook secret)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    trust_rank: int
    field_mapping: dict[str, dict[str, str]]
    default_region: str | None
    timezone: str
    is_active: bool
    created_at: datetime


class SourceCreated(SourceRead):
    """A source just created: the only time the webhook secret is shown."""

    webhook_secret: str


class RecordBatch(BaseModel):
    """A REST batch of records of one entity."""

    entity: Entity
    records: list[Any] = Field(description="Objects with canonical or mapped field names.")
    idempotency_key: Text | None = Field(default=None, max_length=200)


class RowError(BaseModel):
    """One rejected row: where and why."""

    line: int | None
    external_id: str | None
    errors: list[dict[str, str]]


class BatchReport(BaseModel):
    """What happened to a batch: accepted + rejected = received."""

    batch_id: int
    source: str
    entity: str
    status: str
    received: int
    accepted: int
    rejected: int
    created: int
    updated: int
    unchanged: int
    replayed: bool = False
    errors: list[RowError] = Field(default_factory=list)
    errors_truncated: bool = False
    resolution_job_id: int | None = None
    file_error: str | None = None


class BatchRead(BaseModel):
    """A stored batch."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    source_id: int
    entity: str
    channel: str
    filename: str | None
    idempotency_key: str | None
    status: str
    received: int
    accepted: int
    rejected: int
    created: int
    updated: int
    unchanged: int
    encoding: str | None
    error: str | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None


class RejectedRead(BaseModel):
    """A rejected record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    batch_id: int
    source_id: int
    entity: str
    line: int | None
    external_id: str | None
    errors: list[dict[str, str]]
    raw: str
    created_at: datetime
    resubmitted_at: datetime | None
