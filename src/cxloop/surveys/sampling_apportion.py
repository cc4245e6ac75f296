"""Apportionment for stratified plans: exact bounded quotas and the largest-remainder method.

``bounded_quotas`` gives each unit ``clamp(λ·w, low, high)`` with the one λ that makes the quotas
add up to the total, found exactly in rational arithmetic (the quota sum is piecewise linear and
non-decreasing in λ). This is the rule "minimums first, populations as caps, the rest in proportion
to the weights", and for Neyman weights it is the exact optimum under those bounds.
``largest_remainder`` (Hamilton's method) turns quotas into integers with the same total.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

Bound = Literal["minimum", "population", "overflow"] | None


def bounded_quotas(
    weights: Sequence[Fraction],
    lows: Sequence[int],
    highs: Sequence[int | None],
    total: int | Fraction,
) -> list[tuple[Fraction, Bound]]:
    """Quotas clamp(λ·w, low, high) adding up to total exactly (λ solved piecewise-linearly)."""

    def clamp(i: int, lam: Fraction) -> tuple[Fraction, Bound]:
        x = lam * weights[i]
        hi = highs[i]
        if x < lows[i]:
            return Fraction(lows[i]), "minimum"
        if hi is not None and x > hi:
            return Fraction(hi), "population"
        return x, None

    def g(lam: Fraction) -> Fraction:
        return sum((clamp(i, lam)[0] for i in range(len(weights))), Fraction(0))

    live = [i for i, w in enumerate(weights) if w > 0]
    points = {Fraction(lows[i]) / weights[i] for i in live}
    points |= {Fraction(h) / weights[i] for i in live if (h := highs[i]) is not None}
    breaks = sorted(points | {Fraction(0)})
    values = [g(b) for b in breaks]
    k = bisect.bisect_left(values, total)
    if k == 0:
        lam = breaks[0]
    elif k < len(breaks):
        a, b = breaks[k - 1], breaks[k]
        lam = a + (total - values[k - 1]) * (b - a) / (values[k] - values[k - 1])
    else:
        slope = sum((weights[i] for i in live if highs[i] is None), Fraction(0))
        if slope == 0:  # the weighted strata are full: the rest goes to the zero-weight ones
            full = [clamp(i, breaks[-1]) for i in range(len(weights))]
            rest = [i for i in range(len(weights)) if weights[i] == 0]
            spill = bounded_quotas(
                [Fraction(1)] * len(rest),
                [lows[i] for i in rest],
                [highs[i] for i in rest],
                total - sum(full[i][0] for i in live),
            )
            for j, i in enumerate(rest):
                full[i] = (spill[j][0], spill[j][1] or "overflow")
            return full
        lam = breaks[-1] + (total - values[-1]) / slope
    return [clamp(i, lam) for i in range(len(weights))]


def largest_remainder(quotas: Sequence[Fraction], total: int) -> list[int]:
    """Integers adding up to total: floors, then +1 by largest remainder (Hamilton's method)."""
    floors = [math.floor(q) for q in quotas]  # ties: the larger quota first, then input order
    order = sorted(range(len(quotas)), key=lambda i: (floors[i] - quotas[i], -quotas[i], i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors
