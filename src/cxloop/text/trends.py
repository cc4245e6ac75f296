"""Emerging themes: volume or negative-share changes against a baseline window, with a test.

Volume: given ``c`` mentions of a theme among ``N`` texts now and ``b`` among ``M`` in the
baseline, under "no change" ``c`` given ``c + b`` is binomial with p = N / (N + M) (the exact
conditional test for two Poisson rates); one-sided, rising only. Negative share: a one-sided
two-proportion z-test of the theme's negative fraction now against the baseline. All p-values of
one run are adjusted together with Benjamini-Hochberg, so a dashboard of 50 themes does not
alert on noise. Each significant change becomes an ``EmergingTheme`` event.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Mentions of one theme in one window and how many of them were negative."""

    mentions: int
    negative: int = 0


@dataclass(frozen=True, slots=True)
class EmergingTheme:
    """An alertable change of one theme between a baseline and a current window."""

    theme_id: str
    kind: Literal["volume", "negative_share", "new"]
    baseline_rate: float
    current_rate: float
    ratio: float
    current_count: int
    baseline_count: int
    p_value: float
    q_value: float
    severity: Literal["low", "medium", "high"]


def binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), exact (log-space sum)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def two_proportion_p(x1: int, n1: int, x0: int, n0: int) -> float:
    """One-sided p-value that proportion x1/n1 exceeds x0/n0 (pooled z-test)."""
    if n1 == 0 or n0 == 0:
        return 1.0
    pooled = (x1 + x0) / (n1 + n0)
    if pooled in (0.0, 1.0):
        return 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    z = (x1 / n1 - x0 / n0) / se
    return 0.5 * math.erfc(z / math.sqrt(2))


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """q-values (false discovery rate adjusted p-values) in input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def detect_emerging(
    baseline: Mapping[str, WindowCounts],
    current: Mapping[str, WindowCounts],
    *,
    baseline_total: int,
    current_total: int,
    fdr: float = 0.05,
    min_mentions: int = 5,
    min_ratio: float = 1.5,
) -> list[EmergingTheme]:
    """Themes whose volume share or negative share rose significantly; strongest first."""
    tests: list[tuple[str, str, float, float, float, int, int]] = []
    for theme in sorted(current):
        now = current[theme]
        before = baseline.get(theme, WindowCounts(0, 0))
        if now.mentions < min_mentions or current_total == 0 or baseline_total == 0:
            continue
        rate_now = now.mentions / current_total
        rate_before = before.mentions / baseline_total
        ratio = rate_now / rate_before if rate_before else math.inf
        if ratio >= min_ratio:
            n = now.mentions + before.mentions
            p = binom_sf(now.mentions, n, current_total / (current_total + baseline_total))
            kind = "new" if before.mentions == 0 else "volume"
            tests.append((theme, kind, rate_before, rate_now, p, now.mentions, before.mentions))
        if before.mentions >= min_mentions:
            neg_now = now.negative / now.mentions
            neg_before = before.negative / before.mentions
            if neg_before == 0 or neg_now / neg_before >= min_ratio or neg_now - neg_before >= 0.2:
                p = two_proportion_p(now.negative, now.mentions, before.negative, before.mentions)
                tests.append(
                    (theme, "negative_share", neg_before, neg_now, p, now.negative, before.negative)
                )
    q_values = benjamini_hochberg([t[4] for t in tests])
    events = []
    for (theme, kind, rate_was, rate_is, p, c_now, c_before), q in zip(
        tests, q_values, strict=True
    ):
        if q > fdr:
            continue
        ratio = rate_is / rate_was if rate_was else math.inf
        severity: Literal["low", "medium", "high"] = (
            "high" if q < fdr / 50 and ratio >= 2 else "medium" if q < fdr / 5 else "low"
        )
        events.append(
            EmergingTheme(
                theme,
                kind,  # type: ignore[arg-type]
                round(rate_was, 6),
                round(rate_is, 6),
                round(ratio, 3) if math.isfinite(ratio) else math.inf,
                c_now,
                c_before,
                p,
                q,
                severity,
            )
        )
    events.sort(key=lambda e: (e.q_value, e.theme_id))
    return events
