"""Precision of stratified designs: the margins responses give, and the total a margin needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cxloop.surveys.sampling_core import (
    MAX_COUNT,
    MIN_MARGIN,
    SamplingError,
    check_count,
    check_open_unit,
    z_score,
)
from cxloop.surveys.sampling_strata import (
    AllocationMethod,
    StratifiedPlan,
    Stratum,
    allocate_sample,
    check_strata,
    overall_margin,
)


@dataclass(frozen=True, slots=True)
class StratumMargin:
    """The precision one stratum gets from its responses."""

    name: str
    population: int | None
    weight: float | None
    responses: int
    proportion: float
    margin: float | None


@dataclass(frozen=True, slots=True)
class StratifiedMargins:
    """Per-stratum and overall margins of error for given responses per stratum."""

    confidence: float
    z: float
    strata: tuple[StratumMargin, ...]
    overall_margin: float | None
    notes: tuple[str, ...]


def stratified_margins(
    strata: Sequence[Stratum], responses: Sequence[int], confidence: float = 0.95
) -> StratifiedMargins:
    """Margin of error each stratum (and the weighted whole) gets from its number of responses."""
    conf = check_open_unit("confidence", confidence)
    z = z_score(conf)
    c = check_strata(strata, None)
    if isinstance(responses, str | bytes) or len(responses) != len(c.names):
        raise SamplingError("responses", f"give one count per stratum ({len(c.names)})")
    counts = [check_count(f"responses[{i}]", r, minimum=0) for i, r in enumerate(responses)]
    for i, r in enumerate(counts):
        if c.populations is not None and r > c.populations[i]:
            raise SamplingError(
                f"strata[{i}].population", f"is {c.populations[i]}, smaller than the {r} responses"
            )
    notes: list[str] = []
    overall, own = overall_margin(c, counts, z, notes)
    w = c.weights
    rows = tuple(
        StratumMargin(
            name=c.names[i],
            population=None if c.populations is None else c.populations[i],
            weight=None if w is None else w[i],
            responses=counts[i],
            proportion=c.proportions[i],
            margin=own[i],
        )
        for i in range(len(counts))
    )
    return StratifiedMargins(conf, z, rows, overall, tuple(notes))


def total_for_overall_margin(
    strata: Sequence[Stratum],
    margin: float,
    method: AllocationMethod | str = AllocationMethod.PROPORTIONAL,
    confidence: float = 0.95,
    response_rate: float | None = None,
) -> StratifiedPlan:
    """The smallest total whose stratified plan reaches an overall margin (minimums included)."""
    e = check_open_unit("margin", margin)
    if e < MIN_MARGIN:
        raise SamplingError(
            "margin", f"is too small to plan for (at least {MIN_MARGIN:g}, got {e:g})"
        )

    def plan(t: int) -> StratifiedPlan:
        return allocate_sample(strata, t, method, confidence, response_rate)

    def reached(p: StratifiedPlan) -> bool:
        return p.overall_margin is not None and p.overall_margin <= e

    c = check_strata(strata, response_rate)
    if c.weights is None:
        raise SamplingError("strata", "give populations or shares to plan an overall margin")
    lo = max(1, sum(c.minimums))
    if lo > MAX_COUNT:
        raise SamplingError(
            "strata.minimum", f"the minimums add up to {lo:,}, more than {MAX_COUNT:,} responses"
        )
    cap = None if c.populations is None else sum(c.populations)
    limit = min(cap, MAX_COUNT) if cap is not None else 10**9
    if reached(attempt := plan(lo)):
        return attempt
    hi = lo
    while not reached(attempt := plan(hi)):  # double; a census (hi == cap) has margin 0
        if hi >= limit:
            why = ": " + "; ".join(attempt.notes) if attempt.overall_margin is None else ""
            raise SamplingError("margin", f"{e:g} is not reached with {limit} responses{why}")
        hi = min(hi * 2, limit)
    while hi - lo > 1:  # bisect, keeping plan(lo) short of the margin and plan(hi) within it
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reached(plan(mid)) else (mid, hi)
    return plan(hi)
