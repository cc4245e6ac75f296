"""Exact-key links, Splink scoring with a recalibrated prior, and link explanations."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from cxloop.profiles.resolution.calibration import calibrate, level_weights
from cxloop.profiles.resolution.guard import Reason
from cxloop.profiles.resolution.records import Link, ResolutionResult

_COMPATIBLE = """
    (a.birth_date IS NULL OR b.birth_date IS NULL OR a.birth_date = b.birth_date)
    AND (a.gender = '' OR b.gender = '' OR a.gender = b.gender)
    AND (a.given = '' OR b.given = '' OR a.given = b.given OR a.given_alt = b.given
         OR b.given_alt = a.given OR jaro_winkler_similarity(a.given, b.given) >= 0.88
         OR a.name_system <> b.name_system)
"""
_METHOD_RANK = {"exact:external_id": 0, "exact:email": 1, "exact:phone": 2, "probabilistic": 3}


def deterministic_pairs(
    con: duckdb.DuckDBPyConnection, feat: str, *, new: str | None = None
) -> pd.DataFrame:
    """Pairs joined on strong keys: same source id / reference, verified email, phone + name.

    With ``new`` given, only pairs involving at least one record of that table are returned
    (``feat`` then holds new and candidate existing records together).
    """
    only_new = (
        f"AND (a.unique_id IN (SELECT unique_id FROM {new}) "  # noqa: S608
        f"OR b.unique_id IN (SELECT unique_id FROM {new}))"
        if new
        else ""
    )
    sql = f"""
    WITH ext AS (
        SELECT a.unique_id AS l, b.unique_id AS r, 'exact:external_id' AS method
        FROM {feat} a JOIN {feat} b ON a.source = b.source AND a.external_id = b.external_id
        WHERE a.unique_id < b.unique_id {only_new}
    ), refs AS (
        SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r,
               'exact:external_id' AS method
        FROM (SELECT unique_id, unnest(refs) AS ref FROM {feat}) a
        JOIN {feat} b ON a.ref = b.source || ':' || b.external_id
        WHERE a.unique_id <> b.unique_id {only_new}
    ), ve AS (SELECT unique_id, unnest(p_emails) AS k FROM {feat} WHERE email_verified),
    vek AS (SELECT k FROM ve GROUP BY k HAVING count(*) BETWEEN 2 AND 20),
    vep AS MATERIALIZED (
        SELECT x.unique_id AS l, y.unique_id AS r FROM ve x JOIN vek USING (k) JOIN ve y USING (k)
        WHERE x.unique_id < y.unique_id
    ),
    em AS (
        SELECT p.l, p.r, 'exact:email' AS method
        FROM vep p JOIN {feat} a ON a.unique_id = p.l JOIN {feat} b ON b.unique_id = p.r
        WHERE {_COMPATIBLE} {only_new}
    ), pp AS (
        SELECT unique_id, unnest(p_phones) AS k, name_latin FROM {feat}
        WHERE name_latin <> '' AND given <> ''
    ),
    ppk AS (SELECT k, name_latin FROM pp GROUP BY ALL HAVING count(*) BETWEEN 2 AND 20),
    ppp AS MATERIALIZED (
        SELECT x.unique_id AS l, y.unique_id AS r
        FROM pp x JOIN ppk USING (k, name_latin) JOIN pp y USING (k, name_latin)
        WHERE x.unique_id < y.unique_id
    ),
    ph AS (
        SELECT p.l, p.r, 'exact:phone' AS method
        FROM ppp p JOIN {feat} a ON a.unique_id = p.l JOIN {feat} b ON b.unique_id = p.r
        WHERE {_COMPATIBLE} {only_new}
    ), allp AS (
        SELECT * FROM ext UNION ALL SELECT * FROM refs UNION ALL SELECT * FROM em
        UNION ALL SELECT * FROM ph
    )
    SELECT l, r, arg_min(method, CASE method WHEN 'exact:external_id' THEN 0
                                              WHEN 'exact:email' THEN 1 ELSE 2 END) AS method
    FROM allp GROUP BY l, r
    """  # noqa: S608
    df: pd.DataFrame = con.execute(sql).df()
    return df


def score_frame(
    con: duckdb.DuckDBPyConnection,
    feat: str,
    pairs: str,
    settings: dict[str, Any],
    *,
    n: int,
    rate: float | None,
    linker_factory: Callable[..., Any],
    tf_table: str,
    tf_min: float,
) -> tuple[str, dict[str, Any], float]:
    """Score candidate pairs: Splink computes comparison vectors, then calibrate weights.

    Returns the scores table name, the calibrated settings and the matches-per-record rate.
    """
    linker, db = linker_factory(con, feat, gamma_encoding(settings))
    linker.table_management.register_term_frequency_lookup(db.register(tf_table), "name_latin")
    con.execute(
        f"""CREATE OR REPLACE TABLE _bp AS SELECT match_key::VARCHAR AS match_key,
            unique_id_l AS join_key_l, unique_id_r AS join_key_r FROM {pairs}"""  # noqa: S608
    )
    linker.table_management.register_blocked_pairs_for_predict(db.register("_bp"))
    pred = linker.inference.predict(warning_mode="never")  # keeps each pair's match_key
    names = [c["output_column_name"] for c in settings["comparisons"]]
    gammas = ", ".join(f"(round(p.mw_{c})::INTEGER - 1) AS gamma_{c}" for c in names)
    con.execute(
        f"""CREATE OR REPLACE TABLE scores AS
            SELECT p.unique_id_l, p.unique_id_r, {gammas},
                   p.tf_name_latin_l, p.tf_name_latin_r,
                   0.0::DOUBLE AS bf_sum, 0.0::DOUBLE AS match_weight,
                   0.0::DOUBLE AS match_probability, p.match_key AS block
            FROM {pred.physical_name} p"""  # noqa: S608
    )
    pred.drop_table_from_database_and_remove_from_cache()
    con.execute("DROP TABLE _bp")
    exact = (
        int(con.execute("SELECT count(*) FROM det_pairs").fetchall()[0][0]) if rate is None else 0
    )
    calibrated, rate = calibrate(
        con, "scores", settings, n=n, rate=rate, tf_min=tf_min, exact_pairs=exact
    )
    return "scores", calibrated, rate


ENGINE_KEYS = ("u_sample_pairs",)


def splink_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Copy of settings without the engine's own bookkeeping keys (Splink rejects them)."""
    out = {k: copy.deepcopy(v) for k, v in settings.items() if k not in ENGINE_KEYS}
    for comp in out.get("comparisons", []):
        for lv in comp["comparison_levels"]:
            lv.pop("u_raw", None)
    return out


