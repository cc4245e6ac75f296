"""Engine features and candidate pairs, computed in DuckDB from normalised records."""

from __future__ import annotations

import os
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from cxloop.profiles.resolution.records import records_to_frame

# E.164 prefixes of fixed lines where the numbering plan tells them apart from mobiles.
# Fixed lines are shared by a household, so they count as location, not identity.
FIXED_LINE_RE = r"^\+(886[2-8]|852[23]|86(10|2[0-9]|[3-9][0-9]{2})[2-8]|66[2-7]|853[28])"

# Candidate-pair keys: (kind, SQL expression giving a key or NULL). Pairs sharing a key of
# the same kind are compared; keys shared by more than max_block records are skipped, and
# the broad keys below (useful on small or noisy data) only while their block is small.
BLOCKING_KEYS: tuple[tuple[str, str], ...] = (
    ("phone", "phone"),
    ("email", "email"),
    # Birth date + any name part (given, family, other romanisation of the family): a pair
    # with given and family names swapped still shares a key.
    ("dob_name", "dob_s || '|' || unnest(parts)"),
    # Birth date + a name part without its first letter, or with it (the same kind): two
    # spellings of a name with a typo in the first letter still share a key.
    ("dob_name_typo", "dob_s || '|' || unnest(part_dels)"),
    ("name_postcode", "CASE WHEN given <> '' THEN name_latin || '|' || postcode END"),
    ("address", "address"),
    ("name_year", "CASE WHEN given <> '' THEN name_latin || '|' || year(birth_date) END"),
    ("rare_name", "CASE WHEN given <> '' AND name_n <= 12 THEN name_set END"),
    ("postcode_name", "postcode || '|' || unnest(parts)"),
    ("dob_postcode", "dob_s || '|' || postcode"),
    (
        "dob_initials",
        "CASE WHEN given <> '' THEN dob_s || '|' || least(left(given, 1), left(family, 1)) "
        "|| greatest(left(given, 1), left(family, 1)) END",
    ),
    (
        "prefix_year",
        "CASE WHEN given <> '' THEN left(family, 3) || left(given, 3) || year(birth_date) END",
    ),
    (
        "postcode_initials",
        "CASE WHEN given <> '' THEN postcode || '|' || left(given, 2) || left(family, 2) END",
    ),
    (
        "name_address",
        "CASE WHEN given <> '' THEN left(given, 2) || left(family, 2) || left(address, 6) END",
    ),
    ("family", "family"),
    ("given", "given"),
    ("address_prefix", "left(address, 10)"),
)
# Name parts (and their one-deletion variants) shorter than this make no typo keys.
TYPO_MIN_LEN = 4


