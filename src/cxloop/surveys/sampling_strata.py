"""Stratified plans: split a total number of responses across strata, and the precision each gets.

Each stratum gets ``clamp(λ·w_h, minimum_h, N_h)`` with one λ chosen so the quotas add up to the
total exactly (see sampling_apportion); the integer plan comes from the largest-remainder method.
Sources and worked examples: docs/surveys-sampling.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from cxloop.surveys.sampling_apportion import Bound, bounded_quotas, largest_remainder
from cxloop.surveys.sampling_core import (
    InvitationPlan,
    SamplingError,
    check_count,
    check_open_unit,
    check_rate,
    check_shares,
    check_unit,
    invitations_for,
    margin_for,
    z_score,
)


class AllocationMethod(StrEnum):
    """How a total is split across strata."""

    PROPORTIONAL = "proportional"  # to the strata's population sizes N_h
    EQUAL = "equal"  # the same number in each stratum
    SHARES = "shares"  # to population proportions the client supplies
    NEYMAN = "neyman"  # to W_h S_h: the smallest variance of the overall estimate


@dataclass(frozen=True, slots=True)
class Stratum:
    """One stratum of a plan (a segment, region, channel...); give populations or shares or both."""

    name: str
    population: int | None = None
    share: float | None = None  # the stratum's proportion of the population (0-1)
    minimum: int = 0  # fewest responses acceptable in this stratum
    response_rate: float | None = None  # e.g. the channel's historical rate
    proportion: float = 0.5  # expected proportion, for margins and Neyman (0.5 = worst case)


@dataclass(frozen=True, slots=True)
class StratumAllocation:
    """One stratum's share of a plan, with the working."""

    name: str
    population: int | None
    weight: float | None  # W_h of the overall estimate (share, else N_h / N)
    allocation_weight: float  # the method's relative weight, normalised to add up to 1
    quota: float  # exact quota after minimums and population caps, before integer rounding
    responses: int
    minimum: int  # yours, or 1 for a stratum that counts but gets no weight from the method
    bound: Bound  # "minimum": raised to it; "population": capped at N_h; "overflow": see docs
    proportion: float
    margin: float | None  # this stratum's own margin of error (None with no responses)
    invitations: InvitationPlan | None


@dataclass(frozen=True, slots=True)
class StratifiedPlan:
    """A total split across strata, the invitations per stratum and the resulting precision."""

    method: AllocationMethod
    total: int
    confidence: float
    z: float
    strata: tuple[StratumAllocation, ...]
    invitations: int | None  # sum over strata, when every stratum has a response rate
    overall_margin: float | None  # of the stratified estimate sum(W_h p_h)
    srs_margin: float | None  # a simple random sample of the same total, for comparison
    design_effect: float | None  # (overall_margin / srs_margin)^2
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckedStrata:
    """Validated strata, column by column (shares rescaled to add up to 1)."""

    names: list[str]
    populations: list[int] | None
    shares: list[float] | None
    exact_shares: list[Fraction] | None
    minimums: list[int]
    rates: list[float | None]
    proportions: list[float]

    @property
    def weights(self) -> list[float] | None:
        """W_h of the overall estimate: the shares if given, else N_h / N, else None."""
        if self.shares is not None:
            return self.shares
        if self.populations is not None:
            big_n = sum(self.populations)
            return [n / big_n for n in self.populations]
        return None


