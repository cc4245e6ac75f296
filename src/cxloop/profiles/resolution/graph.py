"""From scored pairs to clusters: clean components as they are, constrained merge for the rest."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cxloop.profiles.resolution.cluster import Constraints, connected_components, greedy_merge

# A scored pair this far below even odds is evidence that the two records are different people:
# a cluster may not contain both (this is what stops chaining through a shared bridge record).
NEGATIVE_WEIGHT = -10.0
MAX_CLUSTER = 60


def _edges(con: duckdb.DuckDBPyConnection, scores: str, auto_threshold: float) -> pd.DataFrame:
    """Positive edges: exact links first, then probabilistic ones above the auto threshold."""
    df: pd.DataFrame = con.execute(
        f"""
        SELECT l AS a, r AS b, 1.0::DOUBLE AS probability,
               CASE method WHEN 'exact:external_id' THEN 0 ELSE 1 END AS rank
        FROM det_pairs
        UNION ALL
        SELECT unique_id_l, unique_id_r, match_probability, 2
        FROM {scores} s
        WHERE match_probability >= {auto_threshold}
          AND NOT EXISTS (SELECT 1 FROM det_pairs d
                          WHERE d.l = s.unique_id_l AND d.r = s.unique_id_r)
        """  # noqa: S608
    ).df()
    return df


def cluster_pairs(
    con: duckdb.DuckDBPyConnection,
    feat: str,
    scores: str,
    *,
    auto_threshold: float,
    cannot_link: set[tuple[int, int]],
    unique_sources: set[str],
    negative_weight: float = NEGATIVE_WEIGHT,
    max_cluster: int = MAX_CLUSTER,
    as_frame: bool = False,
) -> tuple[dict[int, int] | pd.DataFrame, dict[str, Any]]:
    """Cluster records; return record_id -> representative (smallest record_id) and stats."""
    ids = con.execute(f"SELECT unique_id FROM {feat} ORDER BY unique_id").fetchnumpy()["unique_id"]  # noqa: S608
    ids = np.asarray(ids, dtype=np.int64)
    edges = _edges(con, scores, auto_threshold)
    ai = np.searchsorted(ids, edges["a"].to_numpy(np.int64))
    bi = np.searchsorted(ids, edges["b"].to_numpy(np.int64))
    comp = connected_components(len(ids), ai, bi)
    con.register("_comp_df", pd.DataFrame({"unique_id": ids, "comp": comp}))
    con.execute("CREATE OR REPLACE TEMP TABLE _comp AS SELECT * FROM _comp_df")
    con.unregister("_comp_df")
    cl_df = (
        pd.DataFrame(sorted((min(p), max(p)) for p in cannot_link), columns=["l", "r"])
        if cannot_link
        else pd.DataFrame({"l": pd.Series(dtype="int64"), "r": pd.Series(dtype="int64")})
    )
    con.register("_cl_df", cl_df)
    uniq = ", ".join(f"'{s}'" for s in sorted(unique_sources)) or "NULL"
    dirty = con.execute(
        f"""
        WITH c AS (SELECT f.*, comp FROM {feat} f JOIN _comp USING (unique_id)),
        sizes AS (SELECT comp, count(*) AS n FROM c GROUP BY comp HAVING count(*) > 1),
        attrs AS (
            SELECT comp FROM c WHERE comp IN (SELECT comp FROM sizes) GROUP BY comp
            HAVING count(DISTINCT birth_date) > 1 OR count(DISTINCT nullif(gender, '')) > 1
        ),
        keys AS (
            SELECT comp FROM c WHERE source IN ({uniq}) GROUP BY comp, source
            HAVING count(DISTINCT external_id) > 1
        ),
        neg AS (
            SELECT a.comp FROM {scores} s JOIN _comp a ON a.unique_id = s.unique_id_l
            JOIN _comp b ON b.unique_id = s.unique_id_r
            WHERE a.comp = b.comp AND s.match_weight < {negative_weight}
        ),
        cls AS (
            SELECT a.comp FROM _cl_df x JOIN _comp a ON a.unique_id = x.l
            JOIN _comp b ON b.unique_id = x.r WHERE a.comp = b.comp
        ),
        big AS (SELECT comp FROM sizes WHERE n > {max_cluster})
        SELECT DISTINCT comp FROM (SELECT * FROM attrs UNION ALL SELECT * FROM keys
            UNION ALL SELECT * FROM neg UNION ALL SELECT * FROM cls UNION ALL SELECT * FROM big)
        """  # noqa: S608
    ).fetchnumpy()["comp"]
    dirty = np.asarray(dirty, dtype=np.int64)
    rep = ids[comp]  # smallest record id of the component (labels are smallest indexes)
    if len(dirty):
        rep = _resolve_dirty(
            con,
            feat,
            scores,
            ids,
            comp,
            dirty,
            edges,
            ai,
            cannot_link,
            unique_sources,
            negative_weight,
            max_cluster,
            rep,
        )
    con.unregister("_cl_df")
    sizes = np.bincount(np.searchsorted(ids, rep), minlength=len(ids))
    stats = {
        "clusters": int((sizes > 0).sum()),
        "largest_cluster": int(sizes.max()) if len(sizes) else 0,
        "components_needing_constrained_merge": len(dirty),
        "positive_edges": len(edges),
    }
    if as_frame:
        return pd.DataFrame({"record_id": ids, "cluster": rep}), stats
    return dict(zip(ids.tolist(), rep.tolist(), strict=True)), stats


def _resolve_dirty(
    con: duckdb.DuckDBPyConnection,
    feat: str,
    scores: str,
    ids: np.ndarray,
    comp: np.ndarray,
    dirty: np.ndarray,
    edges: pd.DataFrame,
    ai: np.ndarray,
    cannot_link: set[tuple[int, int]],
    unique_sources: set[str],
    negative_weight: float,
    max_cluster: int,
    rep: np.ndarray,
) -> np.ndarray:
    """Greedy constrained merge inside the components that break a constraint."""
    in_dirty = np.isin(comp, dirty)
    nodes = ids[in_dirty]
    con.register("_dn", pd.DataFrame({"unique_id": nodes}))
    attrs = con.execute(
        f"""SELECT unique_id, strftime(birth_date, '%Y-%m-%d') AS dob, gender, source, external_id
            FROM {feat} WHERE unique_id IN (SELECT unique_id FROM _dn)"""  # noqa: S608
    ).df()
    neg = con.execute(
        f"""SELECT unique_id_l, unique_id_r FROM {scores}
            WHERE match_weight < {negative_weight}
              AND unique_id_l IN (SELECT unique_id FROM _dn)
              AND unique_id_r IN (SELECT unique_id FROM _dn)"""  # noqa: S608
    ).fetchall()
    con.unregister("_dn")
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
    sub = edges[in_dirty[ai]]
    merged = greedy_merge(nodes.tolist(), sub, cons, max_cluster)
    idx = np.searchsorted(ids, np.fromiter(merged.keys(), dtype=np.int64))
    rep = rep.copy()
    rep[idx] = np.fromiter(merged.values(), dtype=np.int64)
    return rep
