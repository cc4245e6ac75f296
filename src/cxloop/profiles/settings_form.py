"""The identity settings form: what a submitted form changes, and what to show back.

Pure functions over the current settings (``queries_identity.identity_settings``) and the
submitted values; the service still validates what is saved. Problems are ``(field, reason)``
pairs with the same reason codes as ``identity.invalid`` errors, so the page words both alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

THRESHOLDS = ("auto_threshold", "review_threshold")


@dataclass
class SettingsChange:
    """What differs from the current settings, problems found before saving, the form to show."""

    thresholds: dict[str, float] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    unique_sources: list[str] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    form: dict[str, Any] = field(default_factory=dict)

    @property
    def changes_nothing(self) -> bool:
        """True when the form equals the current settings."""
        return not (self.thresholds or self.rules or self.unique_sources is not None)


def form_of(conf: dict[str, Any]) -> dict[str, Any]:
    """The form filled with the current settings."""
    return {
        **{name: f"{conf[name]:g}" for name in THRESHOLDS},
        "rules": {r["attribute"]: r["rule"] for r in conf["rules"]},
        "unique_sources": set(conf["unique_sources"]),
    }


def parse_number(raw: str) -> float | None:
    """A typed probability (``0.9``, `` 0,9 ``), or None when it is not a finite number."""
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse(
    conf: dict[str, Any],
    thresholds: dict[str, str | None],
    rules: list[str],
    unique_sources: list[str] | None,
) -> SettingsChange:
    """Compare a submitted form with the current settings.

    ``thresholds`` maps each threshold to its typed text (None: not submitted); ``rules`` holds
    ``attribute=rule`` entries; ``unique_sources`` is None when the form did not list sources
    (an unticked checkbox sends nothing, so an absent list must not clear them).
    """
    change = SettingsChange(form=form_of(conf))
    for name in THRESHOLDS:
        raw = thresholds.get(name)
        if raw is None:
            continue
        change.form[name] = raw
        value = parse_number(raw)
        if value is None:
            change.problems.append((name, "not_a_number"))
        elif value != conf[name]:
            change.thresholds[name] = value
    current = change.form["rules"]
    for entry in rules[: 4 * len(current)]:
        attr, _, chosen = (part.strip()[:40] for part in entry.partition("="))
        if chosen != current.get(attr):
            change.rules[attr] = chosen
    change.form["rules"] = {**current, **change.rules}
    if unique_sources is not None:
        picked = sorted({s.strip() for s in unique_sources if s.strip()})
        change.form["unique_sources"] = set(picked)
        if picked != sorted(conf["unique_sources"]):
            change.unique_sources = picked
    return change
