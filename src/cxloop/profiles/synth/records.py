"""Per-source customer records of synthetic people, with realistic noise and ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from cxloop.profiles.synth import render
from cxloop.profiles.synth.textarr import S, cat, digits, sl

SOURCES = ("crm", "billing", "support", "web", "pos")


@dataclass(frozen=True)
class SourceProfile:
    """How one source system captures people."""

    share: float  # chance that a person has a record here
    dup: float  # chance of a second record for the same person (duplicate account)
    stale: float  # chance the record carries old address/phone
    p_name: float
    p_phone: float
    p_email: float
    p_dob: float
    p_address: float
    p_verified: float  # chance a correct email is marked verified
    p_typo: float
    p_native_address: float


DEFAULT_SOURCES: dict[str, SourceProfile] = {
    "crm": SourceProfile(0.70, 0.0, 0.15, 0.99, 0.9, 0.8, 0.85, 0.85, 0.4, 0.02, 0.8),
    "billing": SourceProfile(0.55, 0.02, 0.05, 1.0, 0.85, 0.7, 0.5, 0.95, 0.2, 0.02, 0.5),
    "support": SourceProfile(0.35, 0.12, 0.35, 0.95, 0.8, 0.6, 0.35, 0.3, 0.0, 0.06, 0.7),
    "web": SourceProfile(0.45, 0.06, 0.2, 0.9, 0.85, 0.98, 0.6, 0.4, 0.85, 0.02, 0.6),
    "pos": SourceProfile(0.30, 0.10, 0.3, 0.8, 0.9, 0.3, 0.15, 0.1, 0.0, 0.03, 0.7),
}


# A company with decent data hygiene (the demo world): fewer gaps, typos and stale rows.
DEMO_SOURCES: dict[str, SourceProfile] = {
    "crm": SourceProfile(0.80, 0.0, 0.08, 1.0, 0.95, 0.9, 0.9, 0.9, 0.5, 0.01, 0.8),
    "billing": SourceProfile(0.60, 0.01, 0.03, 1.0, 0.92, 0.85, 0.7, 0.95, 0.3, 0.01, 0.5),
    "support": SourceProfile(0.30, 0.05, 0.15, 1.0, 0.92, 0.85, 0.5, 0.4, 0.2, 0.02, 0.7),
    "web": SourceProfile(0.50, 0.03, 0.1, 0.95, 0.92, 1.0, 0.7, 0.5, 0.9, 0.01, 0.6),
    "pos": SourceProfile(0.25, 0.05, 0.15, 0.9, 0.97, 0.5, 0.3, 0.2, 0.0, 0.01, 0.7),
}


@dataclass(frozen=True)
class RecordsConfig:
    """Which sources exist and how they behave."""

    sources: dict[str, SourceProfile] = field(default_factory=lambda: dict(DEFAULT_SOURCES))
    crm_ref_rate: float = 0.3  # billing rows that carry the CRM id of their customer


def _sample_records(
    rng: np.random.Generator, n_people: int, cfg: RecordsConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Person index and source index of every record (before shuffling)."""
    names = list(cfg.sources)
    has = np.stack([rng.random(n_people) < cfg.sources[s].share for s in names], axis=1)
    none = ~has.any(axis=1)
    has[none, 0] = True
    dup = np.stack(
        [has[:, i] & (rng.random(n_people) < cfg.sources[s].dup) for i, s in enumerate(names)],
        axis=1,
    )
    person = np.concatenate(
        [np.nonzero(has[:, i])[0] for i in range(len(names))]
        + [np.nonzero(dup[:, i])[0] for i in range(len(names))]
    )
    source = np.concatenate(
        [np.full(int(has[:, i].sum()), i, np.int8) for i in range(len(names))]
        + [np.full(int(dup[:, i].sum()), i, np.int8) for i in range(len(names))]
    )
    return person.astype(np.int64), source


def _per_source(values: dict[str, float], names: list[str], source: np.ndarray) -> np.ndarray:
    """Per-record parameter from a per-source table."""
    out: np.ndarray = np.array([values[s] for s in names])[source]
    return out