def gamma_encoding(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings whose per-level weight is gamma + 1 (null: 0), to read Splink's comparison vectors.

    Splink's predict keeps the per-comparison match weights but not the gamma values unless
    every input column is retained too; with m = 2^(gamma+1) / C and u = 1 / C the weight
    log2(m/u) is gamma + 1 exactly. Calibrated weights are then applied in SQL.
    """
    enc = splink_settings(settings)
    for comp in enc["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        scale = 2.0 ** (len(levels) + 1)
        for i, lv in enumerate(levels):
            g = len(levels) - 1 - i
            lv["m_probability"] = 2.0 ** (g + 1) / scale
            lv["u_probability"] = 1.0 / scale
    return enc


def recalibrate(match_weight: float, old_prior: float, new_prior: float) -> float:
    """Shift a match weight from one prior to another."""
    return (
        match_weight
        - math.log2(old_prior / (1 - old_prior))
        + math.log2(new_prior / (1 - new_prior))
    )


def explain_rows(df: pd.DataFrame, settings: dict[str, Any], tf_min: float) -> list[dict[str, Any]]:
    """Per-field explanation (level, gamma, Bayes factor, log2 weight) for scored pairs."""
    table = level_weights(settings)
    out: list[dict[str, Any]] = []
    for row in df.to_dict("records"):
        exp: dict[str, Any] = {}
        for name, levels in table.items():
            g = int(row.get(f"gamma_{name}", -1))
            label, w, tf_col, m = levels.get(g, ("null", 0.0, None, 1.0))
            if tf_col is not None:
                tfs = [row.get(f"tf_{tf_col}_l"), row.get(f"tf_{tf_col}_r")]
                vals = [float(v) for v in tfs if v is not None and not pd.isna(v)]
                if vals:
                    w = math.log2(m / max(*vals, tf_min))
            exp[name] = {
                "level": label,
                "gamma": g,
                "bayes_factor": round(2.0**w, 6),
                "log2_bayes_factor": round(w, 4),
            }
        out.append(exp)
    return out


def links_from_frames(
    scores: str | pd.DataFrame,
    det: pd.DataFrame,
    clusters: dict[int, int],
    *,
    review_threshold: float,
    auto_threshold: float,
    settings: dict[str, Any],
    materialize: bool,
    tf_min: float,
    con: duckdb.DuckDBPyConnection | None = None,
    held: dict[tuple[int, int], Reason] | None = None,
) -> ResolutionResult:
    """Build the result: links at or above the review threshold (and exact links), review queue.

    ``held`` pairs (kept apart by the contradiction guard) get ``review_reason`` in their
    comparison and join the review queue.
    """
    if not materialize:
        return ResolutionResult(links=[], clusters=clusters, stats={})
    if isinstance(scores, pd.DataFrame):
        kept = scores
    else:
        assert con is not None
        kept = con.execute(
            f"SELECT * EXCLUDE (bf_sum) FROM {scores} "  # noqa: S608
            f"WHERE match_probability >= {review_threshold} "
            f"OR (unique_id_l, unique_id_r) IN (SELECT (l, r) FROM det_pairs)"
        ).df()
    stats: dict[str, Any] = {}
    det_map = {
        (int(a), int(b)): str(m) for a, b, m in det[["l", "r", "method"]].itertuples(index=False)
    }
    explanations = explain_rows(kept, settings, tf_min)
    links: list[Link] = []
    review: list[Link] = []
    for row, exp in zip(kept.to_dict("records"), explanations, strict=True):
        a, b = int(row["unique_id_l"]), int(row["unique_id_r"])
        method = det_map.get((a, b), "probabilistic")
        prob = float(row["match_probability"])
        if method != "probabilistic":
            exp["exact_key"] = method
            exp["splink_probability"] = prob
            prob = 1.0
        reason = held.get((min(a, b), max(a, b))) if held else None
        if reason is not None:
            exp["review_reason"] = reason.as_json()
        link = Link(a, b, method, float(row["match_weight"]), prob, exp)
        links.append(link)
        if review_threshold <= prob < auto_threshold or reason is not None:
            review.append(link)
    links.sort(key=lambda lk: (-lk.probability, lk.record_a, lk.record_b))
    review.sort(key=lambda lk: -lk.probability)
    return ResolutionResult(links=links, clusters=clusters, stats=stats, review=review)
