"""Schemas of surveys (definitions, links, responses) and of the sampling planner's requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from cxloop.core.params import IdField, Text
from cxloop.surveys.definition import PIPE_FIELDS, Definition, Lang
from cxloop.surveys.sampling_core import (
    MAX_CONFIDENCE,
    MAX_COUNT,
    MIN_CONFIDENCE,
    MIN_MARGIN,
    MIN_RATE,
    SamplingError,
    check_open_unit,
    check_rate,
    check_unit,
)

LinkKind = Literal["personal", "public", "kiosk"]
Channel = Literal["web", "email", "sms", "app", "store", "phone", "chat", "social", "api"]
AnswerValue = int | Text | list[Text]
PipeField = Literal["first_name", "last_name", "full_name", "product", "tier", "location"]
assert set(PIPE_FIELDS) == set(PipeField.__args__)  # type: ignore[attr-defined]


class SurveyCreate(BaseModel):
    """A new survey (also the import/export file format)."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=200)
    definition: Definition


class SurveyUpdate(BaseModel):
    """Changes to a survey; a new definition makes a new version once the current one has
    responses."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, min_length=1, max_length=200)
    definition: Definition | None = None


class Estimate(BaseModel):
    """Estimated time to complete and the builder's warnings (never blocking)."""

    seconds: int
    minutes: float
    warnings: list[dict[str, Any]]


class SurveySummary(BaseModel):
    """A survey in a list."""

    id: int
    name: str
    status: str
    version: int
    questions: int
    languages: list[str]
    responses: int
    created_at: datetime
    updated_at: datetime


class SurveyRead(SurveySummary):
    """A survey with its current definition."""

    published_at: datetime | None
    closed_at: datetime | None
    versions: int
    estimate: Estimate
    definition: dict[str, Any]


class VersionRead(BaseModel):
    """One version of a survey."""

    number: int
    created_at: datetime
    updated_at: datetime
    responses: int
    current: bool
    definition: dict[str, Any]


class SurveyExport(BaseModel):
    """The survey as a file ``cxloop surveys import`` reads back."""

    name: str
    version: int
    definition: dict[str, Any]


class LinkCreate(BaseModel):
    """A link to answer the survey."""

    model_config = ConfigDict(extra="forbid")

    kind: LinkKind = "personal"
    profile_id: IdField | None = Field(default=None, description="The customer (personal).")
    channel: Channel = "web"
    location: Text | None = Field(
        default=None, max_length=200, description="Where a kiosk or QR code stands."
    )
    expires_in_days: int | None = Field(default=None, ge=1, le=366)
    fields: dict[PipeField, Text] = Field(
        default_factory=dict, description="Values piped into {{placeholders}} (e.g. product)."
    )


class LinkQr(BaseModel):
    """A QR code of a public or kiosk link: the caller proves it holds the link's token."""

    model_config = ConfigDict(extra="forbid")

    token: Text = Field(min_length=16, max_length=200, description="The link's token.")
    location: Text | None = Field(
        default=None, max_length=64, description="A location tag added as ?loc= (store-12)."
    )
    format: Literal["png", "svg"] = "png"
    scale: int = Field(default=10, ge=1, le=40, description="Pixels per module.")


class LinkCreated(BaseModel):
    """A new link: its token is shown only this once."""

    id: int
    kind: str
    channel: str
    location: str | None
    version: int | None
    expires_at: datetime | None
    token: str
    path: str
    url: str


class ResponseSubmit(BaseModel):
    """A whole response sent by another system (an IVR, an app)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[Text, AnswerValue]
    profile_id: IdField | None = None
    channel: Channel = "api"
    language: Lang | None = None
    location: Text | None = Field(default=None, max_length=200)
    version: int | None = Field(default=None, ge=1, le=1_000_000)


class RespondSubmit(BaseModel):
    """A whole response through a survey link (the token is the credential)."""

    model_config = ConfigDict(extra="forbid")

    token: Text = Field(min_length=16, max_length=200)
    answers: dict[Text, AnswerValue]
    language: Lang | None = None


class ThemeRef(BaseModel):
    """A theme an open answer mentions."""

    id: int
    label: str


class AnswerAnalysis(BaseModel):
    """What text analytics found in one open answer (each is analysed on its own)."""

    comment_id: int = Field(description="The analysed comment (``/api/v1/text/comments/{id}``)")
    language: str
    sentiment: Literal["negative", "neutral", "positive"]
    score: float = Field(description="P(positive) - P(negative), in [-1, 1]")
    themes: list[ThemeRef]
    model_version: str


class ResponseRead(BaseModel):
    """A response and its answers."""

    id: int
    survey_id: int
    version: int
    status: str
    channel: str
    location: str | None
    language: str
    profile_id: int | None
    started_at: datetime
    completed_at: datetime | None
    answers: dict[str, Any] = Field(
        description="By question key; open answers redacted unless the caller holds profiles.pii"
    )
    analysis: dict[str, AnswerAnalysis | None] = Field(
        default_factory=dict,
        description="Per open answer (question key): its sentiment and themes (None until "
        "analysed, usually within a second)",
    )
    text_redacted: bool = Field(False, description="Whether the open answers are redacted")


class OpenAnswer(BaseModel):
    """One open answer with its own sentiment and themes."""

    answer_id: int
    response_id: int
    profile_id: int | None
    question_key: str
    question: str
    answered_at: datetime
    text: str = Field(description="As written with profiles.pii, else redacted")
    redacted: bool
    analysis: AnswerAnalysis | None = Field(description="None until analysed")


class QuestionThemes(BaseModel):
    """A theme among one question's answers."""

    id: int
    label: str
    mentions: int
    negative: int = Field(description="Mentions in answers whose sentiment is negative")


