"""Golden record: pick each attribute's value from a profile's source records by a rule.

Pure functions. Every chosen value keeps its provenance (source, record, rule, time) and the
alternatives it beat, so the 360 view can show why a value is what it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

RULES = ("most_trusted", "most_recent", "most_complete", "most_frequent")

DEFAULT_RULES: dict[str, str] = {
    "full_name": "most_trusted",
    "given_name": "most_trusted",
    "family_name": "most_trusted",
    "email": "most_trusted",
    "phone": "most_recent",
    "address": "most_recent",
    "postcode": "most_recent",
    "country": "most_trusted",
    "birth_date": "most_frequent",
    "language": "most_recent",
    "tier": "most_trusted",
    "segment": "most_trusted",
}
ATTRIBUTES = tuple(DEFAULT_RULES)


@dataclass(frozen=True)
class SourceValue:
    """One record's candidate value for an attribute."""

    value: Any
    record_id: int
    source: str
    source_id: int
    external_id: str
    trust_rank: int  # 1 is the most trusted
    at: datetime  # the source's own update time, else when we received it
    verified: bool = False


def _key(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value).casefold().strip()


def choose(
    candidates: list[SourceValue], rule: str
) -> tuple[SourceValue | None, list[SourceValue]]:
    """The winning candidate under ``rule`` and the others, most preferred first."""
    present = [c for c in candidates if c.value not in (None, "", [])]
    if not present:
        return None, []

    def recent(c: SourceValue) -> tuple[float, int]:
        return (-c.at.timestamp(), c.record_id)

    if rule == "most_recent":
        ordered = sorted(present, key=recent)
    elif rule == "most_complete":
        ordered = sorted(present, key=lambda c: (-len(_key(c.value)), c.trust_rank, *recent(c)))
    elif rule == "most_frequent":
        counts = Counter(_key(c.value) for c in present)
        ordered = sorted(present, key=lambda c: (-counts[_key(c.value)], c.trust_rank, *recent(c)))
    else:  # most_trusted; verified values first within a rank
        ordered = sorted(present, key=lambda c: (c.trust_rank, not c.verified, *recent(c)))
    return ordered[0], ordered[1:]


def golden_record(
    candidates: dict[str, list[SourceValue]], rules: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """The golden value of each attribute with its provenance and distinct alternatives."""
    merged = {**DEFAULT_RULES, **(rules or {})}
    out: dict[str, dict[str, Any]] = {}
    for attr, values in candidates.items():
        rule = merged.get(attr, "most_trusted")
        if rule not in RULES:
            rule = "most_trusted"
        winner, others = choose(values, rule)
        if winner is None:
            continue
        seen = {_key(winner.value)}
        alternatives = []
        for other in others:
            k = _key(other.value)
            if k in seen:
                continue
            seen.add(k)
            alternatives.append({"value": _plain(other.value), "source": other.source})
        out[attr] = {
            "value": _plain(winner.value),
            "source": winner.source,
            "source_id": winner.source_id,
            "record_id": winner.record_id,
            "external_id": winner.external_id,
            "rule": rule,
            "at": winner.at.isoformat(),
            "agreeing_sources": sorted(
                {
                    c.source
                    for c in values
                    if c.value not in (None, "") and _key(c.value) == _key(winner.value)
                }
            ),
            "alternatives": alternatives,
        }
    return out


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