def _names(
    rng: np.random.Generator,
    cols: dict[str, np.ndarray],
    person: np.ndarray,
    source: np.ndarray,
    names: list[str],
    p_typo: np.ndarray,
) -> np.ndarray:
    """Render every record's name in a source- and country-dependent style, with typos."""
    country = cols["country"][person]
    out = np.full(len(person), "", dtype=S)
    groups = (
        ("ch", np.isin(country, ["TW", "HK", "CN"]), render.chinese_name),
        ("th", country == "TH", render.thai_name),
        ("us", country == "US", render.us_name),
    )
    for si, sname in enumerate(names):
        probs = render.STYLE_PROBS.get(sname, render.STYLE_PROBS["crm"])
        for g, gmask, fn in groups:
            m = gmask & (source == si)
            if not m.any():
                continue
            p = np.array(probs[g])
            style = rng.choice(len(p), size=int(m.sum()), p=p / p.sum())
            where = np.nonzero(m)[0]
            for st in np.unique(style):
                sel = where[style == st]
                out[sel] = fn(int(st), cols, person[sel])
    typo = np.nonzero(rng.random(len(person)) < p_typo)[0]
    for i in typo.tolist():
        out[i] = render.name_typo(rng, str(out[i]))
    return out


def _emails(
    rng: np.random.Generator,
    cols: dict[str, np.ndarray],
    person: np.ndarray,
    p_email: np.ndarray,
    p_typo: np.ndarray,
    p_verified: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Email as typed in each record and whether the source verified it."""
    n = len(person)
    prim, work, fam = (
        cols["email"][person],
        cols["work_email"][person],
        cols["family_email"][person],
    )
    r = rng.random(n)
    email = np.where(
        (r < 0.1) & (np.strings.str_len(work) > 0),
        work,
        np.where((r > 0.95) & (np.strings.str_len(fam) > 0), fam, prim),
    )
    email = np.where(
        np.strings.str_len(email) > 0, email, np.where(np.strings.str_len(work) > 0, work, fam)
    )
    email = np.where(rng.random(n) < p_email, email, "").astype(S)
    has = np.strings.str_len(email) > 0
    case = rng.random(n)
    email = np.where(
        case < 0.04,
        np.strings.upper(email),
        np.where(case < 0.2, cat(np.strings.upper(sl(email, 0, 1)), sl(email, 1)), email),
    ).astype(S)
    gm = has & np.strings.endswith(np.strings.lower(email), "@gmail.com") & (rng.random(n) < 0.06)
    email[gm] = cat(sl(email[gm], 0, 2), ".", sl(email[gm], 2))
    typo = has & (rng.random(n) < p_typo * 0.7)
    for i in np.nonzero(typo)[0].tolist():
        e = str(email[i])
        at = e.find("@")
        if at > 3:
            k = int(rng.integers(1, at - 1))
            email[i] = e[:k] + e[k + 1] + e[k] + e[k + 2 :]
    verified = has & ~typo & (rng.random(n) < p_verified)
    return email, verified


def _dob_typo(rng: np.random.Generator, d: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Swap day/month, shift a day or a year for a share of the dates."""
    d = d.astype("datetime64[D]").copy()
    hit = rng.random(len(d)) < p
    kind = rng.integers(0, 3, len(d))
    month = d.astype("datetime64[M]")
    day = (d - month).astype(np.int64) + 1
    m = month.astype(np.int64) % 12 + 1
    year = month.astype("datetime64[Y]")
    swap_ok = hit & (kind == 0) & (day <= 12) & (day != m)
    swapped = year + (day - 1).astype("timedelta64[M]") + (m - 1).astype("timedelta64[D]")
    d = np.where(swap_ok, swapped.astype("datetime64[D]"), d)
    d = np.where(hit & (kind == 1), d + np.timedelta64(1, "D"), d)
    return np.where(hit & (kind == 2), d - np.timedelta64(365, "D"), d)


def _columns(people: pd.DataFrame | dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """People as numpy columns (strings as StringDType)."""
    if isinstance(people, dict):
        return people
    cols: dict[str, np.ndarray] = {}
    for c in people.columns:
        kind = people[c].dtype.kind if hasattr(people[c].dtype, "kind") else "O"
        if c in ("birth_date", "member", "person_id", "household_id") or kind in "iumfb":
            cols[c] = people[c].to_numpy()
        else:
            cols[c] = np.asarray(people[c].fillna("").to_numpy(dtype=object), dtype=S)
    cols["birth_date"] = np.asarray(people["birth_date"].to_numpy(dtype="datetime64[D]"))
    return cols


def generate_records(
    people: pd.DataFrame | dict[str, np.ndarray],
    *,
    seed: int = 7,
    config: RecordsConfig | None = None,
) -> pd.DataFrame:
    """Generate the source records of the given people (column person_id is ground truth)."""
    cfg = config or RecordsConfig()
    rng = np.random.default_rng(seed + 1)
    names = list(cfg.sources)
    cols = _columns(people)
    person, source = _sample_records(rng, len(cols["person_id"]), cfg)
    perm = rng.permutation(len(person))
    person, source = person[perm], source[perm]
    n = len(person)
    sp = {
        k: _per_source({s: getattr(cfg.sources[s], k) for s in names}, names, source)
        for k in (
            "stale",
            "p_name",
            "p_phone",
            "p_email",
            "p_dob",
            "p_address",
            "p_verified",
            "p_typo",
            "p_native_address",
        )
    }
    country = cols["country"][person]
    stale = rng.random(n) < sp["stale"]

    name = _names(rng, cols, person, source, names, sp["p_typo"])
    name = np.where(rng.random(n) < sp["p_name"], name, "").astype(S)

    mobile = np.where(
        stale & (np.strings.str_len(cols["old_mobile"][person]) > 0),
        cols["old_mobile"][person],
        cols["mobile"][person],
    )
    land = cols["landline"][person]
    src_name = np.array(names, dtype=S)[source]
    want_land = rng.random(n) < np.where(src_name == "billing", 0.35, 0.1)
    phone = np.where(
        (want_land & (np.strings.str_len(land) > 0)) | (np.strings.str_len(mobile) == 0),
        land,
        mobile,
    )
    phone = np.where(rng.random(n) < sp["p_phone"], phone, "").astype(S)
    phone2 = np.where(
        np.isin(src_name, ["crm", "billing"]) & (rng.random(n) < 0.5) & (phone != land), land, ""
    ).astype(S)

    email, verified = _emails(rng, cols, person, sp["p_email"], sp["p_typo"], sp["p_verified"])

    dob = _dob_typo(rng, cols["birth_date"][person], sp["p_typo"] * 0.8)
    dob_txt = render.format_birth_date(rng, country, dob)
    dob_txt = np.where(rng.random(n) < sp["p_dob"], dob_txt, "").astype(S)

    use_old = stale & (np.strings.str_len(cols["old_address"][person]) > 0)
    native_addr = rng.random(n) < sp["p_native_address"]
    addr_new = np.where(native_addr, cols["address"][person], cols["address_alt"][person])
    addr_old = np.where(native_addr, cols["old_address"][person], cols["old_address_alt"][person])
    address = np.where(use_old, addr_old, addr_new)
    has_addr = rng.random(n) < sp["p_address"]
    address = np.where(has_addr, address, "").astype(S)
    postcode = np.where(use_old, cols["old_postcode"][person], cols["postcode"][person])
    postcode = np.where(has_addr & (rng.random(n) < 0.85), postcode, "").astype(S)

    seq = np.zeros(n, np.int64)
    for si in range(len(names)):
        m = source == si
        seq[m] = np.arange(1, int(m.sum()) + 1)
    prefix = np.array([s[0].upper() for s in names], dtype=S)[source]
    external_id = cat(prefix, digits(seq, 8))
    ref = _crm_refs(rng, person, source, external_id, names, cfg.crm_ref_rate)
    return pd.DataFrame(
        {
            "record_id": np.arange(1, n + 1, dtype=np.int64),
            "person_id": cols["person_id"][person],
            "source": pd.Categorical.from_codes(source, categories=pd.Index(names)),
            "external_id": _arrow(external_id),
            "name": _arrow(name),
            "email": _arrow(email),
            "email_verified": verified,
            "phone": _arrow(render.format_phone(rng, country, phone)),
            "phone2": _arrow(render.format_phone(rng, country, phone2)),
            "birth_date": _arrow(dob_txt),
            "address": _arrow(address),
            "postcode": _arrow(postcode),
            "country": pd.Categorical(country.astype(object)),
            "ref": _arrow(ref),
        }
    )


def _crm_refs(
    rng: np.random.Generator,
    person: np.ndarray,
    source: np.ndarray,
    ext: np.ndarray,
    names: list[str],
    rate: float,
) -> np.ndarray:
    """Billing rows that name the CRM record of their customer ("crm:C00000012")."""
    out = np.full(len(person), "", dtype=S)
    if "crm" not in names or "billing" not in names:
        return out
    crm = source == names.index("crm")
    crm_of = pd.Series(ext[crm], index=person[crm])
    crm_of = crm_of[~crm_of.index.duplicated()]
    bill = np.nonzero((source == names.index("billing")) & (rng.random(len(person)) < rate))[0]
    ids = crm_of.reindex(person[bill]).to_numpy()
    ok = pd.notna(ids)
    out[bill[ok]] = cat("crm:", np.asarray(ids[ok], dtype=S))
    return out


def _arrow(values: np.ndarray) -> pd.Series:
    """A compact Arrow-backed string column ("" stays "")."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.array(np.asarray(values, dtype=S))))