def register_input(con: duckdb.DuckDBPyConnection, name: str, records: Any) -> None:
    """Register records (ResolutionRecords, a DataFrame, an Arrow table or a Parquet path)."""
    if isinstance(records, (str, os.PathLike)):
        path = str(records).replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW {name}_src AS SELECT * FROM read_parquet('{path}')")  # noqa: S608
    elif isinstance(records, pa.Table):
        con.register(f"{name}_src", records)
    else:
        df = records_to_frame(records if isinstance(records, pd.DataFrame) else list(records))
        con.register(f"{name}_src", df)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {name} AS
        SELECT record_id::BIGINT AS record_id, source::VARCHAR AS source,
               external_id::VARCHAR AS external_id,
               coalesce(name_key, '') AS name_key, coalesce(name_latin, '') AS name_latin,
               coalesce(given, '') AS given, coalesce(family, '') AS family,
               coalesce(given_alt, '') AS given_alt, coalesce(family_alt, '') AS family_alt,
               coalesce(gender, '') AS gender, coalesce(name_system, '') AS name_system,
               coalesce(emails, []::VARCHAR[]) AS emails,
               coalesce(email_verified, false) AS email_verified,
               coalesce(phones, []::VARCHAR[]) AS phones,
               birth_date::DATE AS birth_date,
               nullif(address, '') AS address, nullif(postcode, '') AS postcode,
               country::VARCHAR AS country,
               coalesce(refs, []::VARCHAR[]) AS refs
        FROM {name}_src
        """  # noqa: S608
    )
    if isinstance(records, (str, os.PathLike)):
        con.execute(f"DROP VIEW {name}_src")
    else:
        con.unregister(f"{name}_src")


def build_features(
    con: duckdb.DuckDBPyConnection, src: str, out: str, shared_from: str | None = None
) -> None:
    """Per-record engine columns: personal vs shared phones/emails, scalar keys, dob string.

    A phone is shared (household or business line) when its numbering plan says fixed line
    or when records carrying it have different birth dates; an email is shared when records
    carrying it have different birth dates. ``shared_from`` names a table whose records also
    count for sharedness (the existing population in incremental runs).
    """
    pool = f"(SELECT * FROM {src} UNION ALL SELECT * FROM {shared_from})" if shared_from else src  # noqa: S608
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _ph AS
        WITH x AS (SELECT record_id, unnest(phones) AS v, birth_date FROM {pool})
        SELECT v, count(DISTINCT birth_date) >= 2 OR regexp_matches(v, '{FIXED_LINE_RE}') AS shared
        FROM x GROUP BY v;
        CREATE OR REPLACE TEMP TABLE _em AS
        WITH x AS (SELECT record_id, unnest(emails) AS v, birth_date FROM {pool})
        SELECT v, count(DISTINCT birth_date) >= 2 AS shared FROM x GROUP BY v;
        CREATE OR REPLACE TEMP TABLE _phr AS
        WITH x AS (SELECT record_id, unnest(phones) AS v FROM {src})
        SELECT record_id,
               list(x.v ORDER BY x.v) FILTER (WHERE NOT s.shared) AS p_phones,
               list(x.v ORDER BY x.v) FILTER (WHERE s.shared) AS s_phones
        FROM x JOIN _ph s USING (v) GROUP BY record_id;
        CREATE OR REPLACE TEMP TABLE _emr AS
        WITH x AS (SELECT record_id, unnest(emails) AS v FROM {src})
        SELECT record_id,
               list(x.v ORDER BY x.v) FILTER (WHERE NOT s.shared) AS p_emails
        FROM x JOIN _em s USING (v) GROUP BY record_id;
        CREATE OR REPLACE TABLE {out} AS
        SELECT r.record_id AS unique_id, r.source, r.external_id, r.name_key, r.name_latin,
               r.given, r.family, r.given_alt, r.family_alt, r.gender, r.name_system,
               coalesce(p.p_phones, []::VARCHAR[]) AS p_phones,
               coalesce(p.s_phones, []::VARCHAR[]) AS s_phones,
               nullif(coalesce(p.p_phones, []::VARCHAR[])[1], '') AS phone1,
               r.emails, coalesce(e.p_emails, []::VARCHAR[]) AS p_emails,
               r.emails[1] AS email1,
               list_transform(r.emails, lambda x: split_part(x, '@', 1)) AS email_locals,
               r.email_verified, r.birth_date, strftime(r.birth_date, '%Y-%m-%d') AS dob_s,
               r.address, r.postcode, r.country, r.refs
        FROM {src} r LEFT JOIN _phr p USING (record_id) LEFT JOIN _emr e USING (record_id);
        DROP TABLE _ph; DROP TABLE _em; DROP TABLE _phr; DROP TABLE _emr;
        """  # noqa: S608
    )


BROAD_KEYS = frozenset(
    {
        "family",
        "given",
        "address_prefix",
        "postcode_name",
        "name_address",
        "prefix_year",
        "postcode_initials",
        "dob_postcode",
        "rare_name",
    }
)
BROAD_MAX_BLOCK = 8


def _keys_sql(feat: str, names: str | None) -> str:
    """SQL listing (unique_id, kind, key) for every blocking key of every record."""

    def name_set(t: str) -> str:  # the name's parts in sorted order (swap-proof)
        g, f = f"{t}.given", f"{t}.family"
        return (
            f"CASE WHEN {g} = '' THEN NULL WHEN {g} <= {f} THEN {g} || ' ' || {f} "
            f"ELSE {f} || ' ' || {g} END"
        )

    name_n = (
        f"(SELECT {name_set('x')} AS name_set, count(*) AS name_n "  # noqa: S608
        f"FROM {names or feat} x GROUP BY 1)"
    )
    base = f"""
        SELECT f.unique_id, f.given, f.family, f.name_latin, f.birth_date, f.dob_s, f.postcode,
               f.address, coalesce(n.name_n, 1) AS name_n, n.name_set,
               f.p_phones || f.s_phones AS all_phones, f.emails,
               list_distinct(list_filter([f.given, f.family, f.family_alt], lambda x: x <> ''))
                   AS parts
        FROM {feat} f LEFT JOIN {name_n} n ON n.name_set = {name_set("f")}
    """  # noqa: S608
    # Typo keys: a name part without its first letter. A typo after the first letters is
    # caught by the birth date + initials key; this one catches a typo in the first letter.
    dels = (
        f"list_transform(list_filter(parts, lambda x: length(x) >= {TYPO_MIN_LEN}), "
        "lambda x: substr(x, 2))"
    )
    parts = []
    for kind, expr in BLOCKING_KEYS:
        if kind == "phone":
            sql = "SELECT unique_id, unnest(all_phones) AS key FROM b"
        elif kind == "email":
            sql = "SELECT unique_id, unnest(emails) AS key FROM b"
        elif kind in ("dob_name", "postcode_name"):
            col = "dob_s" if kind == "dob_name" else "postcode"
            sql = f"SELECT unique_id, {expr} AS key FROM b WHERE {col} IS NOT NULL"  # noqa: S608
        elif kind == "dob_name_typo":
            sql = (
                f"SELECT unique_id, dob_s || '|' || unnest(parts || {dels}) AS key FROM b "  # noqa: S608
                "WHERE dob_s IS NOT NULL"
            )
        else:
            sql = f"SELECT unique_id, {expr} AS key FROM b"  # noqa: S608
        parts.append(
            f"SELECT unique_id, '{kind}' AS kind, key FROM ({sql}) "  # noqa: S608
            "WHERE key IS NOT NULL AND key <> ''"
        )
    # Materialised: every kind below reads it (inlined, the name-count join would run per kind).
    return f"WITH b AS MATERIALIZED ({base}) " + " UNION ALL ".join(parts)


