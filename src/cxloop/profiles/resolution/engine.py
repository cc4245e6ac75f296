"""Full and incremental identity resolution: exact keys, Splink scoring, safe clustering."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink import DuckDBAPI, Linker

from cxloop.profiles.resolution import model as mdl
from cxloop.profiles.resolution.cluster import connected_components
from cxloop.profiles.resolution.features import build_features, candidate_pairs, register_input
from cxloop.profiles.resolution.graph import cluster_pairs
from cxloop.profiles.resolution.links import (
    deterministic_pairs,
    gamma_encoding,
    links_from_frames,
    score_frame,
)
from cxloop.profiles.resolution.records import Link, ResolutionRecord, ResolutionResult
from cxloop.profiles.resolution.training import train_model

AUTO_THRESHOLD = 0.95
REVIEW_THRESHOLD = 0.5
logging.getLogger("splink").setLevel(logging.WARNING)

Records = Iterable[ResolutionRecord] | pd.DataFrame | Any


def connect(
    threads: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB connection for one resolution run."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def linker_for(
    con: duckdb.DuckDBPyConnection, table: str, settings: Any
) -> tuple[Linker, DuckDBAPI]:
    """A Splink linker over a DuckDB table."""
    db = DuckDBAPI(con)
    return Linker(db.register(table), settings, log_level=logging.WARNING), db


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchall()[0]
    return int(row[0]) if row else 0


def _register_det(con: duckdb.DuckDBPyConnection, det: pd.DataFrame) -> None:
    """Store exact-key pairs as the det_pairs table and make sure they are scored."""
    con.register("_det_df", det)
    con.execute(
        "CREATE OR REPLACE TABLE det_pairs AS "
        "SELECT l::BIGINT AS l, r::BIGINT AS r, method FROM _det_df"
    )
    con.unregister("_det_df")


def _add_det_to_pairs(con: duckdb.DuckDBPyConnection) -> int:
    """Add exact-key pairs missing from the candidate pairs (their explanation is useful too)."""
    before = _count(con, "SELECT count(*) FROM pairs")
    con.execute(
        """INSERT INTO pairs SELECT l, r, 'exact' FROM det_pairs d
           WHERE NOT EXISTS (SELECT 1 FROM pairs p
                             WHERE p.unique_id_l = d.l AND p.unique_id_r = d.r)"""
    )
    return _count(con, "SELECT count(*) FROM pairs") - before


def name_tf_table(con: duckdb.DuckDBPyConnection) -> tuple[int, float]:
    """Name frequencies over entities (records joined by exact keys count once) -> tf table."""
    ids = con.execute("SELECT unique_id FROM feat ORDER BY unique_id").fetchnumpy()["unique_id"]
    ids = np.asarray(ids, dtype=np.int64)
    det = con.execute("SELECT l, r FROM det_pairs").fetchnumpy()
    comp = connected_components(
        len(ids),
        np.searchsorted(ids, np.asarray(det["l"], np.int64)),
        np.searchsorted(ids, np.asarray(det["r"], np.int64)),
    )
    con.register("_ent", pd.DataFrame({"unique_id": ids, "ent": comp}))
    con.execute("CREATE OR REPLACE TABLE ent AS SELECT * FROM _ent")
    con.unregister("_ent")
    entities = len(np.unique(comp))
    con.execute(
        f"""CREATE OR REPLACE TABLE name_tf AS
            SELECT name_latin, count(DISTINCT ent) / {entities}::DOUBLE AS tf_name_latin
            FROM feat JOIN ent USING (unique_id) WHERE name_latin <> '' GROUP BY 1"""  # noqa: S608
    )
    return entities, 0.5 / max(entities, 1)


def resolve_full(
    records: Records,
    *,
    cannot_link: set[tuple[int, int]] | None = None,
    auto_threshold: float = AUTO_THRESHOLD,
    review_threshold: float = REVIEW_THRESHOLD,
    model: dict[str, Any] | None = None,
    unique_sources: Iterable[str] = (),
    materialize_links: bool = True,
    threads: int | None = None,
    memory_limit: str | None = None,
    training_sample: int = 300_000,
    seed: int = 42,
    export_pairs: str | None = None,
) -> tuple[ResolutionResult, dict[str, Any]]:
    """Resolve a whole population; return the result and the trained model (JSON-ready dict).

    With ``model`` given, its parameters are reused (no training). ``unique_sources`` names
    sources known to hold one record per person: a cluster never holds two of their ids.
    Pairs the contradiction guard kept apart carry ``review_reason`` in their comparison and
    are in ``result.review`` whatever their probability.
    ``materialize_links=False`` (for very large runs) leaves ``links``/``clusters`` empty and
    puts a DataFrame (record_id, cluster) in ``stats["cluster_frame"]``; ``export_pairs``
    writes every scored candidate pair (l, r, match_probability) to that Parquet path.
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round(time.perf_counter() - t0 - sum(timings.values()), 3)

    con = connect(threads, memory_limit)
    register_input(con, "rr", records)
    build_features(con, "rr", "feat")
    con.execute("DROP TABLE rr")
    n = _count(con, "SELECT count(*) FROM feat")
    lap("features")
    det = deterministic_pairs(con, "feat")
    _register_det(con, det)
    n_pairs = candidate_pairs(con, "feat", "pairs")
    n_pairs += _add_det_to_pairs(con)
    entities, tf_min = name_tf_table(con)
    lap("blocking")
    if model is None:
        settings = train_model(con, n, training_sample, seed, linker_for, gamma_encoding)
        rate = None
    else:
        settings = model["splink"]
        rate = float(model["matches_per_record"]) if model.get("matches_per_record") else None
    lap("training")
    scores, calibrated, rate = score_frame(
        con,
        "feat",
        "pairs",
        settings,
        n=n,
        rate=rate,
        linker_factory=linker_for,
        tf_table="name_tf",
        tf_min=tf_min,
    )
    lap("scoring")
    if export_pairs:
        path = export_pairs.replace("'", "''")
        con.execute(
            f"COPY (SELECT unique_id_l AS l, unique_id_r AS r, match_probability FROM {scores}) "  # noqa: S608
            f"TO '{path}' (FORMAT parquet)"
        )
    clusters, held, cstats = cluster_pairs(
        con,
        "feat",
        scores,
        auto_threshold=auto_threshold,
        cannot_link=cannot_link or set(),
        unique_sources=set(unique_sources),
        as_frame=not materialize_links,
    )
    lap("clustering")
    trained = mdl.model_dict(
        calibrated,
        rate=rate,
        con=con,
        entities=entities,
        n=n,
        unique_sources=sorted(set(unique_sources)),
    )
    frame = clusters if isinstance(clusters, pd.DataFrame) else None
    result = links_from_frames(
        scores,
        det,
        {} if frame is not None else clusters,  # type: ignore[arg-type]
        review_threshold=review_threshold,
        auto_threshold=auto_threshold,
        settings=calibrated,
        materialize=materialize_links,
        tf_min=tf_min,
        con=con,
        held=held,
    )
    lap("links")
    result.stats.update(
        records=n,
        candidate_pairs=n_pairs,
        exact_pairs=len(det),
        timings=timings,
        matches_per_record=rate,
        seconds=round(time.perf_counter() - t0, 3),
        **cstats,
    )
    if frame is not None:
        result.stats["cluster_frame"] = frame
    con.close()
    return result, trained


__all__ = [
    "AUTO_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Link",
    "ResolutionRecord",
    "ResolutionResult",
    "resolve_full",
]
