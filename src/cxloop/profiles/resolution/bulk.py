"""Bulk normalisation of raw source records into the ResolutionRecord table form."""

from __future__ import annotations

import multiprocessing as mp
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from cxloop.profiles.resolution.normalize import (
    normalize_address,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    parse_birth_date,
)

_NON_DIGIT = re.compile(r"[^\d+]")
RAW_COLUMNS = (
    "record_id",
    "source",
    "external_id",
    "name",
    "email",
    "email_verified",
    "phone",
    "phone2",
    "birth_date",
    "address",
    "postcode",
    "country",
    "ref",
)


def _name_row(key: tuple[str, str]) -> tuple[str, ...]:
    nk = normalize_name(key[0] or None, key[1] or None)
    return (
        nk.key,
        nk.latin,
        nk.given,
        nk.family,
        nk.given_alt,
        nk.gender,
        nk.system,
        nk.family_alt,
    )


def _phone(key: tuple[str, str]) -> str:
    return normalize_phone(key[0], key[1] or None) or ""


def _dob(key: tuple[str, str]) -> Any:
    return parse_birth_date(key[0], day_first=key[1] != "US")


def _addr(key: tuple[str, str]) -> str:
    return normalize_address(key[0]) or ""


def _post(key: tuple[str, str]) -> str:
    return normalize_postcode(key[0], key[1] or None) or ""


def _email(key: tuple[str, str]) -> str:
    return normalize_email(key[0]) or ""


_FUNCS: dict[str, Callable[[tuple[str, str]], Any]] = {
    "name": _name_row,
    "phone": _phone,
    "dob": _dob,
    "addr": _addr,
    "post": _post,
    "email": _email,
}


def _apply(job: tuple[str, list[tuple[str, str]]]) -> list[Any]:
    fn = _FUNCS[job[0]]
    return [fn(k) for k in job[1]]


def _map_unique(
    kind: str, values: pd.Series, country: pd.Series, pool: Any, chunk: int = 20_000
) -> tuple[list[Any], np.ndarray]:
    """Apply a normaliser once per distinct (value, country); return results and inverse index."""
    keys = pd.MultiIndex.from_arrays([values.fillna("").astype(str), country.astype(str)])
    codes, uniq = pd.factorize(keys)
    uniq_list: Sequence[tuple[str, str]] = list(uniq)
    jobs = [(kind, list(uniq_list[i : i + chunk])) for i in range(0, len(uniq_list), chunk)]
    parts = pool.map(_apply, jobs) if pool is not None else [_apply(j) for j in jobs]
    out: list[Any] = [x for p in parts for x in p]
    return out, codes


def _phone_key(values: pd.Series) -> pd.Series:
    """Digits (with a leading +) so that formats of one number share a cache entry."""
    return values.fillna("").astype(str).str.replace(_NON_DIGIT, "", regex=True)


def normalize_records(raw: pd.DataFrame, *, workers: int = 1) -> pa.Table:
    """Normalise raw records (synth columns) into an Arrow table of ResolutionRecord fields."""
    pool = mp.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        country = raw["country"].astype(str).str.upper()
        names, ncodes = _map_unique("name", raw["name"], country, pool)
        name_arr = (
            np.array(names, dtype=object).reshape(-1, 8) if names else np.empty((0, 8), object)
        )
        ph1, c1 = _map_unique("phone", _phone_key(raw["phone"]), country, pool)
        ph2, c2 = _map_unique("phone", _phone_key(raw["phone2"]), country, pool)
        em, ce = _map_unique("email", raw["email"], country, pool)
        dob, cd = _map_unique("dob", raw["birth_date"], country, pool)
        addr, ca = _map_unique("addr", raw["address"], country, pool)
        post, cp = _map_unique("post", raw["postcode"], country, pool)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    p1 = np.array(ph1, dtype=object)[c1]
    p2 = np.array(ph2, dtype=object)[c2]
    phones = [
        [a, b] if a and b and a != b else ([a] if a else ([b] if b else []))
        for a, b in zip(p1, p2, strict=True)
    ]
    emails_n = np.array(em, dtype=object)[ce]
    cols: dict[str, Any] = {
        "record_id": raw["record_id"].to_numpy(np.int64),
        "source": raw["source"].astype(str).to_numpy(),
        "external_id": raw["external_id"].astype(str).to_numpy(),
    }
    for i, c in enumerate(
        (
            "name_key",
            "name_latin",
            "given",
            "family",
            "given_alt",
            "gender",
            "name_system",
            "family_alt",
        )
    ):
        cols[c] = name_arr[ncodes, i] if len(name_arr) else np.array([], dtype=object)
    cols["emails"] = [[e] if e else [] for e in emails_n]
    cols["email_verified"] = raw["email_verified"].to_numpy(bool) & (emails_n != "")
    cols["phones"] = phones
    cols["birth_date"] = np.array(dob, dtype=object)[cd]
    cols["address"] = np.array(addr, dtype=object)[ca]
    cols["postcode"] = np.array(post, dtype=object)[cp]
    cols["country"] = country.to_numpy()
    refs = raw["ref"].fillna("").astype(str).to_numpy() if "ref" in raw else np.full(len(raw), "")
    cols["refs"] = [[r] if r else [] for r in refs]
    arrays = {k: pa.array(v) for k, v in cols.items()}
    for k in ("address", "postcode"):
        arrays[k] = pa.compute.if_else(
            pa.compute.equal(arrays[k], ""), pa.scalar(None, pa.string()), arrays[k]
        )
    return pa.table(arrays)
