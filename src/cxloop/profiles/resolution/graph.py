"""From scored pairs to clusters: clean components as they are, constrained merge for the rest."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cxloop.profiles.resolution.cluster import Constraints, connected_components, greedy_merge
from cxloop.profiles.resolution.guard import Reason, record_keys

# A scored pair this far below even odds is evidence that the two records are different people:
# a cluster may not contain both (this is what stops chaining through a shared bridge record).
NEGATIVE_WEIGHT = -10.0
MAX_CLUSTER = 60
# Components where the contradiction guard could refuse a merge, by a necessary condition that
# costs one aggregation: emails *and* phones with no value every holder shares (rule 1), name
# parts with none every named record shares (rule 2: any script, so a superset), more than one
# country (rule 3). Elsewhere every merge passes the guard, and the component stands as it is.
GUARD_SQL = """
        m AS (SELECT c.* FROM c JOIN sizes USING (comp)),
        gv AS (
            SELECT comp, unique_id, 'e' AS kind, unnest(list_distinct(emails)) AS v FROM m
            UNION ALL
            SELECT comp, unique_id, 'p', unnest(list_distinct(p_phones || s_phones)) FROM m
            UNION ALL
            SELECT comp, unique_id, 'n', unnest(list_distinct(list_filter(
                [family, given, family_alt, given_alt], lambda x: x <> ''))) FROM m
        ),
        gk AS (SELECT comp, kind, v, count(*) AS k FROM gv GROUP BY comp, kind, v),
        gh AS (SELECT comp, kind, count(DISTINCT unique_id) AS holders FROM gv GROUP BY comp, kind),
        gopen AS (
            SELECT comp, kind FROM gk JOIN gh USING (comp, kind)
            GROUP BY comp, kind, holders HAVING max(k) < holders
        ),
        guarded AS (
            SELECT comp FROM gopen WHERE kind IN ('e', 'p') GROUP BY comp
            HAVING count(DISTINCT kind) = 2
            UNION ALL SELECT comp FROM gopen WHERE kind = 'n'
            UNION ALL SELECT comp FROM m GROUP BY comp HAVING count(DISTINCT country) > 1
        )"""


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
) -> tuple[dict[int, int] | pd.DataFrame, dict[tuple[int, int], Reason], dict[str, Any]]:
    """Cluster records: record_id -> representative (smallest record_id), held pairs, stats.

    Held pairs are the edges the contradiction guard refused, ``(a, b)`` with a < b -> why.
    """
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
    flagged = con.execute(
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
        big AS (SELECT comp FROM sizes WHERE n > {max_cluster}),
        {GUARD_SQL}
        SELECT comp, bool_or(g) AS guarded FROM (
            SELECT comp, false AS g FROM (SELECT * FROM attrs UNION ALL SELECT * FROM keys
                UNION ALL SELECT * FROM neg UNION ALL SELECT * FROM cls UNION ALL SELECT * FROM big)
            UNION ALL SELECT comp, true FROM guarded) GROUP BY comp
        """  # noqa: S608
    ).fetchnumpy()
    dirty = np.asarray(flagged["comp"], dtype=np.int64)
    rep = ids[comp]  # smallest record id of the component (labels are smallest indexes)
    held: dict[tuple[int, int], Reason] = {}
    guarded = dirty[np.asarray(flagged["guarded"], dtype=bool)]
    if len(dirty):
        in_dirty = np.isin(comp, dirty)
        watched = set(ids[np.isin(comp, guarded)].tolist())
        cons = _constraints(
            con, feat, scores, ids[in_dirty], watched, cannot_link, unique_sources, negative_weight
        )
        merged = greedy_merge(ids[in_dirty].tolist(), edges[in_dirty[ai]], cons, max_cluster)
        idx = np.searchsorted(ids, np.fromiter(merged.keys(), dtype=np.int64))
        rep = rep.copy()
        rep[idx] = np.fromiter(merged.values(), dtype=np.int64)
        held = cons.held
    con.unregister("_cl_df")
    sizes = np.bincount(np.searchsorted(ids, rep), minlength=len(ids))
    stats = {
        "clusters": int((sizes > 0).sum()),
        "largest_cluster": int(sizes.max()) if len(sizes) else 0,
        "components_needing_constrained_merge": len(dirty),
        "components_guarded": len(guarded),
        "positive_edges": len(edges),
        "held_for_review": len(held),
    }
    if as_frame:
        return pd.DataFrame({"record_id": ids, "cluster": rep}), held, stats
    return dict(zip(ids.tolist(), rep.tolist(), strict=True)), held, stats


def _constraints(
    con: duckdb.DuckDBPyConnection,
    feat: str,
    scores: str,
    nodes: np.ndarray,
    watched: set[int],
    cannot_link: set[tuple[int, int]],
    unique_sources: set[str],
    negative_weight: float,
) -> Constraints:
    """What the constrained merge must respect among ``nodes``; the guard's keys only for the
    ``watched`` records (of components where a merge can contradict at all)."""
    con.register("_dn", pd.DataFrame({"unique_id": nodes}))
    attrs = con.execute(
        f"""SELECT unique_id, strftime(birth_date, '%Y-%m-%d') AS dob, gender, source, external_id,
                   emails, p_phones || s_phones AS phones, country, name_key,
                   [family, given, family_alt, given_alt] AS parts
            FROM {feat} WHERE unique_id IN (SELECT unique_id FROM _dn)"""  # noqa: S608
    ).df()
    neg = con.execute(
        f"""SELECT unique_id_l, unique_id_r FROM {scores}
            WHERE match_weight < {negative_weight}
              AND unique_id_l IN (SELECT unique_id FROM _dn)
              AND unique_id_r IN (SELECT unique_id FROM _dn)"""  # noqa: S608
    ).fetchall()
    con.unregister("_dn")
    uid = [int(u) for u in attrs["unique_id"]]
    return Constraints(
        dob={u: d for u, d in zip(uid, attrs["dob"], strict=True) if isinstance(d, str)},
        gender={u: g for u, g in zip(uid, attrs["gender"], strict=True) if g},
        unique_key={
            u: (s, e)
            for u, s, e in zip(uid, attrs["source"], attrs["external_id"], strict=True)
            if s in unique_sources
        },
        cannot_link={(min(a, b), max(a, b)) for a, b in cannot_link},
        negative={(int(a), int(b)) for a, b in neg},
        guard={
            u: record_keys(
                emails=em, phones=ph, country=co, birth_date=d, name_key=nk, name_parts=parts
            )
            for u, em, ph, co, d, nk, parts in zip(
                uid,
                attrs["emails"],
                attrs["phones"],
                attrs["country"],
                attrs["dob"],
                attrs["name_key"],
                attrs["parts"],
                strict=True,
            )
            if u in watched
        },
    )
