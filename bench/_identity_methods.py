"""The three contenders: cxloop's engine, plain Splink, recordlinkage's documented recipe."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

UNIQUE_SOURCES = {"febrl4": ["A", "B"], "febrl3": [], "generated": ["crm"], "demo": ["crm"]}


def run_cxloop(data: Path, dataset: str, out: Path, threshold: float = 0.5) -> dict[str, Any]:
    """cxloop's engine on the normalised records (Parquet), 2 threads, 800 MB DuckDB limit."""
    from cxloop.profiles.resolution.engine import resolve_full

    res, _ = resolve_full(
        str(data / "norm.parquet"),
        auto_threshold=threshold,
        materialize_links=False,
        unique_sources=UNIQUE_SOURCES[dataset],
        threads=2,
        memory_limit="800MB",
        export_pairs=str(out / "pairs.parquet"),
    )
    res.stats["cluster_frame"].to_parquet(out / "clusters.parquet")
    keep = (
        "candidate_pairs",
        "exact_pairs",
        "timings",
        "matches_per_record",
        "largest_cluster",
        "components_needing_constrained_merge",
        "positive_edges",
    )
    return {k: v for k, v in res.stats.items() if k in keep}


def _baseline_frame(data: Path, dataset: str) -> pd.DataFrame:
    """Columns a plain configuration would use: names, dob, email, phone, address, postcode."""
    if dataset.startswith("febrl"):
        raw = pd.read_parquet(data / "raw.parquet")
        return pd.DataFrame(
            {
                "unique_id": raw["record_id"],
                "source_dataset": raw["source"],
                "first_name": raw["given_name"].replace("", None),
                "surname": raw["surname"].replace("", None),
                "dob": raw["birth_date"].replace("", None),
                "address": raw["address"].replace("", None),
                "postcode": raw["postcode"].replace("", None),
                "city": raw["suburb"].replace("", None),
            }
        )
    con = duckdb.connect()
    df = con.execute(
        f"""SELECT record_id AS unique_id, source AS source_dataset,
                   nullif(given, '') AS first_name, nullif(family, '') AS surname,
                   strftime(birth_date, '%Y-%m-%d') AS dob, emails[1] AS email,
                   phones[1] AS phone, address, postcode
            FROM read_parquet('{data / "norm.parquet"}')"""
    ).df()
    con.close()
    return df


def run_splink(data: Path, dataset: str, out: Path, threshold: float = 0.5) -> dict[str, Any]:
    """Splink 5 with its documented comparison-library defaults, EM, threshold 0.5, components."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = _baseline_frame(data, dataset)
    cols = set(df.columns)
    comparisons = [
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.JaroWinklerAtThresholds("address", [0.95, 0.88]),
        cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
    ]
    # The prediction rules of Splink's examples: name, birth date, postcode + surname, and the
    # contact keys when present. (Full name alone explodes at 1M with common Chinese names.)
    if len(df) > 300_000:
        rules = [
            block_on("first_name", "surname", "dob"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode", "surname"),
        ]
    else:
        rules = [
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("postcode", "surname"),
        ]
    if "email" in cols:
        comparisons.append(cl.EmailComparison("email"))
        rules.append(block_on("email"))
    if "phone" in cols:
        comparisons.append(cl.ExactMatch("phone"))
        rules.append(block_on("phone"))
    if "city" in cols:
        comparisons.append(cl.ExactMatch("city").configure(term_frequency_adjustments=True))
    link = dataset == "febrl4"
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '3GB'")
    db = DuckDBAPI(con)
    if link:
        tables = [
            db.register(df[df.source_dataset == s].drop(columns="source_dataset"))
            for s in ("A", "B")
        ]
        linker = Linker(tables, settings, log_level=logging.WARNING)
    else:
        linker = Linker(
            db.register(df.drop(columns="source_dataset")), settings, log_level=logging.WARNING
        )
    deterministic = [block_on("first_name", "surname", "dob")]
    if "email" in cols:
        deterministic.append(block_on("email"))
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in (block_on("first_name", "surname"), block_on("dob")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=2e6)
    pred = linker.inference.predict()
    key_l = "unique_id_l"
    con.execute(
        f"COPY (SELECT {key_l} AS l, unique_id_r AS r, match_probability FROM {pred.physical_name}) "
        f"TO '{out / 'pairs.parquet'}' (FORMAT parquet)"
    )
    n_pairs = int(con.execute(f"SELECT count(*) FROM {pred.physical_name}").fetchall()[0][0])
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=threshold
    )
    cdf = con.execute(
        f"SELECT unique_id AS record_id, cluster_id FROM {clusters.physical_name}"
    ).df()
    cdf["cluster"] = pd.factorize(cdf["cluster_id"])[0]
    cdf[["record_id", "cluster"]].to_parquet(out / "clusters.parquet")
    return {"candidate_pairs": n_pairs}


def run_recordlinkage(
    data: Path, dataset: str, out: Path, threshold: float = 0.5
) -> dict[str, Any]:
    """recordlinkage 0.16's documented recipe: blocking, string/exact comparisons, ECM."""
    import recordlinkage as rl

    df = _baseline_frame(data, dataset).set_index("unique_id")
    link = dataset == "febrl4"
    keys = (
        [["first_name"], ["surname"], ["dob"]]
        if dataset.startswith("febrl")
        else [["first_name", "surname"], ["dob"], ["email"], ["phone"]]
    )
    frames = (df[df.source_dataset == "A"], df[df.source_dataset == "B"]) if link else (df,)
    pairs = None
    for key in keys:
        idx = rl.Index()
        idx.block(key)
        got = idx.index(*frames)
        pairs = got if pairs is None else pairs.union(got)
    assert pairs is not None
    comp = rl.Compare(n_jobs=1)
    comp.string(
        "first_name", "first_name", method="jarowinkler", threshold=0.85, label="first_name"
    )
    comp.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    comp.exact("dob", "dob", label="dob")
    comp.string("address", "address", method="jarowinkler", threshold=0.85, label="address")
    comp.exact("postcode", "postcode", label="postcode")
    if "email" in df.columns:
        comp.exact("email", "email", label="email")
        comp.exact("phone", "phone", label="phone")
    features = comp.compute(pairs, *frames)
    ecm = rl.ECMClassifier(binarize=0.5)
    matches = ecm.fit_predict(features)
    pd.DataFrame({"l": pairs.get_level_values(0), "r": pairs.get_level_values(1)}).to_parquet(
        out / "pairs.parquet"
    )
    ids = df.index.to_numpy()
    a = np.searchsorted(ids, matches.get_level_values(0).to_numpy())
    b = np.searchsorted(ids, matches.get_level_values(1).to_numpy())
    from cxloop.profiles.resolution.cluster import connected_components

    comp_id = connected_components(len(ids), a, b)
    pd.DataFrame({"record_id": ids, "cluster": comp_id}).to_parquet(out / "clusters.parquet")
    return {"candidate_pairs": len(pairs), "predicted_links": len(matches)}


METHODS = {
    "cxloop": run_cxloop,
    "splink_default": run_splink,
    "recordlinkage_ecm": run_recordlinkage,
}