def check_strata(strata: Sequence[Stratum], default_rate: float | None) -> CheckedStrata:
    """Validate strata (names, populations or shares, minimums, rates, proportions)."""
    if isinstance(strata, str | bytes) or len(strata) == 0:
        raise SamplingError("strata", "give at least one stratum")
    if default_rate is not None:
        check_rate("response_rate", default_rate)
    seen: dict[str, int] = {}
    names: list[str] = []
    for i, s in enumerate(strata):
        name = s.name.strip() if isinstance(s.name, str) else ""
        if not name:
            raise SamplingError(f"strata[{i}].name", "must be a non-empty text")
        key = name.casefold()
        if key in seen:
            raise SamplingError(
                f"strata[{i}].name",
                f"'{name}' is already used by strata[{seen[key]}]; names must be unique "
                "(ignoring case)",
            )
        seen[key] = i
        names.append(name)
    given_pop = [s.population is not None for s in strata]
    given_share = [s.share is not None for s in strata]
    for flags, what in ((given_pop, "population"), (given_share, "share")):
        if any(flags) and not all(flags):
            i = flags.index(False)
            raise SamplingError(
                f"strata[{i}].{what}", f"give a {what} for every stratum or for none"
            )
    pops = (
        [check_count(f"strata[{i}].population", s.population) for i, s in enumerate(strata)]
        if all(given_pop)
        else None
    )
    shares: list[float] | None = None
    exact: list[Fraction] | None = None
    if all(given_share):
        raw = [check_unit(f"strata[{i}].share", s.share) for i, s in enumerate(strata)]
        shares = check_shares("strata.share", raw)
        exact = [Fraction(repr(x)) for x in raw]
    minimums = [
        check_count(f"strata[{i}].minimum", s.minimum, minimum=0) for i, s in enumerate(strata)
    ]
    if pops is not None:
        for i, (m, n) in enumerate(zip(minimums, pops, strict=True)):
            if m > n:
                raise SamplingError(
                    f"strata[{i}].minimum",
                    f"is {m}, more than the stratum's population of {n}",
                )
    rates: list[float | None] = []
    for i, s in enumerate(strata):
        r = s.response_rate if s.response_rate is not None else default_rate
        rates.append(None if r is None else check_rate(f"strata[{i}].response_rate", r))
    props = [check_unit(f"strata[{i}].proportion", s.proportion) for i, s in enumerate(strata)]
    return CheckedStrata(names, pops, shares, exact, minimums, rates, props)


def _method_weights(c: CheckedStrata, method: AllocationMethod) -> list[Fraction]:
    if method is AllocationMethod.EQUAL:
        return [Fraction(1)] * len(c.names)
    if method is AllocationMethod.PROPORTIONAL:
        if c.populations is None:
            raise SamplingError(
                "method",
                "proportional allocation needs a population for every stratum; give "
                "populations, or use 'shares' with the client's population proportions",
            )
        return [Fraction(n) for n in c.populations]
    if method is AllocationMethod.SHARES:
        if c.exact_shares is None:
            raise SamplingError("method", "'shares' allocation needs a share for every stratum")
        return c.exact_shares
    if c.exact_shares is None and c.populations is None:
        raise SamplingError(
            "method", "Neyman allocation needs a share or a population for every stratum"
        )
    sizes = c.exact_shares or [Fraction(n) for n in c.populations or []]
    weights = []
    for i, (w, p) in enumerate(zip(sizes, c.proportions, strict=True)):
        s2 = p * (1.0 - p)  # S_h^2 = N_h/(N_h - 1) P_h Q_h when N_h is known (Cochran)
        if c.populations is not None and c.populations[i] > 1:
            s2 *= c.populations[i] / (c.populations[i] - 1)
        weights.append(w * Fraction(math.sqrt(s2)))
    return weights


def overall_margin(
    c: CheckedStrata, responses: Sequence[int], z: float, notes: list[str]
) -> tuple[float | None, list[float | None]]:
    """Margin of the stratified estimate sum(W_h p_h), and each stratum's own margin."""
    errors: list[float | None] = []  # standard errors: margins over z, without dividing by z
    for i, n in enumerate(responses):
        pop = None if c.populations is None else c.populations[i]
        p = c.proportions[i]
        errors.append(None if n == 0 else margin_for(1.0, p * (1 - p), n, pop))
    own = [None if se is None else z * se for se in errors]
    weights = c.weights
    if weights is None:
        notes.append("no populations or shares given: the overall margin cannot be computed")
        return None, own
    var = 0.0
    for i, (w, n) in enumerate(zip(weights, responses, strict=True)):
        if w == 0:
            continue
        if n == 0:
            notes.append(f"'{c.names[i]}' has no responses: the overall margin cannot be computed")
            return None, own
        se = errors[i]
        assert se is not None
        var += (w * se) ** 2
    return z * math.sqrt(var), own


def _method(method: AllocationMethod | str) -> AllocationMethod:
    try:
        return AllocationMethod(method)
    except ValueError:
        options = ", ".join(m.value for m in AllocationMethod)
        raise SamplingError("method", f"must be one of {options}, got {method!r}") from None


