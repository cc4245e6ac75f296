"""Deterministic synthetic people and their customer records across source systems."""

from __future__ import annotations

import pandas as pd

from cxloop.profiles.synth.people import (
    COUNTRIES,
    PeopleConfig,
    generate_people,
    people_columns,
    to_frame,
)
from cxloop.profiles.synth.records import (
    DEFAULT_SOURCES,
    DEMO_SOURCES,
    SOURCES,
    RecordsConfig,
    SourceProfile,
    generate_records,
)

# Records per person with the default source profiles (measured: ~2.49).
RECORDS_PER_PERSON = 2.49
DEMO_PEOPLE = 5_000


def generate_population(n_records: int, *, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People and roughly n_records source records (the benchmark population)."""
    n_people = max(1, round(n_records / RECORDS_PER_PERSON))
    cols = people_columns(n_people, seed=seed)
    records = generate_records(cols, seed=seed)
    return to_frame(cols), records


def demo_world(
    *, n_people: int = DEMO_PEOPLE, seed: int = 2024
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo world's customers (~5,000 people) and their crm/billing/support/web/pos records.

    Same generator as the benchmark population, with the cleaner DEMO_SOURCES profiles.
    """
    people = generate_people(n_people, seed=seed)
    return people, generate_records(
        people, seed=seed, config=RecordsConfig(sources=dict(DEMO_SOURCES))
    )


__all__ = [
    "COUNTRIES",
    "DEFAULT_SOURCES",
    "DEMO_PEOPLE",
    "DEMO_SOURCES",
    "SOURCES",
    "PeopleConfig",
    "RecordsConfig",
    "SourceProfile",
    "demo_world",
    "generate_people",
    "generate_population",
    "generate_records",
    "people_columns",
    "to_frame",
]
