"""Running the sampling planner for the API, the CLI and the page (one place for the rules)."""

from __future__ import annotations

from typing import Any

from cxloop.core.errors import Invalid, from_validation
from cxloop.surveys import sampling
from cxloop.surveys.schemas import (
    MarginRequest,
    NpsMarginRequest,
    NpsSizeRequest,
    ProportionRequest,
    StratifiedRequest,
)


def field_error(field: str, reason: str) -> Invalid:
    """An input the planner refuses, naming the field and the reason."""
    return Invalid("sampling.invalid", f"{field}: {reason}", {"field": field, "reason": reason})


def _invalid(exc: sampling.SamplingError) -> Invalid:
    return field_error(exc.field, exc.reason)


def invalid_input(exc: Exception) -> Invalid:
    """An input the forms could not even parse (not a number, a bad stratum row)."""
    return from_validation(exc, "sampling.invalid")


def proportion(req: ProportionRequest) -> sampling.SampleSizePlan:
    """Sample size for a proportion."""
    try:
        return sampling.sample_size_for_proportion(
            req.margin, req.confidence, req.proportion, req.population, req.response_rate
        )
    except sampling.SamplingError as exc:
        raise _invalid(exc) from exc


def margin(req: MarginRequest) -> sampling.MarginOfError:
    """Margin of error for a number of responses."""
    try:
        return sampling.margin_of_error(
            req.responses, req.confidence, req.proportion, req.population
        )
    except sampling.SamplingError as exc:
        raise _invalid(exc) from exc


def nps_margin(req: NpsMarginRequest) -> sampling.NpsMargin:
    """Margin of error of an NPS."""
    try:
        if req.passives is not None:
            return sampling.nps_margin_from_counts(
                _count("promoters", req.promoters),
                req.passives,
                _count("detractors", req.detractors),
                req.confidence,
                req.population,
            )
        if req.responses is None:
            raise sampling.SamplingError("responses", "is required with promoter/detractor shares")
        return sampling.nps_margin_of_error(
            req.promoters, req.detractors, req.responses, req.confidence, req.population
        )
    except sampling.SamplingError as exc:
        raise _invalid(exc) from exc


def _count(field: str, value: float) -> int:
    if value != int(value) or value < 0:
        raise sampling.SamplingError(field, "must be a whole number of respondents with passives")
    return int(value)


def nps_size(req: NpsSizeRequest) -> sampling.NpsSampleSizePlan:
    """Responses needed for an NPS precision."""
    try:
        return sampling.nps_sample_size(
            req.margin,
            req.confidence,
            req.promoters,
            req.detractors,
            req.population,
            req.response_rate,
        )
    except sampling.SamplingError as exc:
        raise _invalid(exc) from exc


def stratified(req: StratifiedRequest) -> sampling.StratifiedPlan:
    """A stratified plan for a total, or the smallest total reaching an overall margin."""
    strata = [sampling.Stratum(**s.model_dump()) for s in req.strata]
    try:
        if (req.total is None) == (req.margin is None):
            raise sampling.SamplingError("total", "give either a total or an overall margin")
        if req.total is not None:
            return sampling.allocate_sample(
                strata, req.total, req.method, req.confidence, req.response_rate
            )
        assert req.margin is not None
        return sampling.total_for_overall_margin(
            strata, req.margin, req.method, req.confidence, req.response_rate
        )
    except sampling.SamplingError as exc:
        raise _invalid(exc) from exc


def as_dict(result: Any) -> dict[str, Any]:
    """A planner result as plain JSON-ready data."""
    from dataclasses import asdict

    return asdict(result)
