"""Bulk normalisation of raw source records into the ResolutionRecord table form.

The result is exactly what ``build_record`` gives record by record (a test checks it); it is
fast because every normaliser runs once per *distinct* input (names, phones, emails, dates
and addresses repeat a lot across sources), the inputs are factorised with integer codes
rather than Python tuples, equivalent inputs share one entry (the formats of one phone
number, a value whose country does not matter), and all distinct values of every field are
spread over the worker processes in one batch of balanced chunks.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from cxloop.profiles.resolution.normalize import (
    known_e164,
    name_from_parts,
    normalize_address,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    parse_birth_date,
    phone_key,
)

RAW_COLUMNS = (
    "record_id",
    "source",
    "external_id",
    "name",  # or given_name + family_name (surname) when the source keeps them apart
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
NAME_FIELDS = ("key", "latin", "given", "family", "given_alt", "gender", "system", "family_alt")
NAME_COLUMNS = (
    "name_key",
    "name_latin",
    "given",
    "family",
    "given_alt",
    "gender",
    "name_system",
    "family_alt",
)


def _name_row(value: str, region: str) -> tuple[str, ...]:
    nk = normalize_name(value or None, region or None)
    return tuple(getattr(nk, f) for f in NAME_FIELDS)


def _phone(value: str, region: str) -> str:
    return normalize_phone(value, region or None) or ""


_FUNCS: dict[str, Callable[[str, str], Any]] = {
    "name": _name_row,
    "phone": _phone,
    "dob": lambda v, c: parse_birth_date(v, day_first=c != "US"),
    "addr": lambda v, _c: normalize_address(v) or "",
    "post": lambda v, c: normalize_postcode(v, c or None) or "",
    "email": lambda v, _c: normalize_email(v) or "",
}


_SEP = "\x1f"


def _apply(job: tuple[str, list[str], list[str]]) -> tuple[bool, Any]:
    """Normalise one chunk; return (packed, results).

    String results come back as one string joined by a separator (``packed``): a single
    string crosses the process pipe for the price of a copy, where a list of strings (or of
    name tuples) costs a pickle and an unpickle per object. Name rows are flattened first.
    Results holding the separator itself, and dates, go back as the plain list.
    """
    kind, values, regions = job
    fn = _FUNCS[kind]
    gc.disable()  # millions of small, acyclic objects: cyclic GC passes only cost time
    try:
        results = [fn(v, c) for v, c in zip(values, regions, strict=True)]
    finally:
        gc.enable()
    if kind == "dob" or not results:
        return False, results
    flat = [x for row in results for x in row] if kind == "name" else results
    try:
        joined = _SEP.join(flat)
    except TypeError:  # a result that is not a string
        return False, results
    if joined.count(_SEP) != len(flat) - 1:
        return False, results
    return True, joined


def _unpack(kind: str, packed: bool, part: Any) -> np.ndarray:
    """The results of one chunk as an array (one row of NAME_FIELDS per name)."""
    if packed:
        flat = np.array(part.split(_SEP), dtype=object)
        return flat.reshape(-1, len(NAME_FIELDS)) if kind == "name" else flat
    out = np.empty((len(part), len(NAME_FIELDS)) if kind == "name" else len(part), dtype=object)
    for i, r in enumerate(part):  # element-wise: dates stay dates, name rows fill a row
        out[i] = r
    return out


class _Field:
    """The distinct (value, region) inputs of one normaliser and each record's input code."""

    def __init__(self, kind: str, values: np.ndarray, regions: np.ndarray) -> None:
        self.kind = kind
        vcodes, vuniq = pd.factorize(values)
        rcodes, runiq = pd.factorize(regions)
        k = max(len(runiq), 1)
        combined = vcodes.astype(np.int64) * k + rcodes
        self.codes, uniq = pd.factorize(combined)
        self.values = np.asarray(vuniq, dtype=object)[uniq // k]
        self.regions = np.asarray(runiq, dtype=object)[uniq % k]
        shape = (len(uniq), len(NAME_FIELDS)) if kind == "name" else (len(uniq),)
        self.results = np.empty(shape, dtype=object)

    def jobs(self, chunk: int, which: np.ndarray | None = None) -> list[_Job]:
        """Chunks of the distinct inputs (those at the positions ``which``, default all)."""
        idx = np.arange(len(self.values)) if which is None else which
        return [
            _Job(self, part, (self.kind, self.values[part].tolist(), self.regions[part].tolist()))
            for part in (idx[i : i + chunk] for i in range(0, len(idx), chunk))
        ]

    def per_record(self) -> np.ndarray:
        return self.results[self.codes]


class _Job(NamedTuple):
    field: _Field
    positions: np.ndarray
    payload: tuple[str, list[str], list[str]]


def _run(jobs: list[_Job], pool: Any) -> None:
    """Normalise every job's inputs (in the pool when there is one) into its field."""
    payloads = [j.payload for j in jobs]
    parts = pool.map(_apply, payloads, chunksize=1) if pool is not None else map(_apply, payloads)
    for job, (packed, part) in zip(jobs, parts, strict=True):
        job.field.results[job.positions] = _unpack(job.field.kind, packed, part)


def _text(raw: pd.DataFrame, col: str) -> np.ndarray:
    """A column as an object array of str ("" where missing); categoricals included."""
    if col not in raw:
        return np.full(len(raw), "", dtype=object)
    s = raw[col]
    out = s.astype(object).where(s.notna(), "").to_numpy(dtype=object)
    if pd.api.types.infer_dtype(out, skipna=False) not in ("string", "empty"):
        out = np.array([str(x) for x in out], dtype=object)
    return out


def _names(raw: pd.DataFrame) -> np.ndarray:
    """The full name, or one built from given and family names when there is none."""
    names = _text(raw, "name")
    family_col = "family_name" if "family_name" in raw else "surname"
    if "given_name" not in raw and family_col not in raw:
        return names
    given, family = _text(raw, "given_name"), _text(raw, family_col)
    todo = (names == "") & ((given != "") | (family != ""))
    if todo.any():
        names = names.copy()
        names[todo] = [
            name_from_parts(g, f) for g, f in zip(given[todo], family[todo], strict=True)
        ]
    return names


def _phone_inputs(values: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Phone cache keys: bare digits, and the region only where it matters."""
    keys = np.empty(len(values), dtype=object)
    regions = np.empty(len(values), dtype=object)
    codes, uniq = pd.factorize(pd.Series(values, dtype=object) + "\x1f" + region)
    pairs = [phone_key(*u.split("\x1f", 1)) if u[0] != "\x1f" else ("", None) for u in uniq]
    if len(codes):
        keys[:] = np.array([p[0] for p in pairs], dtype=object)[codes]
        regions[:] = np.array([p[1] or "" for p in pairs], dtype=object)[codes]
    return keys, regions


def normalize_records(raw: pd.DataFrame, *, workers: int = 1, chunk: int = 0) -> pa.Table:
    """Normalise raw records (synth columns) into an Arrow table of ResolutionRecord fields."""
    enabled = gc.isenabled()
    gc.disable()  # see _apply; the objects built here hold no reference cycles
    try:
        return _normalize(raw, workers, chunk)
    finally:
        if enabled:
            gc.enable()


def _normalize(raw: pd.DataFrame, workers: int, chunk: int) -> pa.Table:
    country = np.array([c.upper() for c in _text(raw, "country")], dtype=object)
    blank = np.full(len(raw), "", dtype=object)
    us = np.where(country == "US", "US", "")
    ph1 = _phone_inputs(_text(raw, "phone"), country)
    ph2 = _phone_inputs(_text(raw, "phone2"), country)
    phones = _Field("phone", np.concatenate([ph1[0], ph2[0]]), np.concatenate([ph1[1], ph2[1]]))
    fields = {
        "name": _Field("name", _names(raw), country),
        "phone": phones,
        "email": _Field("email", _text(raw, "email"), blank),
        "dob": _Field("dob", _text(raw, "birth_date"), us),
        "addr": _Field("addr", _text(raw, "address"), blank),
        "post": _Field("post", _text(raw, "postcode"), country),
    }
    total = sum(len(f.values) for f in fields.values())
    size = chunk or max(1_000, min(20_000, total // max(4 * workers, 1) + 1))
    # International numbers last: those equal to a result of the first pass (the same
    # number written nationally elsewhere) are known valid E.164 and need no parse.
    intl = np.array([v.startswith("+") for v in phones.values], dtype=bool)
    first = [j for name, f in fields.items() if name != "phone" for j in f.jobs(size)]
    first += phones.jobs(size, np.flatnonzero(~intl))
    pool = mp.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        _run(first, pool)
        known = {r for r in phones.results[~intl] if r}
        done = intl & np.array([v in known for v in phones.values], dtype=bool)
        phones.results[done] = phones.values[done]
        known_e164(known)
        _run(phones.jobs(size, np.flatnonzero(intl & ~done)), pool)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return _table(raw, country, fields)


def _list_column(first: np.ndarray, second: np.ndarray | None = None) -> pa.Array:
    """A list<string> column: [first] when non-empty, then [second] when it differs."""
    has1 = first != ""
    has2 = np.zeros(len(first), bool) if second is None else (second != "") & (second != first)
    head = first if second is None else np.where(has1, first, second)
    has_head = has1 | has2
    two = has1 & has2
    offsets = np.zeros(len(first) + 1, np.int64)
    np.cumsum(has_head.astype(np.int64) + two, out=offsets[1:])
    values = np.empty(int(offsets[-1]), dtype=object)
    values[offsets[:-1][has_head]] = head[has_head]
    if second is not None:
        values[offsets[:-1][two] + 1] = second[two]
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int64()), pa.array(values, pa.string()))


def _nullable(values: np.ndarray) -> pa.Array:
    """A string column with "" as null."""
    return pa.array(values, pa.string(), mask=values == "")


def _table(raw: pd.DataFrame, country: np.ndarray, fields: dict[str, _Field]) -> pa.Table:
    """Assemble the Arrow table of normalised records (columns built vectorised)."""
    n = len(raw)
    arrays: dict[str, Any] = {
        "record_id": pa.array(raw["record_id"].to_numpy(np.int64)),
        "source": pa.array(_text(raw, "source"), pa.string()),
        "external_id": pa.array(_text(raw, "external_id"), pa.string()),
    }
    names = fields["name"]
    for i, c in enumerate(NAME_COLUMNS):
        arrays[c] = pa.array(names.results[:, i][names.codes], pa.string())
    email = fields["email"].per_record()
    arrays["emails"] = _list_column(email)
    verified = (
        raw["email_verified"].fillna(False).to_numpy(bool)
        if "email_verified" in raw
        else np.zeros(n, bool)
    )
    arrays["email_verified"] = pa.array(verified & (email != ""))
    phone = fields["phone"].per_record()
    arrays["phones"] = _list_column(phone[:n], phone[n:])
    arrays["birth_date"] = pa.array(fields["dob"].per_record(), pa.date32())
    for k, f in (("address", "addr"), ("postcode", "post")):
        arrays[k] = _nullable(fields[f].per_record())
    arrays["country"] = _nullable(country)
    arrays["refs"] = _list_column(_text(raw, "ref"))
    return pa.table(arrays)
