"""Shared pieces of the sampling planner: the error type, input checks, z and exact rounding.

Pure Python (``statistics.NormalDist`` for the normal quantile); no cxloop imports.
"""

from __future__ import annotations

import math
import numbers
import operator
from dataclasses import dataclass
from statistics import NormalDist

#: Computed sizes within this *relative* distance of an integer are taken as that integer before
#: rounding up, so floating-point noise (384.00000000001) never costs an extra respondent.
INTEGER_TOLERANCE = 1e-9

#: Proportions that must add up to 1 may miss it by at most this much (then they are rescaled).
SUM_TOLERANCE = 1e-6


MIN_MARGIN = 1e-6  # below this e² loses precision and no survey could reach it anyway

#: Populations, responses, totals and minimums are at most this (more than there are people), so
#: every count converts to a float without overflow or a loss that matters.
MAX_COUNT = 10**12

#: Response rates below 1 in 10,000 are refused: no channel is that poor, and the invitations
#: they call for grow without bound.
MIN_RATE = 1e-4

#: The confidence levels the API, the CLI and the page accept. The functions here take any level
#: strictly between 0 and 1; outside this range the plans are not useful (z < 0.67 or z > 3.9).
MIN_CONFIDENCE = 0.5
MAX_CONFIDENCE = 0.9999