def _bound_notes(
    names: list[str], filled: list[tuple[Fraction, Bound]], mins: list[int]
) -> list[str]:
    notes = []
    for name, (q, bound), m in zip(names, filled, mins, strict=True):
        if bound == "minimum" and m > 0:
            notes.append(f"'{name}' was raised to its minimum of {m}")
        elif bound == "population":
            notes.append(f"'{name}' is surveyed in full ({int(q)}): its share went to the others")
        elif bound == "overflow":
            notes.append(f"'{name}' has no weight but took what the full strata could not")
    return notes


def _floor_unweighted(
    c: CheckedStrata, weights: list[Fraction], n: int
) -> tuple[list[int], list[str]]:
    """Give 1 response to a stratum that counts in the whole but has no allocation weight."""
    lows, notes = list(c.minimums), []
    w = c.weights or [0.0] * len(lows)
    idle = [i for i, low in enumerate(lows) if low == 0 and weights[i] == 0 and w[i] > 0]
    if idle and sum(lows) + len(idle) <= n:
        for i in idle:
            lows[i] = 1
            notes.append(
                f"'{c.names[i]}' gets no weight from this method (expected proportion "
                f"{c.proportions[i]:g}), so it gets 1 response; set a minimum to choose more"
            )
    return lows, notes


def allocate_sample(
    strata: Sequence[Stratum],
    total: int,
    method: AllocationMethod | str = AllocationMethod.PROPORTIONAL,
    confidence: float = 0.95,
    response_rate: float | None = None,
) -> StratifiedPlan:
    """Split a total of responses across strata (with minimums), and the invitations per stratum."""
    how = _method(method)
    conf = check_open_unit("confidence", confidence)
    z = z_score(conf)
    n = check_count("total", total, minimum=1)
    c = check_strata(strata, response_rate)
    weights = _method_weights(c, how)
    need = sum(c.minimums)
    if n < need:
        raise SamplingError(
            "total",
            f"is {n}, less than the per-stratum minimums, which add up to {need}: raise the "
            f"total to at least {need} or lower the minimums",
        )
    if c.populations is not None and n > sum(c.populations):
        raise SamplingError(
            "total", f"is {n}, more than all strata's populations together ({sum(c.populations)})"
        )
    highs: list[int | None] = list(c.populations) if c.populations else [None] * len(c.names)
    lows, notes = _floor_unweighted(c, weights, n)
    filled = bounded_quotas(weights, lows, highs, n)
    counts = largest_remainder([q for q, _ in filled], n)
    notes += _bound_notes(c.names, filled, c.minimums)
    overall, own = overall_margin(c, counts, z, notes)
    srs = _srs_margin(c, n, z)
    wsum = sum(weights, Fraction(0))
    w = c.weights
    rows = []
    for i, name in enumerate(c.names):
        pop = None if c.populations is None else c.populations[i]
        rate = c.rates[i]
        inv = None if rate is None or counts[i] == 0 else invitations_for(counts[i], rate, pop)
        if inv is not None:
            notes.extend(f"'{name}': {t}" for t in inv.notes)
        rows.append(
            StratumAllocation(
                name=name,
                population=pop,
                weight=None if w is None else w[i],
                allocation_weight=float(weights[i] / wsum) if wsum else 0.0,
                quota=float(filled[i][0]),
                responses=counts[i],
                minimum=lows[i],
                bound=filled[i][1],
                proportion=c.proportions[i],
                margin=own[i],
                invitations=inv,
            )
        )
    complete = all(r.invitations is not None or r.responses == 0 for r in rows)
    invitations = (
        sum(r.invitations.invitations for r in rows if r.invitations) if complete else None
    )
    return StratifiedPlan(
        method=how,
        total=n,
        confidence=conf,
        z=z,
        strata=tuple(rows),
        invitations=invitations,
        overall_margin=overall,
        srs_margin=srs,
        design_effect=None if overall is None or not srs else (overall / srs) ** 2,
        notes=tuple(notes),
    )


def _srs_margin(c: CheckedStrata, n: int, z: float) -> float | None:
    weights = c.weights
    if weights is None:
        return None
    p = math.fsum(w * p for w, p in zip(weights, c.proportions, strict=True))
    pop = None if c.populations is None else sum(c.populations)
    return margin_for(z, p * (1 - p), n, pop)
