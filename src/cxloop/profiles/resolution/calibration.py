"""Calibration: the prior re-estimated by EM over the candidates, u cleaned, weights in SQL.

The probability that two random records match (λ) sets every pair's probability. It is
estimated by EM with m and u fixed: λ = (expected matches among the candidate pairs) /
(all pairs), iterated to a fixed point. Stored as matches per record, it carries over to
populations of another size (λ = 2·rate / (n - 1)).

u is sampled from random pairs not already joined by an exact key, but that sample still
holds pairs of the same person (λ' of them, the matches exact keys did not catch). For a
near-unique identifier those dominate: u ≈ λ'·m, and one personal phone in common would
weigh about 1/λ' — never enough. So u' = (u - λ'·m) / (1 - λ'), floored at half an
observation, and λ is re-estimated with u' until it settles.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import duckdb


def _levels(comp: dict[str, Any]) -> list[dict[str, Any]]:
    """Non-null levels of a comparison, highest gamma first."""
    return [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]


def corrected_settings(settings: dict[str, Any], lam: float, floor: float) -> dict[str, Any]:
    """Copy of settings with u-probabilities cleaned of the expected same-person pairs."""
    out = copy.deepcopy(settings)
    for comp in out["comparisons"]:
        for lv in _levels(comp):
            u_raw = float(lv.get("u_raw", lv.get("u_probability", 0.5)))
            m = float(lv.get("m_probability", u_raw))
            lv["u_raw"] = u_raw
            lv["u_probability"] = max((u_raw - lam * m) / (1 - lam), floor, 1e-12)
    return out


def weight_sql(settings: dict[str, Any], tf_min: float) -> str:
    """SQL expression of the summed log2 Bayes factors from gamma columns (with name TF)."""
    terms: list[str] = []
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        levels = _levels(comp)
        whens = []
        for i, lv in enumerate(levels):
            g = len(levels) - 1 - i
            m = float(lv.get("m_probability", lv.get("u_probability", 0.5)))
            u = float(lv.get("u_probability", 0.5))
            if lv.get("tf_adjustment_column"):
                col = lv["tf_adjustment_column"]
                lr = f"coalesce(tf_{col}_l, tf_{col}_r)"
                rl = f"coalesce(tf_{col}_r, tf_{col}_l)"
                tf = f"greatest({lr}, {rl}, {tf_min})"
                w = (
                    f"CASE WHEN tf_{col}_l IS NULL AND tf_{col}_r IS NULL "
                    f"THEN {math.log2(m / u)} ELSE log2({m} / {tf}) END"
                )
            else:
                w = repr(math.log2(m / u))
            whens.append(f"WHEN {g} THEN {w}")
        terms.append(f"(CASE gamma_{name} {' '.join(whens)} ELSE 0 END)")
    return " + ".join(terms)


def _estimate_lambda(con: duckdb.DuckDBPyConnection, table: str, n: int, lam: float) -> float:
    """EM for the prior with m/u fixed: expected matches among candidates over all pairs.

    ``table`` holds one row per distinct comparison pattern: bf_sum and its pair count n.
    """
    total = max(n * (n - 1) / 2, 1.0)
    for _ in range(40):
        logit = math.log2(lam / (1 - lam))
        row = con.execute(
            f"SELECT coalesce(sum(n / (1 + pow(2, -(bf_sum + {logit})))), 0) FROM {table}"  # noqa: S608
        ).fetchall()[0]
        new = min(max((float(row[0]) if row else 0.0) / total, 1e-12), 0.5)
        if abs(new - lam) <= lam * 1e-4:
            return new
        lam = new
    return lam


def _patterns(con: duckdb.DuckDBPyConnection, table: str, settings: dict[str, Any]) -> str:
    """Distinct comparison patterns (gammas, TF values) of ``table`` with their pair counts.

    The weights depend on nothing else, so the λ iterations run on this table (about 30x
    fewer rows than candidate pairs at 1M records) instead of updating every pair each time.
    """
    cols = [f"gamma_{c['output_column_name']}" for c in settings["comparisons"]]
    tf = sorted(
        {
            lv["tf_adjustment_column"]
            for c in settings["comparisons"]
            for lv in _levels(c)
            if lv.get("tf_adjustment_column")
        }
    )
    cols += [f"tf_{c}_{side}" for c in tf for side in ("l", "r")]
    keys = ", ".join(cols)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _patterns AS
            SELECT {keys}, count(*)::DOUBLE AS n, 0.0::DOUBLE AS bf_sum
            FROM {table} GROUP BY ALL"""  # noqa: S608
    )
    return "_patterns"


def calibrate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    settings: dict[str, Any],
    *,
    n: int,
    rate: float | None,
    tf_min: float,
    exact_pairs: int = 0,
) -> tuple[dict[str, Any], float]:
    """Fill bf_sum/match_weight/match_probability in ``table``; return settings and rate.

    With ``rate`` None the model is fresh: u is cleaned and λ estimated (see module doc);
    otherwise the stored, already cleaned settings and rate are used as they are.
    """
    total = max(n * (n - 1) / 2, 1.0)
    if rate is None:
        floor = 0.5 / float(settings.get("u_sample_pairs", 1e6))
        lam = 1.0 / max(n, 2)
        current = settings
        patterns = _patterns(con, table, settings)
        for _ in range(8):
            lam_rest = max(lam * total - exact_pairs, 0.0) / max(total - exact_pairs, 1.0)
            current = corrected_settings(settings, lam_rest, floor)
            con.execute(f"UPDATE {patterns} SET bf_sum = {weight_sql(current, tf_min)}")  # noqa: S608
            new = _estimate_lambda(con, patterns, n, lam)
            done = abs(new - lam) <= lam * 1e-3
            lam = new
            if done:
                break
        con.execute(f"DROP TABLE {patterns}")
    else:
        current = settings
        lam = min(max(rate * n / total, 1e-12), 0.5)
    con.execute(f"UPDATE {table} SET bf_sum = {weight_sql(current, tf_min)}")  # noqa: S608
    logit = math.log2(lam / (1 - lam))
    con.execute(
        f"""UPDATE {table} SET match_weight = bf_sum + {logit},
                               match_probability = 1 / (1 + pow(2, -(bf_sum + {logit})))"""  # noqa: S608
    )
    out = copy.deepcopy(current)
    out["probability_two_random_records_match"] = lam
    return out, lam * total / max(n, 1)


def level_weights(
    settings: dict[str, Any],
) -> dict[str, dict[int, tuple[str, float, str | None, float]]]:
    """Per comparison: gamma -> (label, log2 Bayes factor, tf column or None, m)."""
    out: dict[str, dict[int, tuple[str, float, str | None, float]]] = {}
    for comp in settings["comparisons"]:
        levels = _levels(comp)
        table: dict[int, tuple[str, float, str | None, float]] = {-1: ("null", 0.0, None, 1.0)}
        for i, lv in enumerate(levels):
            u = float(lv.get("u_probability", 0.5))
            m = float(lv.get("m_probability", u))
            table[len(levels) - 1 - i] = (
                str(lv.get("label_for_charts", "")),
                math.log2(m / u),
                lv.get("tf_adjustment_column"),
                m,
            )
        out[comp["output_column_name"]] = table
    return out
