"""Resolution inputs and outputs: normalised records, links and results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

from cxloop.profiles.resolution.normalize import (
    name_from_parts,
    normalize_address,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    parse_birth_date,
)

METHODS = ("exact:email", "exact:phone", "exact:external_id", "probabilistic")


@dataclass(frozen=True)
class ResolutionRecord:
    """One source record, already normalised (the service builds these from DB rows)."""

    record_id: int
    source: str
    external_id: str
    name_key: str = ""
    name_latin: str = ""
    given: str = ""
    family: str = ""
    emails: tuple[str, ...] = ()
    email_verified: bool = False
    phones: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    address: str | None = None
    postcode: str | None = None
    country: str | None = None
    given_alt: str = ""  # nickname's formal name or an English given name
    gender: str = ""  # "m"/"f" from an honorific, "" when unknown
    name_system: str = ""  # how the given name was written: see NameKeys.system
    refs: tuple[str, ...] = ()  # "source:external_id" of records this one names as itself
    family_alt: str = ""  # the other romanisation of the family name (Cantonese / Mandarin)


@dataclass(frozen=True)
class Link:
    """A scored pair of records and why they were joined."""

    record_a: int
    record_b: int
    method: str
    match_weight: float
    probability: float
    comparison: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResolutionResult:
    """Links above the review threshold, clusters at the auto threshold, and run statistics."""

    links: list[Link]
    clusters: dict[int, int]
    stats: dict[str, Any] = field(default_factory=dict)
    review: list[Link] = field(default_factory=list)

    def auto_links(self, auto_threshold: float) -> list[Link]:
        """Links whose probability reaches the auto-merge threshold."""
        return [lk for lk in self.links if lk.probability >= auto_threshold]


RECORD_COLUMNS = [f.name for f in fields(ResolutionRecord)]


def build_record(
    record_id: int,
    source: str,
    external_id: str,
    *,
    name: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    emails: Iterable[str | None] = (),
    email_verified: bool = False,
    phones: Iterable[str | None] = (),
    birth_date: str | dt.date | None = None,
    address: str | None = None,
    postcode: str | None = None,
    country: str | None = None,
    refs: Iterable[str] = (),
) -> ResolutionRecord:
    """Normalise raw field values into a ResolutionRecord.

    Without a full ``name``, ``given_name`` and ``family_name`` are used with their roles kept.
    """
    region = country.upper() if country else None
    if not name and (given_name or family_name):
        name = name_from_parts(given_name, family_name)
    nk = normalize_name(name, region)
    em = tuple(dict.fromkeys(e for e in (normalize_email(x) for x in emails) if e))
    ph = tuple(dict.fromkeys(p for p in (normalize_phone(x, region) for x in phones if x) if p))
    if isinstance(birth_date, str):
        dob = parse_birth_date(birth_date, day_first=region != "US")
    else:
        dob = birth_date
    return ResolutionRecord(
        record_id=record_id,
        source=source,
        external_id=external_id,
        name_key=nk.key,
        name_latin=nk.latin,
        given=nk.given,
        family=nk.family,
        emails=em,
        email_verified=email_verified and bool(em),
        phones=ph,
        birth_date=dob,
        address=normalize_address(address),
        postcode=normalize_postcode(postcode, region),
        country=region,
        given_alt=nk.given_alt,
        gender=nk.gender,
        name_system=nk.system,
        refs=tuple(r for r in refs if r),
        family_alt=nk.family_alt,
    )


def records_to_frame(records: Iterable[ResolutionRecord] | pd.DataFrame) -> pd.DataFrame:
    """The DataFrame form of ResolutionRecords (one column per field, lists for tuples)."""
    if isinstance(records, pd.DataFrame):
        missing = [c for c in RECORD_COLUMNS if c not in records.columns]
        if missing:
            defaults: dict[str, Any] = {f.name: f.default for f in fields(ResolutionRecord)}
            records = records.copy()
            for c in missing:
                value = defaults.get(c)
                records[c] = [value] * len(records) if isinstance(value, tuple) else value
        return records
    rows = [asdict(r) for r in records]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})
    df = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    for c in ("emails", "phones", "refs"):
        df[c] = df[c].map(list)
    return df


def frame_to_records(df: pd.DataFrame) -> list[ResolutionRecord]:
    """ResolutionRecords from their DataFrame form."""
    out: list[ResolutionRecord] = []
    cols: Sequence[str] = RECORD_COLUMNS
    for row in df[list(cols)].itertuples(index=False):
        d = dict(zip(cols, row, strict=True))
        for c in ("emails", "phones", "refs"):
            d[c] = tuple(d[c]) if d[c] is not None else ()
        bd = d["birth_date"]
        d["birth_date"] = None if bd is None or pd.isna(bd) else pd.Timestamp(bd).date()
        out.append(ResolutionRecord(**d))
    return out
