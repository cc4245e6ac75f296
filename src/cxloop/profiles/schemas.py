"""Pydantic schemas of the profile domain (shared by the API and the pages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from cxloop.core.params import IdField, Text


class Amount(BaseModel):
    """Money in minor units with its currency."""

    currency: str
    amount_minor: int


class SearchHit(BaseModel):
    """A profile found by search."""

    id: int
    display_name: str
    email: str | None
    phone: str | None
    tier: str | None
    region: str | None
    records: int
    matched_on: str


class RecordView(BaseModel):
    """A source record of a customer."""

    id: int
    source: str
    source_kind: str
    trust_rank: int
    external_id: str
    version: int
    received_at: datetime
    full_name: str
    emails: list[str | None]
    phones: list[str | None]
    birth_date: date | None
    address: str | None
    tier: str | None
    profile_id: int | None = Field(None, description="The customer the record belongs to")


class Product(BaseModel):
    """A product or subscription held."""

    id: int
    source: str
    product_code: str
    product_name: str
    category: str | None
    status: str
    monthly_amount_minor: int
    currency: str
    start_date: date | None
    end_date: date | None
    contract_end_date: date | None


class TimelineTheme(BaseModel):
    """A theme an open answer mentions."""

    id: int
    label: str


class TimelineAnalysis(BaseModel):
    """What text analytics found in one open survey answer."""

    comment_id: int = Field(description="The analysed comment (``/api/v1/text/comments/{id}``)")
    language: str
    sentiment: str
    score: float
    themes: list[TimelineTheme]
    model_version: str


class TimelineAnswer(BaseModel):
    """One open answer of a survey response, with its own sentiment and themes."""

    answer_id: int
    question_key: str
    question: str
    text: str = Field(description="As written with profiles.pii, else redacted")
    redacted: bool
    analysis: TimelineAnalysis | None = Field(description="None until analysed")


class TimelineItem(BaseModel):
    """One interaction with its context."""

    id: int
    source: str
    external_id: str
    channel: str
    type: str
    direction: str
    started_at: datetime
    ended_at: datetime | None
    minutes: float | None
    agent: str | None
    team: str | None
    issue_key: str | None
    outcome: str | None
    transferred: bool
    text: str | None = Field(
        description="The customer's words; personal data redacted unless the caller holds "
        "profiles.pii"
    )
    text_redacted: bool = Field(False, description="Whether ``text`` is the redacted text")
    sentiment: str | None = Field(
        None,
        description="negative | neutral | positive, once analysed; for a survey response the "
        "sentiment of its open answers if they agree, else mixed",
    )
    context: dict[str, Any]
    answers: list[TimelineAnswer] | None = Field(
        None,
        description="A survey response's open answers, each analysed on its own (None: not a "
        "survey response)",
    )


class TimelinePage(BaseModel):
    """A page of a customer's interactions, newest first."""

    items: list[TimelineItem]
    total: int = Field(description="How many interactions the customer has (on the channel)")
    has_more: bool = Field(description="Whether older interactions follow this page")
    next_before: str | None = Field(
        description="Pass as ``before`` to read the next older page (None: this is the last)"
    )


class Customer360(BaseModel):
    """The whole customer in one document."""

    id: int
    status: str
    display_name: str
    tier: str | None
    region: str | None
    language: str | None
    owner_user_id: int | None
    golden: dict[str, dict[str, Any]] = Field(
        description="Attribute -> value with provenance (source, record, rule, alternatives)."
    )
    records: list[RecordView]
    products: list[Product]
    monthly_spend: list[Amount]
    lifetime_value: list[Amount]
    orders: dict[str, Any]
    customer_since: date | None
    tenure_months: int | None
    timeline: list[TimelineItem] = Field(
        description="The newest interactions (up to 100); the older ones through "
        "``/api/v1/customers/{id}/timeline?before=timeline_next_before``"
    )
    timeline_total: int = Field(description="How many interactions the customer has in all")
    timeline_has_more: bool = Field(description="Whether older interactions are not in timeline")
    timeline_next_before: str | None = Field(
        description="Cursor of the next older page of the timeline (None: there is none)"
    )
    effort: dict[str, Any]
    consents: list[dict[str, Any]]
    preferences: list[dict[str, Any]]
    merges: list[dict[str, Any]]
    cases: Any = Field(default=None, description="Open cases (filled by the closed loop).")
    feedback: Any = Field(default=None, description="Feedback and sentiment (filled by surveys).")
    churn_risk: Any = Field(default=None, description="Churn risk (filled by insights).")


class ReviewReason(BaseModel):
    """Why a match waits for a person although it scored above the auto-merge threshold."""

    code: str = Field(
        description="different_contact, different_name, different_country (other: unknown)"
    )
    params: dict[str, Any] = Field(
        description="Details by code: script (different_name), countries (different_country)"
    )
    message: str = Field(description="The reason in English")


class LinkView(BaseModel):
    """A scored match between two source records and why."""

    id: int
    status: str
    method: str
    probability: float
    match_weight: float
    comparison: dict[str, Any]
    review_reason: ReviewReason | None = Field(
        default=None, description="Why the match was held for review instead of merged"
    )
    decided_by: str | None
    decided_at: datetime | None
    record_a: RecordView | None
    record_b: RecordView | None


class MergeRequest(BaseModel):
    """Merge another customer into this one."""

    other_id: IdField


class MergeView(BaseModel):
    """A merge and whether it was undone."""

    id: int
    survivor_id: int
    absorbed_id: int
    reason: str
    record_ids: list[int]
    actor: str
    created_at: datetime
    undone_at: datetime | None
    undone_by: str | None


class OwnerRequest(BaseModel):
    """Assign an account manager (null clears it)."""

    user_id: IdField | None


SOURCE_REF_MAX = 64
"""The longest reference to a source: its name (at most 64 characters) or its id (19 digits)."""


class IdentitySettings(BaseModel):
    """Thresholds and survivorship rules of the workspace."""

    auto_threshold: float | None = Field(default=None, gt=0, lt=1)
    review_threshold: float | None = Field(default=None, gt=0, lt=1)
    survivorship: dict[Text, Text] | None = None
    unique_sources: list[Annotated[Text, Field(max_length=SOURCE_REF_MAX)]] | None = Field(
        default=None, description="Sources holding at most one record per person (name or id)."
    )


class JobView(BaseModel):
    """A background job."""

    id: int
    kind: str
    status: str
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None
    error: str | None