def _broad() -> str:
    return ", ".join(f"'{k}'" for k in sorted(BROAD_KEYS))


def candidate_pairs(
    con: duckdb.DuckDBPyConnection,
    feat: str,
    out: str,
    *,
    max_block: int = 60,
    right: str | None = None,
) -> int:
    """Materialise candidate pairs (unique_id_l < unique_id_r, first blocking kind).

    The kept blocks get an integer id first and the pairs are joined on it: the same pairs
    as joining on (kind, key) strings, for about a quarter less CPU at 1M records (13.5 vs
    18.0 s). The ids are numbered, not hashed: DuckDB's string hash collides on similar keys.

    With ``right`` given, pairs are formed between ``feat`` (new records) and ``right``
    (existing records) plus within ``feat``; otherwise within ``feat``.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kl AS {_keys_sql(feat, right)}")
    if right is None:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _kb AS
            SELECT kind, key, row_number() OVER () AS block FROM _kl GROUP BY ALL
            HAVING count(*) BETWEEN 2 AND {max_block}
                AND (count(*) <= {BROAD_MAX_BLOCK} OR kind NOT IN ({_broad()}));
            CREATE OR REPLACE TEMP TABLE _kn AS
            SELECT unique_id, kind, block FROM _kl JOIN _kb USING (kind, key);
            CREATE OR REPLACE TABLE {out} AS
            SELECT l.unique_id AS unique_id_l, r.unique_id AS unique_id_r, min(l.kind) AS match_key
            FROM _kn l JOIN _kn r USING (block)
            WHERE l.unique_id < r.unique_id
            GROUP BY ALL;
            DROP TABLE _kb; DROP TABLE _kn;
            """  # noqa: S608
        )
    else:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _kr AS {_keys_sql(right, right)};
            CREATE OR REPLACE TEMP TABLE _ka AS SELECT * FROM _kl UNION ALL SELECT * FROM _kr;
            CREATE OR REPLACE TEMP TABLE _kb AS
            SELECT kind, key, row_number() OVER () AS block FROM _ka GROUP BY ALL
            HAVING count(*) BETWEEN 2 AND {max_block}
                AND (count(*) <= {BROAD_MAX_BLOCK} OR kind NOT IN ({_broad()}));
            CREATE OR REPLACE TEMP TABLE _kn AS
            SELECT unique_id, kind, block FROM _kl JOIN _kb USING (kind, key);
            CREATE OR REPLACE TEMP TABLE _kan AS
            SELECT unique_id, kind, block FROM _ka JOIN _kb USING (kind, key);
            CREATE OR REPLACE TABLE {out} AS
            SELECT least(l.unique_id, r.unique_id) AS unique_id_l,
                   greatest(l.unique_id, r.unique_id) AS unique_id_r, min(l.kind) AS match_key
            FROM _kn l JOIN _kan r USING (block)
            WHERE l.unique_id <> r.unique_id
            GROUP BY ALL;
            DROP TABLE _kr; DROP TABLE _ka; DROP TABLE _kb; DROP TABLE _kn; DROP TABLE _kan;
            """  # noqa: S608
        )
    con.execute("DROP TABLE _kl")
    row = con.execute(f"SELECT count(*) FROM {out}").fetchall()[0]  # noqa: S608
    return int(row[0]) if row else 0