class SamplingError(ValueError):
    """An impossible planner input: ``field`` names the input, ``reason`` says what is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class InvitationPlan:
    """Invitations to send so that the expected number of responses reaches the target."""

    responses: int
    response_rate: float
    exact: float
    invitations: int
    population: int | None
    exceeds_population: bool
    expected_responses_if_all_invited: float | None
    notes: tuple[str, ...]


def z_score(confidence: float) -> float:
    """Two-sided critical value z for a confidence level, e.g. 0.95 -> 1.959964 (not 1.96)."""
    c = check_open_unit("confidence", confidence)
    # from the lower tail: 0.5 + c / 2 rounds to 1.0 (no quantile) for c within 1e-16 of 1
    return max(0.0, -NormalDist().inv_cdf((1.0 - c) / 2.0))


def ceil_count(x: float) -> int:
    """Round a computed size up to a whole number, ignoring floating-point noise (see docs)."""
    if not math.isfinite(x):
        raise SamplingError("size", f"is not a finite number ({x}); the inputs are too extreme")
    nearest = round(x)
    if abs(x - nearest) <= INTEGER_TOLERANCE * max(1.0, abs(x)):
        return int(nearest)
    return math.ceil(x)


def fpc_factor(responses: int, population: int | None) -> float:
    """Finite-population correction of a standard error, sqrt((N - n) / (N - 1)); 1 if N unknown."""
    if population is None:
        return 1.0
    if responses >= population:
        return 0.0
    return math.sqrt((population - responses) / (population - 1))


def margin_for(z: float, variance: float, responses: int, population: int | None) -> float:
    """z * sqrt(variance / n) * fpc: the half-width of a normal-approximation interval."""
    return z * math.sqrt(variance / responses) * fpc_factor(responses, population)


def invitations_needed(
    responses: int, response_rate: float, population: int | None = None
) -> InvitationPlan:
    """Invitations to send for an expected number of responses: ceil(responses / rate)."""
    n = check_count("responses", responses, minimum=1)
    rate = check_rate("response_rate", response_rate)
    return invitations_for(n, rate, check_population(population))


def invitations_for(n: int, rate: float, pop: int | None) -> InvitationPlan:
    """``invitations_needed`` for checked inputs; ``n`` may be a computed size above MAX_COUNT."""
    exact = n / rate
    invitations = ceil_count(exact)
    exceeds = pop is not None and invitations > pop
    notes: list[str] = []
    expected: float | None = None
    if pop is not None and exceeds:
        expected = pop * rate
        notes.append(
            f"{invitations} invitations are needed but only {pop} people can be invited: "
            f"inviting everyone is expected to return about {expected:.0f} responses, "
            f"short of {n}; plan for a lower precision or raise the response rate"
        )
    return InvitationPlan(n, rate, exact, invitations, pop, exceeds, expected, tuple(notes))


# ---------------------------------------------------------------------------- input checks


def _hint(value: float) -> str:
    if 1.0 < value <= 100.0:
        return f"; give a fraction, not a percentage: did you mean {value / 100:g}?"
    return ""


def check_real(field: str, value: object) -> float:
    """A finite real number (int or float, not bool, NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SamplingError(field, f"must be a number, got {value!r}")
    try:
        x = float(value)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise SamplingError(field, f"must be a finite number, got {x}")
    return x


def _quoted(n: int) -> str:
    if n < 10**15:
        return f"{n:,}"
    return f"a number of about {int(n.bit_length() * math.log10(2)) + 1:,} digits"


def check_count(field: str, value: object, *, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    """A whole number from minimum to maximum (an integral float such as 1000.0 is accepted)."""
    if isinstance(value, bool):
        raise SamplingError(field, f"must be a whole number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise SamplingError(field, f"must be a whole number, got {value!r}")
        n = int(value)
    else:
        try:
            n = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            raise SamplingError(field, f"must be a whole number, got {value!r}") from None
    if n < minimum:
        what = "positive" if minimum == 1 else f"at least {minimum}"
        raise SamplingError(field, f"must be {what}, got {_quoted(n)}")
    if n > maximum:
        raise SamplingError(field, f"must be at most {maximum:,}, got {_quoted(n)}")
    return n


def check_open_unit(field: str, value: object) -> float:
    """A fraction strictly between 0 and 1 (margins, confidence levels)."""
    x = check_real(field, value)
    if not 0.0 < x < 1.0:
        hint = _hint(x) or (
            f"; did you mean {x / 100:g}?" if x == 1.0 and field == "margin" else ""
        )
        raise SamplingError(field, f"must be between 0 and 1 (exclusive), got {x:g}{hint}")
    return x


def check_unit(field: str, value: object) -> float:
    """A fraction between 0 and 1 inclusive (expected proportions, shares)."""
    x = check_real(field, value)
    if not 0.0 <= x <= 1.0:
        raise SamplingError(field, f"must be between 0 and 1, got {x:g}{_hint(x)}")
    return x


def check_rate(field: str, value: object) -> float:
    """A response rate: at least MIN_RATE, at most 1."""
    x = check_real(field, value)
    if not 0.0 < x <= 1.0:
        raise SamplingError(field, f"must be more than 0 and at most 1, got {x:g}{_hint(x)}")
    if x < MIN_RATE:
        raise SamplingError(field, f"is too small to plan for (at least {MIN_RATE:g}, got {x:g})")
    return x


def check_shares(field: str, values: list[float]) -> list[float]:
    """Shares that add up to 1 within SUM_TOLERANCE, rescaled to add up to exactly 1."""
    total = math.fsum(values)
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise SamplingError(
            field, f"must add up to 1 (within {SUM_TOLERANCE:g}); they add up to {total:.10g}"
        )
    return [v / total for v in values]


def plan_size(
    z: float, variance: float, margin: float, population: int | None
) -> tuple[float, int, float | None, int, list[str]]:
    """n0 = z² var / e², n0 rounded up, n0 / (1 + (n0 - 1) / N) and the final size (1..N)."""
    notes: list[str] = []
    if margin < MIN_MARGIN:
        raise SamplingError(
            "margin", f"is too small to plan for (at least {MIN_MARGIN:g}, got {margin:g})"
        )
    n0 = z * z * variance / (margin * margin)
    n0_rounded = max(1, ceil_count(n0))
    n_fpc: float | None = None
    size = n0_rounded
    if population is not None:
        # n0 / (1 + (n0 - 1) / N), written so that a tiny n0 with N = 1 cannot divide by zero
        n_fpc = 0.0 if n0 == 0.0 else n0 * population / ((population - 1) + n0)
        size = min(population, max(1, ceil_count(n_fpc)))
        if n0 >= population:
            notes.append(
                f"n0 ({n0:.1f}) is at least the population ({population}): the correction "
                f"brings it to {size}, but with a population this small consider surveying "
                "everyone (a census)"
            )
    if variance == 0.0:
        notes.append("with no variability expected, any response confirms it: 1 is the minimum")
    return n0, n0_rounded, n_fpc, size, notes


def check_population(population: object) -> int | None:
    """None, or a population size of at least 1."""
    return None if population is None else check_count("population", population, minimum=1)
