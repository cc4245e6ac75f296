"""Request schemas of the sampling planner (results are the planner's own dataclasses)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from cxloop.core.params import Text

Method = Literal["proportional", "equal", "shares", "neyman"]


class ProportionRequest(BaseModel):
    """How many responses for a margin of error on a proportion."""

    margin: float = Field(description="Margin of error as a fraction: 0.05 for ±5 points.")
    confidence: float = 0.95
    proportion: float = Field(
        default=0.5, description="Expected proportion; 0.5 is the worst case."
    )
    population: int | None = Field(
        default=None, description="Population size N (finite correction)."
    )
    response_rate: float | None = Field(default=None, description="Expected response rate, 0-1.")


class MarginRequest(BaseModel):
    """What margin of error a number of responses gives."""

    responses: int
    confidence: float = 0.95
    proportion: float = 0.5
    population: int | None = None


class NpsMarginRequest(BaseModel):
    """The margin of error of an NPS, from shares (0-1) or from counts."""

    responses: int | None = None
    promoters: float = Field(description="Share of promoters (0-1), or a count with passives.")
    detractors: float
    passives: int | None = Field(
        default=None, description="Given: promoters/detractors are counts."
    )
    confidence: float = 0.95
    population: int | None = None


class NpsSizeRequest(BaseModel):
    """Responses needed for an NPS margin in points (5 = ±5 NPS points)."""

    margin: float
    confidence: float = 0.95
    promoters: float | None = None
    detractors: float | None = None
    population: int | None = None
    response_rate: float | None = None


class StratumIn(BaseModel):
    """One stratum: give its population or its share of the population (or both)."""

    name: Text = Field(min_length=1, max_length=100)
    population: int | None = None
    share: float | None = None
    minimum: int = 0
    response_rate: float | None = None
    proportion: float = 0.5


class StratifiedRequest(BaseModel):
    """Split a total (or reach an overall margin) across strata."""

    strata: list[StratumIn] = Field(min_length=1, max_length=200)
    method: Method = "proportional"
    total: int | None = Field(default=None, description="Responses to allocate.")
    margin: float | None = Field(default=None, description="Or: the overall margin to reach.")
    confidence: float = 0.95
    response_rate: float | None = Field(default=None, description="For strata without their own.")
