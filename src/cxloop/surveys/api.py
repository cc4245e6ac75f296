"""REST API of the sampling planner (any signed-in user may plan)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cxloop.auth.dependencies import CurrentActor
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import planner as service
from cxloop.surveys import sampling
from cxloop.surveys.schemas import (
    MarginRequest,
    NpsMarginRequest,
    NpsSizeRequest,
    ProportionRequest,
    StratifiedRequest,
)

router = APIRouter(prefix="/api/v1/sampling", tags=["sampling"], route_class=UnitOfWorkRoute)


@router.post("/sample-size", response_model=sampling.SampleSizePlan)
def sample_size(req: ProportionRequest, actor: CurrentActor) -> Any:
    """Responses (and invitations) needed for a margin of error, with the working."""
    return service.proportion(req)


@router.post("/margin", response_model=sampling.MarginOfError)
def margin(req: MarginRequest, actor: CurrentActor) -> Any:
    """The margin of error a number of responses gives."""
    return service.margin(req)


@router.post("/nps-margin", response_model=sampling.NpsMargin)
def nps_margin(req: NpsMarginRequest, actor: CurrentActor) -> Any:
    """The margin of error of an NPS, from shares or counts."""
    return service.nps_margin(req)


@router.post("/nps-sample-size", response_model=sampling.NpsSampleSizePlan)
def nps_sample_size(req: NpsSizeRequest, actor: CurrentActor) -> Any:
    """Responses needed for an NPS margin in points."""
    return service.nps_size(req)


@router.post("/stratified", response_model=sampling.StratifiedPlan)
def stratified(req: StratifiedRequest, actor: CurrentActor) -> Any:
    """Split a total across strata (or find the total for an overall margin), with invitations."""
    return service.stratified(req)