class OpenQuestionResult(BaseModel):
    """One open question: how many answered it, and the sentiment and themes of the answers."""

    key: str
    question: str
    answered: int
    analysed: int
    sentiment: dict[str, int] = Field(description="Analysed answers per sentiment")
    avg_score: float | None
    themes: list[QuestionThemes] = Field(description="The five themes mentioned most")


class OpenResults(BaseModel):
    """The open questions of a survey (current ones first, then removed ones with answers)."""

    survey_id: int
    name: str
    questions: list[OpenQuestionResult]


Method = Literal["proportional", "equal", "shares", "neyman"]


def _as_planner(check: Callable[[str, object], float], field: str) -> BeforeValidator:
    """Refuse what the planner refuses with its reason ("did you mean 0.05?" for a percentage)."""

    def run(value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                check(field, value)
            except SamplingError as exc:
                reason = {"reason": exc.reason}
                raise PydanticCustomError("sampling_range", "{reason}", reason) from None
        return value

    return BeforeValidator(run)


Margin = Annotated[
    float,
    Field(
        ge=MIN_MARGIN,
        lt=1,
        description=f"Margin of error as a fraction: 0.05 for ±5 points ({MIN_MARGIN:g} to <1).",
    ),
    _as_planner(check_open_unit, "margin"),
]
Confidence = Annotated[
    float,
    Field(
        ge=MIN_CONFIDENCE,
        le=MAX_CONFIDENCE,
        description=f"Confidence level as a fraction, {MIN_CONFIDENCE:g} to {MAX_CONFIDENCE:g}.",
    ),
    _as_planner(check_open_unit, "confidence"),
]
Proportion = Annotated[
    float,
    Field(ge=0, le=1, description="Expected proportion, 0-1; 0.5 is the worst case."),
    _as_planner(check_unit, "proportion"),
]
Share = Annotated[float, Field(ge=0, le=1), _as_planner(check_unit, "share")]
Rate = Annotated[
    float,
    Field(ge=MIN_RATE, le=1, description=f"Expected response rate, {MIN_RATE:g} to 1."),
    _as_planner(check_rate, "response_rate"),
]
Population = Annotated[
    int, Field(ge=1, le=MAX_COUNT, description=f"Population size N, 1 to {MAX_COUNT:,}.")
]
Responses = Annotated[int, Field(ge=1, le=MAX_COUNT, description=f"1 to {MAX_COUNT:,}.")]
NpsPoints = Annotated[
    float,
    Field(
        ge=MIN_MARGIN * 100,
        lt=200,
        description=f"Margin in NPS points: 5 for ±5 ({MIN_MARGIN * 100:g} to <200).",
    ),
]
NpsPart = Annotated[
    float,
    Field(ge=0, le=MAX_COUNT, description="A share (0-1), or a count when passives are given."),
]


class ProportionRequest(BaseModel):
    """How many responses for a margin of error on a proportion."""

    margin: Margin
    confidence: Confidence = 0.95
    proportion: Proportion = 0.5
    population: Population | None = Field(
        default=None, description="Population size N (finite correction)."
    )
    response_rate: Rate | None = None


class MarginRequest(BaseModel):
    """What margin of error a number of responses gives."""

    responses: Responses
    confidence: Confidence = 0.95
    proportion: Proportion = 0.5
    population: Population | None = None


class NpsMarginRequest(BaseModel):
    """The margin of error of an NPS, from shares (0-1) or from counts."""

    responses: Responses | None = None
    promoters: NpsPart
    detractors: NpsPart
    passives: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = Field(
        default=None, description="Given: promoters/detractors are counts."
    )
    confidence: Confidence = 0.95
    population: Population | None = None


class NpsSizeRequest(BaseModel):
    """Responses needed for an NPS margin in points (5 = ±5 NPS points)."""

    margin: NpsPoints
    confidence: Confidence = 0.95
    promoters: Share | None = None
    detractors: Share | None = None
    population: Population | None = None
    response_rate: Rate | None = None


class StratumIn(BaseModel):
    """One stratum: give its population or its share of the population (or both)."""

    name: Text = Field(min_length=1, max_length=100)
    population: Population | None = None
    share: Share | None = None
    minimum: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 0
    response_rate: Rate | None = None
    proportion: Proportion = 0.5


class StratifiedRequest(BaseModel):
    """Split a total (or reach an overall margin) across strata."""

    strata: list[StratumIn] = Field(min_length=1, max_length=200)
    method: Method = "proportional"
    total: Responses | None = Field(default=None, description="Responses to allocate.")
    margin: Margin | None = Field(default=None, description="Or: the overall margin to reach.")
    confidence: Confidence = 0.95
    response_rate: Rate | None = Field(default=None, description="For strata without their own.")
