"""Request and response schemas of the website widget's keys (the answer itself is
``channels.widget.WidgetAnswer``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.core.params import IdField, Text

WidgetChannel = Literal["web", "app"]
MAX_ORIGINS = 50
MAX_SURVEYS = 50


class WidgetKeyCreate(BaseModel):
    """A new public key for the widget on a website or in an app."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100, description="Where it is used.")
    channel: WidgetChannel = Field(default="web", description="The channel answers are under.")
    surveys: list[IdField] = Field(
        min_length=1, max_length=MAX_SURVEYS, description="Ids of the surveys it may collect for."
    )
    origins: list[Text] = Field(
        default_factory=list,
        max_length=MAX_ORIGINS,
        description="Exact origins allowed to post answers, e.g. https://shop.example.",
    )
    customer_source: Text | None = Field(
        default=None,
        max_length=200,
        description="A source (name or id) whose external ids the page sends as `customer`: "
        "answers are then attached to that customer. Without it answers are anonymous.",
    )


class WidgetKeyUpdate(BaseModel):
    """Changes to a key; fields left out stay as they are (`customer_source: null` clears it)."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, min_length=1, max_length=100)
    channel: WidgetChannel | None = None
    surveys: list[IdField] | None = Field(default=None, min_length=1, max_length=MAX_SURVEYS)
    origins: list[Text] | None = Field(default=None, max_length=MAX_ORIGINS)
    customer_source: Text | None = Field(default=None, max_length=200)


class WidgetKeyRead(BaseModel):
    """A widget key as its managers see it (the key is public, so it is always shown)."""

    id: int
    public_key: str
    name: str
    channel: str
    surveys: list[int]
    origins: list[str]
    customer_source_id: int | None
    embed: str = Field(description="The script tag to paste into the site.")
    created_at: datetime
    updated_at: datetime
    revoked_at: datetime | None


class WidgetSurvey(BaseModel):
    """What widget.js shows for a survey, in one language."""

    survey: str
    language: str
    type: str
    question: str
    min: int
    max: int
    low: str | None
    high: str | None
    comment: bool = Field(description="Whether an optional comment can be given.")
