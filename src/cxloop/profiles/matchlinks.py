"""Stored match links: each scored pair with its explanation and a status from the thresholds.

Decisions people made (approved or rejected links) are never overwritten by a resolution, and
rejected links are the cannot-links every resolution respects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.db import upsert
from cxloop.profiles.models import MatchLink

if TYPE_CHECKING:
    from cxloop.profiles.resolution import engine

DECIDED = ("approved", "rejected")


def cannot_link(session: Session, workspace_id: int) -> set[tuple[int, int]]:
    """Pairs a person kept apart (rejected links, undone merges, detached records)."""
    return {
        (a, b)
        for a, b in session.execute(
            select(MatchLink.record_a_id, MatchLink.record_b_id).where(
                MatchLink.workspace_id == workspace_id, MatchLink.status == "rejected"
            )
        )
    }


def store_links(
    session: Session,
    workspace_id: int,
    links: Iterable[engine.Link],
    status_of: dict[tuple[int, int], str],
    notes: dict[tuple[int, int], dict[str, Any]] | None = None,
) -> None:
    """Upsert scored links, leaving human decisions untouched; ``notes``: why a pair waits
    (``review_reason``: the guard's code and parameters)."""
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    t = clock.now()
    for link in links:
        a, b = sorted((link.record_a, link.record_b))
        rows[(a, b)] = {
            "workspace_id": workspace_id,
            "record_a_id": a,
            "record_b_id": b,
            "method": link.method[:40],
            "match_weight": float(link.match_weight),
            "probability": float(link.probability),
            "comparison": (
                {**link.comparison, "review_reason": notes[(a, b)]}
                if notes and (a, b) in notes
                else link.comparison
            ),
            "status": status_of.get((a, b), "apart"),
            "created_at": t,
            "updated_at": t,
        }
    if not rows:
        return
    decided: set[tuple[int, int]] = set()
    keys = list(rows)
    for i in range(0, len(keys), 400):
        part = keys[i : i + 400]
        ids = {x for pair in part for x in pair}
        for a, b in session.execute(
            select(MatchLink.record_a_id, MatchLink.record_b_id).where(
                MatchLink.workspace_id == workspace_id,
                MatchLink.status.in_(DECIDED),
                MatchLink.record_a_id.in_(ids),
            )
        ):
            decided.add((a, b))
    todo = [r for k, r in rows.items() if k not in decided]
    for i in range(0, len(todo), 2000):
        upsert(
            session,
            MatchLink.__table__,
            todo[i : i + 2000],
            ["workspace_id", "record_a_id", "record_b_id"],
            ["method", "match_weight", "probability", "comparison", "status", "updated_at"],
        )


def link_status(prob: float, same_cluster: bool, conf: dict[str, float], held: bool = False) -> str:
    """auto: joined; pending: a person decides; apart: below review, or vetoed by clustering.

    A pair scored above the auto threshold that the clustering still kept apart broke a hard
    constraint (e.g. two different ids of a one-record-per-person source, a decided non-match);
    it is not a question for a reviewer — unless it was ``held`` by the contradiction guard,
    which asks a person instead of deciding.
    """
    if same_cluster and prob >= conf["auto_threshold"]:
        return "auto"
    if conf["review_threshold"] <= prob < conf["auto_threshold"]:
        return "pending"
    if held and not same_cluster and prob >= conf["review_threshold"]:
        return "pending"
    return "apart"
