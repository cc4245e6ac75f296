"""Incremental resolution: match a few new records against existing ones with a stored model."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import duckdb
import pandas as pd

from cxloop.profiles.resolution.cluster import Constraints, greedy_merge
from cxloop.profiles.resolution.engine import (
    AUTO_THRESHOLD,
    REVIEW_THRESHOLD,
    Records,
    _add_det_to_pairs,
    _register_det,
    connect,
    linker_for,
)
from cxloop.profiles.resolution.features import build_features, candidate_pairs, register_input
from cxloop.profiles.resolution.graph import MAX_CLUSTER, NEGATIVE_WEIGHT
from cxloop.profiles.resolution.links import deterministic_pairs, links_from_frames, score_frame
from cxloop.profiles.resolution.records import ResolutionRecord, ResolutionResult


def _tf_from_model(con: duckdb.DuckDBPyConnection, model: dict[str, Any]) -> float:
    """Register the stored name frequencies; unknown names count as seen once."""
    entities = max(int(model.get("entities", 1)), 1)
    rare = 1.0 / entities
    stored = pd.DataFrame(
        {
            "name_latin": list(model.get("name_tf", {})),
            "tf_name_latin": list(model.get("name_tf", {}).values()),
        }
    )
    con.register("_tf_stored", stored)
    con.execute(
        f"""CREATE OR REPLACE TABLE name_tf AS
            SELECT f.name_latin, coalesce(any_value(s.tf_name_latin), {rare}) AS tf_name_latin
            FROM (SELECT DISTINCT name_latin FROM feat WHERE name_latin <> '') f
            LEFT JOIN _tf_stored s USING (name_latin) GROUP BY f.name_latin"""  # noqa: S608
    )
    con.unregister("_tf_stored")
    return 0.5 / entities


def resolve_incremental(
    new: Iterable[ResolutionRecord] | pd.DataFrame,
    existing: Records,
    *,
    model: dict[str, Any],
    cannot_link: set[tuple[int, int]] | None = None,
    auto_threshold: float = AUTO_THRESHOLD,
    review_threshold: float = REVIEW_THRESHOLD,
    existing_clusters: dict[int, int] | None = None,
    unique_sources: Iterable[str] | None = None,
    threads: int | None = None,
) -> ResolutionResult:
    """Link new records to existing ones (and to each other) without retraining.

    ``existing_clusters`` (record_id -> cluster representative) lets a new record join an
    existing cluster: the result's ``clusters`` maps each new record to the representative of
    the cluster it joins (an existing one, or the smallest new record id of a new cluster); when
    new records join several existing clusters together, their existing records are mapped too.
    """
    t0 = time.perf_counter()
    con = connect(threads)
    register_input(con, "rn", new if isinstance(new, pd.DataFrame) else list(new))
    register_input(con, "rx", existing)
    con.execute(
        "CREATE TABLE rall AS SELECT * FROM rx WHERE record_id NOT IN "
        "(SELECT record_id FROM rn) UNION ALL SELECT * FROM rn"
    )
    build_features(con, "rall", "feat")
    con.execute(
        "CREATE TABLE feat_new AS SELECT * FROM feat WHERE unique_id IN (SELECT record_id FROM rn)"
    )
    con.execute(
        "CREATE TABLE feat_old AS SELECT * FROM feat "
        "WHERE unique_id NOT IN (SELECT record_id FROM rn)"
    )
    n = int(con.execute("SELECT count(*) FROM feat").fetchall()[0][0])
    det = deterministic_pairs(con, "feat", new="feat_new")
    _register_det(con, det)
    candidate_pairs(con, "feat_new", "pairs", right="feat_old")
    _add_det_to_pairs(con)
    tf_min = _tf_from_model(con, model)
    scores, settings, _ = score_frame(
        con,
        "feat",
        "pairs",
        model["splink"],
        n=n,
        rate=float(model["matches_per_record"]),
        linker_factory=linker_for,
        tf_table="name_tf",
        tf_min=tf_min,
    )
    uniq = set(model.get("unique_sources", [])) if unique_sources is None else set(unique_sources)
    clusters = _cluster(
        con, scores, auto_threshold, cannot_link or set(), uniq, existing_clusters or {}
    )
    result = links_from_frames(
        scores,
        det,
        clusters,
        review_threshold=review_threshold,
        auto_threshold=auto_threshold,
        settings=settings,
        materialize=True,
        tf_min=tf_min,
        con=con,
    )
    result.stats.update(
        records=n, new_records=len(clusters), seconds=round(time.perf_counter() - t0, 3)
    )
    con.close()
    return result


def _cluster(
    con: duckdb.DuckDBPyConnection,
    scores: str,
    auto_threshold: float,
    cannot_link: set[tuple[int, int]],
    unique_sources: set[str],
    existing_clusters: dict[int, int],
) -> dict[int, int]:
    """Greedy constrained merge of new records into existing clusters; new record -> rep."""
    edges: pd.DataFrame = con.execute(
        f"""SELECT l AS a, r AS b, 1.0::DOUBLE AS probability,
                   CASE method WHEN 'exact:external_id' THEN 0 ELSE 1 END AS rank FROM det_pairs
            UNION ALL
            SELECT unique_id_l, unique_id_r, match_probability, 2 FROM {scores} s
            WHERE match_probability >= {auto_threshold} AND NOT EXISTS
                (SELECT 1 FROM det_pairs d WHERE d.l = s.unique_id_l AND d.r = s.unique_id_r)"""  # noqa: S608
    ).df()
    new_ids = [
        int(x) for x in con.execute("SELECT unique_id FROM feat_new").fetchnumpy()["unique_id"]
    ]
    touched = set(new_ids) | set(edges["a"].astype(int)) | set(edges["b"].astype(int))
    groups = {existing_clusters[t] for t in touched if t in existing_clusters}
    nodes = touched | {r for r, c in existing_clusters.items() if c in groups}
    con.register("_nodes", pd.DataFrame({"unique_id": sorted(nodes)}))
    attrs = con.execute(
        """SELECT unique_id, strftime(birth_date, '%Y-%m-%d') AS dob, gender, source, external_id
           FROM feat WHERE unique_id IN (SELECT unique_id FROM _nodes)"""
    ).df()
    neg = con.execute(
        f"""SELECT unique_id_l, unique_id_r FROM {scores} WHERE match_weight < {NEGATIVE_WEIGHT}"""  # noqa: S608
    ).fetchall()
    con.unregister("_nodes")
    present = set(attrs["unique_id"].astype(int))
    cons = Constraints(
        dob={
            int(u): d
            for u, d in zip(attrs["unique_id"], attrs["dob"], strict=True)
            if isinstance(d, str)
        },
        gender={int(u): g for u, g in zip(attrs["unique_id"], attrs["gender"], strict=True) if g},
        unique_key={
            int(u): (s, e)
            for u, s, e in zip(
                attrs["unique_id"], attrs["source"], attrs["external_id"], strict=True
            )
            if s in unique_sources
        },
        cannot_link={(min(a, b), max(a, b)) for a, b in cannot_link},
        negative={(int(a), int(b)) for a, b in neg},
    )
    initial = {r: c for r, c in existing_clusters.items() if r in present}
    merged = greedy_merge(sorted(present), edges, cons, MAX_CLUSTER, initial=initial)
    out: dict[int, int] = {}
    for rid in new_ids:
        members = [m for m, rep in merged.items() if rep == merged[rid]]
        existing_reps = sorted({existing_clusters[m] for m in members if m in existing_clusters})
        out[rid] = existing_reps[0] if existing_reps else min(members)
        if len(existing_reps) > 1:  # the new record joins existing clusters together
            out.update({m: existing_reps[0] for m in members if m in existing_clusters})
    return out
