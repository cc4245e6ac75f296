"""Net Promoter Score precision: its margin of error, and the responses a target precision needs.

Each respondent scores +1 (promoter, 9-10), 0 (passive, 7-8) or -1 (detractor, 0-6); the NPS is
100 times their mean, so its variance per respondent is E[X²] - E[X]² = (pP + pD) - (pP - pD)².
Margins are in NPS points (-100..100). See docs/surveys-sampling.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxloop.surveys.sampling_core import (
    MAX_COUNT,
    MIN_MARGIN,
    SUM_TOLERANCE,
    InvitationPlan,
    SamplingError,
    check_count,
    check_open_unit,
    check_population,
    check_rate,
    check_real,
    check_unit,
    fpc_factor,
    invitations_for,
    margin_for,
    plan_size,
    z_score,
)


@dataclass(frozen=True, slots=True)
class NpsMargin:
    """Precision of a Net Promoter Score (in NPS points, -100..100)."""

    responses: int
    confidence: float
    z: float
    promoters: float  # shares, 0-1
    passives: float
    detractors: float
    population: int | None
    nps: float  # 100 (pP - pD)
    variance: float  # per respondent, on the -1/0/+1 scale: (pP + pD) - (pP - pD)²
    fpc: float  # sqrt((N - n) / (N - 1)); 1 without N
    standard_error: float  # in points: 100 sqrt(variance / n) * fpc
    margin: float  # in points: z * standard_error
    low: float  # nps - margin, clipped to [-100, 100]
    high: float  # nps + margin, clipped to [-100, 100]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NpsSampleSizePlan:
    """Responses needed to measure an NPS within +/- margin points, with the working."""

    margin: float  # NPS points, e.g. 5 for +/-5
    confidence: float
    z: float
    promoters: float  # expected shares used for the variance
    detractors: float
    expected_nps: float
    variance: float  # per respondent; 1 is the worst case (half promoters, half detractors)
    population: int | None
    n0: float  # z² variance / (margin / 100)², before rounding
    n0_rounded: int
    n_fpc: float | None  # n0 / (1 + (n0 - 1) / N), before rounding; None without N
    sample_size: int
    achieved_margin: float  # points, <= margin
    invitations: InvitationPlan | None
    notes: tuple[str, ...]


def _shares(promoters: object, detractors: object) -> tuple[float, float, float]:
    pp = check_unit("promoters", promoters)
    pd = check_unit("detractors", detractors)
    if pp + pd > 1.0 + SUM_TOLERANCE:
        raise SamplingError(
            "detractors",
            f"promoters ({pp:g}) and detractors ({pd:g}) add up to {pp + pd:g}, more than 1",
        )
    return pp, max(0.0, 1.0 - pp - pd), pd


def nps_variance(promoters: float, detractors: float) -> float:
    """Variance of one respondent's -1/0/+1 score: (pP + pD) - (pP - pD)²."""
    pp, _, pd = _shares(promoters, detractors)
    return max(0.0, (pp + pd) - (pp - pd) ** 2)


def nps_margin_of_error(
    promoters: float,
    detractors: float,
    responses: int,
    confidence: float = 0.95,
    population: int | None = None,
) -> NpsMargin:
    """Margin of error (NPS points) of an NPS from promoter and detractor shares."""
    pp, p0, pd = _shares(promoters, detractors)
    n = check_count("responses", responses, minimum=1)
    conf = check_open_unit("confidence", confidence)
    pop = check_population(population)
    if pop is not None and pop < n:
        raise SamplingError("population", f"is {pop}, smaller than the {n} responses")
    z = z_score(conf)
    variance = nps_variance(pp, pd)
    fpc = fpc_factor(n, pop)
    se = 100.0 * math.sqrt(variance / n) * fpc
    m = z * se
    nps = 100.0 * (pp - pd)
    notes = []
    if n < 30:
        notes.append("fewer than 30 responses: the normal approximation behind this is rough")
    return NpsMargin(
        responses=n,
        confidence=conf,
        z=z,
        promoters=pp,
        passives=p0,
        detractors=pd,
        population=pop,
        nps=nps,
        variance=variance,
        fpc=fpc,
        standard_error=se,
        margin=m,
        low=max(-100.0, nps - m),
        high=min(100.0, nps + m),
        notes=tuple(notes),
    )


def nps_margin_from_counts(
    promoters: int,
    passives: int,
    detractors: int,
    confidence: float = 0.95,
    population: int | None = None,
) -> NpsMargin:
    """Margin of error (NPS points) from counts of promoters (9-10), passives and detractors."""
    a = check_count("promoters", promoters, minimum=0)
    b = check_count("passives", passives, minimum=0)
    c = check_count("detractors", detractors, minimum=0)
    n = a + b + c
    if n == 0:
        raise SamplingError("responses", "there are no responses (all three counts are 0)")
    if n > MAX_COUNT:
        raise SamplingError(
            "responses", f"the three counts add up to {n:,}, more than {MAX_COUNT:,}"
        )
    return nps_margin_of_error(a / n, c / n, n, confidence, population)


def nps_sample_size(
    margin: float,
    confidence: float = 0.95,
    promoters: float | None = None,
    detractors: float | None = None,
    population: int | None = None,
    response_rate: float | None = None,
) -> NpsSampleSizePlan:
    """Responses (and invitations) needed to measure an NPS within +/- margin points."""
    e = check_real("margin", margin)
    if not 0.0 < e < 200.0:
        raise SamplingError(
            "margin", f"must be in NPS points, more than 0 and less than 200, got {e:g}"
        )
    conf = check_open_unit("confidence", confidence)
    if (promoters is None) != (detractors is None):
        raise SamplingError(
            "promoters" if promoters is None else "detractors",
            "give both expected promoter and detractor shares, or neither (worst case)",
        )
    notes: list[str] = []
    if promoters is None or detractors is None:
        pp, pd = 0.5, 0.5
        notes.append(
            "no expected shares given: planned for the worst case (variance 1: half "
            "promoters, half detractors)"
        )
    else:
        pp, _, pd = _shares(promoters, detractors)
    if e < 1.0:
        notes.append(
            f"the margin is in NPS points: {e:g} means +/-{e:g} points "
            f"(for +/-{e * 100:g} points give {e * 100:g})"
        )
    if e / 100.0 < MIN_MARGIN:
        raise SamplingError(
            "margin", f"is too small to plan for (at least {MIN_MARGIN * 100:g} NPS points)"
        )
    pop = check_population(population)
    z = z_score(conf)
    variance = nps_variance(pp, pd)
    n0, n0_rounded, n_fpc, size, size_notes = plan_size(z, variance, e / 100.0, pop)
    return NpsSampleSizePlan(
        margin=e,
        confidence=conf,
        z=z,
        promoters=pp,
        detractors=pd,
        expected_nps=100.0 * (pp - pd),
        variance=variance,
        population=pop,
        n0=n0,
        n0_rounded=n0_rounded,
        n_fpc=n_fpc,
        sample_size=size,
        achieved_margin=100.0 * margin_for(z, variance, size, pop),
        invitations=None
        if response_rate is None
        else invitations_for(size, check_rate("response_rate", response_rate), pop),
        notes=tuple(notes + size_notes),
    )
