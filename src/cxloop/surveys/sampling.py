"""Sampling planner: how many responses (and invitations) a survey needs, and what precision it got.

A pure library: no database, no web. Every result is a frozen dataclass carrying each intermediate
figure (z, n0, the finite-population step, the rounding) so an interface can show the working.
Fractions are given as 0-1 (0.05, not 5). Formulas, sources: docs/surveys-sampling.md.

This module holds proportions and re-exports the whole planner: NPS in sampling_nps, stratified
plans in sampling_strata and sampling_precision, apportionment in sampling_apportion, shared
checks in sampling_core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxloop.surveys.sampling_apportion import bounded_quotas, largest_remainder
from cxloop.surveys.sampling_core import (
    INTEGER_TOLERANCE,
    SUM_TOLERANCE,
    InvitationPlan,
    SamplingError,
    ceil_count,
    check_count,
    check_open_unit,
    check_population,
    check_rate,
    check_unit,
    fpc_factor,
    invitations_for,
    invitations_needed,
    margin_for,
    plan_size,
    z_score,
)
from cxloop.surveys.sampling_nps import (
    NpsMargin,
    NpsSampleSizePlan,
    nps_margin_from_counts,
    nps_margin_of_error,
    nps_sample_size,
    nps_variance,
)
from cxloop.surveys.sampling_precision import (
    StratifiedMargins,
    StratumMargin,
    stratified_margins,
    total_for_overall_margin,
)
from cxloop.surveys.sampling_strata import (
    AllocationMethod,
    StratifiedPlan,
    Stratum,
    StratumAllocation,
    allocate_sample,
)

__all__ = [
    "INTEGER_TOLERANCE",
    "SUM_TOLERANCE",
    "AllocationMethod",
    "InvitationPlan",
    "MarginOfError",
    "NpsMargin",
    "NpsSampleSizePlan",
    "SampleSizePlan",
    "SamplingError",
    "StratifiedMargins",
    "StratifiedPlan",
    "Stratum",
    "StratumAllocation",
    "StratumMargin",
    "allocate_sample",
    "bounded_quotas",
    "ceil_count",
    "invitations_needed",
    "largest_remainder",
    "margin_of_error",
    "nps_margin_from_counts",
    "nps_margin_of_error",
    "nps_sample_size",
    "nps_variance",
    "sample_size_for_proportion",
    "stratified_margins",
    "total_for_overall_margin",
    "z_score",
]


@dataclass(frozen=True, slots=True)
class SampleSizePlan:
    """Responses needed to estimate a proportion within +/- margin, with the working."""

    margin: float
    confidence: float
    z: float
    proportion: float
    variance: float  # p(1 - p)
    population: int | None
    n0: float  # z² p(1-p) / e², before rounding (infinite population)
    n0_rounded: int  # n0 rounded up: the answer when the population is unknown or huge
    n_fpc: float | None  # n0 / (1 + (n0 - 1) / N), before rounding; None without N
    sample_size: int  # responses needed, rounded up (never more than N)
    achieved_margin: float  # the margin sample_size actually gives (<= margin)
    invitations: InvitationPlan | None
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MarginOfError:
    """Precision of a proportion estimated from a number of responses."""

    responses: int
    confidence: float
    z: float
    proportion: float
    variance: float  # p(1 - p)
    population: int | None
    fpc: float  # sqrt((N - n) / (N - 1)); 1 without N
    standard_error: float  # sqrt(p(1-p) / n) * fpc
    margin: float  # z * standard_error
    low: float  # proportion - margin, clipped to [0, 1]
    high: float  # proportion + margin, clipped to [0, 1]
    notes: tuple[str, ...]


def _rough(n: int, p: float) -> list[str]:
    if 0.0 < p < 1.0 and min(n * p, n * (1.0 - p)) < 10:
        return [
            "fewer than 10 expected responses on one side (n·p or n·(1-p) < 10): the normal "
            "approximation behind this margin is rough; treat it as indicative"
        ]
    return []


def sample_size_for_proportion(
    margin: float,
    confidence: float = 0.95,
    proportion: float = 0.5,
    population: int | None = None,
    response_rate: float | None = None,
) -> SampleSizePlan:
    """Responses (and invitations) needed to estimate a proportion within +/- margin."""
    e = check_open_unit("margin", margin)
    conf = check_open_unit("confidence", confidence)
    p = check_unit("proportion", proportion)
    pop = check_population(population)
    z = z_score(conf)
    variance = p * (1.0 - p)
    n0, n0_rounded, n_fpc, size, notes = plan_size(z, variance, e, pop)
    if 0.0 < p < 1.0 and e >= min(p, 1.0 - p):
        notes.append(
            f"the margin ({e:g}) is not smaller than the distance of the expected proportion "
            f"from 0 or 1 ({min(p, 1.0 - p):g}): the interval would cross it; use a smaller margin"
        )
    notes += _rough(size, p)
    return SampleSizePlan(
        margin=e,
        confidence=conf,
        z=z,
        proportion=p,
        variance=variance,
        population=pop,
        n0=n0,
        n0_rounded=n0_rounded,
        n_fpc=n_fpc,
        sample_size=size,
        achieved_margin=margin_for(z, variance, size, pop),
        invitations=None
        if response_rate is None
        else invitations_for(size, check_rate("response_rate", response_rate), pop),
        notes=tuple(notes),
    )


def margin_of_error(
    responses: int,
    confidence: float = 0.95,
    proportion: float = 0.5,
    population: int | None = None,
) -> MarginOfError:
    """Margin of error of a proportion estimated from a number of responses (FPC when N known)."""
    n = check_count("responses", responses, minimum=1)
    conf = check_open_unit("confidence", confidence)
    p = check_unit("proportion", proportion)
    pop = check_population(population)
    if pop is not None and pop < n:
        raise SamplingError("population", f"is {pop}, smaller than the {n} responses")
    z = z_score(conf)
    variance = p * (1.0 - p)
    fpc = fpc_factor(n, pop)
    se = math.sqrt(variance / n) * fpc
    m = z * se
    return MarginOfError(
        responses=n,
        confidence=conf,
        z=z,
        proportion=p,
        variance=variance,
        population=pop,
        fpc=fpc,
        standard_error=se,
        margin=m,
        low=max(0.0, p - m),
        high=min(1.0, p + m),
        notes=tuple(_rough(n, p)),
    )
