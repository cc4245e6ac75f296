"""Training: u from random non-linked pairs, m by Splink's EM sessions on strong keys.

Splink's own ``estimate_u_using_random_sampling`` counts, among its sampled pairs, pairs of
the same person (and, with a seed, a record paired with itself): for near-unique identifiers
(a personal phone or email in common) those dominate the tiny true u, so m/u collapses to
about 1/λ and one strong identifier could never carry a link. We draw random pairs ourselves,
drop pairs already joined by an exact key (same entity), let Splink evaluate their comparison
levels, and set u = count / pairs (at least half an observation). EM (Splink) then estimates
m with u fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import duckdb
from splink import SettingsCreator

from cxloop.profiles.resolution import model as mdl
from cxloop.profiles.resolution.links import splink_settings

logger = logging.getLogger(__name__)


def _random_pairs(con: duckdb.DuckDBPyConnection, table: str, n_pairs: int, seed: int) -> int:
    """Materialise ``_up``: random distinct record pairs not joined by an exact key."""
    # Three steps, each materialised: in one statement DuckDB's optimiser may join _ids with
    # itself on "ent <> ent" first (a cross product, quadratic in the records: 25M rows and
    # 1 GB for 5,000 records) and only then pick the sampled positions.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _ids AS
        SELECT f.unique_id, e.ent,
               (row_number() OVER (ORDER BY hash(f.unique_id + {seed})) - 1)::BIGINT AS i
        FROM {table} f JOIN ent e USING (unique_id);
        CREATE OR REPLACE TEMP TABLE _sij AS
        WITH c AS (SELECT count(*)::UBIGINT AS c FROM _ids)
        SELECT (hash(x * 2 + {seed}) % c)::BIGINT AS i, (hash(x * 2 + 1 + {seed}) % c)::BIGINT AS j
        FROM range({n_pairs}) t(x), c;
        CREATE OR REPLACE TEMP TABLE _sa AS
        SELECT a.unique_id AS ua, a.ent AS ea, s.j FROM _sij s JOIN _ids a ON a.i = s.i;
        CREATE OR REPLACE TABLE _up AS
        SELECT DISTINCT least(s.ua, b.unique_id) AS join_key_l,
               greatest(s.ua, b.unique_id) AS join_key_r, '0' AS match_key
        FROM _sa s JOIN _ids b ON b.i = s.j
        WHERE s.ea <> b.ent;
        DROP TABLE _ids; DROP TABLE _sij; DROP TABLE _sa;
        """  # noqa: S608
    )
    row = con.execute("SELECT count(*) FROM _up").fetchall()[0]
    return int(row[0]) if row else 0


def estimate_u(
    con: duckdb.DuckDBPyConnection,
    table: str,
    settings: dict[str, Any],
    n_pairs: int,
    seed: int,
    linker_factory: Callable[..., Any],
    encode: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[dict[str, Any], int]:
    """Set every level's u to its share among random non-linked pairs (floor: 0.5 / pairs)."""
    sampled = _random_pairs(con, table, n_pairs, seed)
    linker, db = linker_factory(con, table, encode(settings))
    linker.table_management.register_blocked_pairs_for_predict(db.register("_up"))
    pred = linker.inference.predict(warning_mode="never")
    out = dict(settings)
    out["comparisons"] = []
    floor = 0.5 / max(sampled, 1)
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        counts = dict(
            con.execute(
                f"SELECT round(mw_{name})::INTEGER - 1 AS g, count(*) "  # noqa: S608
                f"FROM {pred.physical_name} GROUP BY 1"
            ).fetchall()
        )
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        non_null = sum(v for k, v in counts.items() if k >= 0) or 1
        new_levels = []
        for lv in comp["comparison_levels"]:
            lv = dict(lv)
            if not lv.get("is_null_level"):
                g = (
                    len(levels)
                    - 1
                    - levels.index(
                        next(x for x in levels if x["sql_condition"] == lv["sql_condition"])
                    )
                )
                lv["u_probability"] = max(counts.get(g, 0) / non_null, floor)
                lv.pop("m_probability", None)
            new_levels.append(lv)
        out["comparisons"].append({**comp, "comparison_levels": new_levels})
    pred.drop_table_from_database_and_remove_from_cache()
    con.execute("DROP TABLE _up")
    return out, sampled


def train_model(
    con: duckdb.DuckDBPyConnection,
    n: int,
    sample: int,
    seed: int,
    linker_factory: Callable[..., Any],
    encode: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Train on up to ``sample`` records of ``feat``: u by sampling, m by EM sessions."""
    table = "feat"
    if n > sample:
        con.execute(
            f"""CREATE OR REPLACE TABLE feat_train AS SELECT * FROM feat
                WHERE hash(unique_id + {seed}) % 1000000 < {int(sample / n * 1e6)}"""  # noqa: S608
        )
        table = "feat_train"
    base = SettingsCreator.from_path_or_dict(
        mdl.settings(prior=1e-4).create_settings_dict("duckdb")
    )
    base_dict = base.create_settings_dict("duckdb")
    u_pairs = int(min(2e6, max(2e5, min(sample, n) * 6)))
    with_u, sampled = estimate_u(con, table, base_dict, u_pairs, seed, linker_factory, encode)
    linker, _ = linker_factory(con, table, splink_settings(with_u))
    for rule in mdl.EM_TRAINING_RULES:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=4e5
            )
        except Exception as exc:  # a rule can find no pairs in a tiny population
            logger.warning("EM session %s skipped: %s", rule, exc)
    out: dict[str, Any] = linker.misc.save_model_to_json()
    out["u_sample_pairs"] = sampled
    if table == "feat_train":
        con.execute("DROP TABLE feat_train")
    return out
