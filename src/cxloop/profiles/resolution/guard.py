"""The contradiction guard: a group of records that clearly is not the person of another group.

The model scores pairs, so one strong pair can join a record to a customer whose other records
contradict it (a namesake scored against a support record without email; another name on a
shared mobile). Before two groups are joined, their key sets are compared: incremental runs
compare a new record with a customer (``profiles.automerge``), full runs compare two clusters
in the constrained merge (``cluster.greedy_merge``), each cluster keeping its key set as it
grows. A contradiction is a reason for a person to look, with a stable code and parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from cxloop.profiles.resolution.names import name_script

CONTACT = "different_contact"  # emails and phones on both sides, none of either shared
NAME = "different_name"  # a name shares no part with the other side's in its script
COUNTRY = "different_country"  # countries on both sides differ, nothing strong is shared
CODES = (CONTACT, NAME, COUNTRY)


@dataclass(frozen=True)
class Reason:
    """Why two groups wait for a person instead of being joined: a code and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The stored form (``review_reason`` in a match link's comparison)."""
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class Keys:
    """What the guard compares of a group of records; ``a | b`` is the two groups together."""

    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    # script -> the distinct part sets (family, given and their alternatives) of its names
    names: dict[str, frozenset[frozenset[str]]] = field(default_factory=dict)

    def __or__(self, other: Keys) -> Keys:
        names = dict(self.names)
        for script, parts in other.names.items():
            names[script] = names[script] | parts if script in names else parts
        return Keys(
            self.emails | other.emails,
            self.phones | other.phones,
            self.countries | other.countries,
            self.dates | other.dates,
            names,
        )


def record_keys(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    country: str | None = None,
    birth_date: object = None,
    name_key: str = "",
    name_parts: Iterable[str] = (),
) -> Keys:
    """The keys of one record (normalised values; empty ones are left out)."""
    parts = frozenset(p for p in name_parts if p)
    return Keys(
        frozenset(e for e in emails if e),
        frozenset(p for p in phones if p),
        frozenset((country,)) if country else frozenset(),
        frozenset((str(birth_date)[:10],)) if birth_date else frozenset(),
        {name_script(name_key): frozenset((parts,))} if parts else {},
    )


@lru_cache(maxsize=65_536)
def _close_sorted(a: str, b: str) -> bool:
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def close(a: str, b: str) -> bool:
    """Two name parts agree: equal, one an initial or prefix of the other, or a small typo."""
    return _close_sorted(a, b) if a <= b else _close_sorted(b, a)


def _stranger(mine: frozenset[frozenset[str]], theirs: frozenset[frozenset[str]]) -> bool:
    """Some name of ``mine`` shares no part with any name of ``theirs``."""
    other = frozenset[str]().union(*theirs)
    return any(
        parts.isdisjoint(other) and not any(close(p, q) for p in parts for q in other)
        for parts in mine
    )


def contradiction(a: Keys, b: Keys) -> Reason | None:
    """Why two groups of records clearly are not one person, or None.

    Each rule needs evidence on both sides (a missing value never contradicts): emails and
    phones on both sides with none shared; a name in a script both sides have names in that
    shares no part with the other side's names there, on each side (so one group's odd record,
    say a spouse's name on a bill, does not refuse a record matching its other names), unless
    an email or a birth date is shared too (a phone alone can be a shared line); different
    countries with no email, phone or birth date shared.
    """
    shared_email = not a.emails.isdisjoint(b.emails)
    shared_phone = not a.phones.isdisjoint(b.phones)
    if a.emails and b.emails and a.phones and b.phones and not (shared_email or shared_phone):
        return Reason(CONTACT)
    shared_date = not a.dates.isdisjoint(b.dates)
    # (with an email or the birth date in common, another name is a nickname, not a stranger)
    scripts = () if shared_email or shared_date else sorted(a.names.keys() & b.names.keys())
    for script in scripts:
        mine, theirs = a.names[script], b.names[script]
        if _stranger(mine, theirs) and _stranger(theirs, mine):
            return Reason(NAME, {"script": script})
    if (
        a.countries
        and b.countries
        and a.countries.isdisjoint(b.countries)
        and not (shared_email or shared_phone or shared_date)
    ):
        return Reason(COUNTRY, {"countries": sorted(a.countries | b.countries)})
    return None


def group_keys(keys: Iterable[Keys]) -> Keys:
    """The keys of several records together."""
    group = list(keys)
    names: dict[str, set[frozenset[str]]] = {}
    for k in group:
        for script, parts in k.names.items():
            names.setdefault(script, set()).update(parts)
    return Keys(
        frozenset[str]().union(*(k.emails for k in group)),
        frozenset[str]().union(*(k.phones for k in group)),
        frozenset[str]().union(*(k.countries for k in group)),
        frozenset[str]().union(*(k.dates for k in group)),
        {script: frozenset(parts) for script, parts in names.items()},
    )
