"""The analyzer a workspace uses: the packaged pipeline, with the workspace's tuned head if any.

Analyzers are cached per process by (workspace, head version), so the encoder, the taxonomy
anchors and the jieba dictionary load once and every workspace shares them.
"""

from __future__ import annotations

import threading

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.text.models import TextHead
from cxloop.text.pipeline import Analyzer, default_analyzer
from cxloop.text.sentiment import SentimentHead

_lock = threading.Lock()
_cache: dict[int, tuple[str, Analyzer]] = {}


def base_analyzer() -> Analyzer:
    """The process-wide analyzer with the packaged head (its theme anchors built once)."""
    analyzer = default_analyzer()
    _ = analyzer.assigner  # built before any clone, so that clones share it
    return analyzer


def analyzer_for(session: Session, workspace_id: int) -> Analyzer:
    """The workspace's analyzer: its active tuned head, else the base head."""
    row = session.execute(
        select(TextHead.id, TextHead.head_version)
        .where(TextHead.workspace_id == workspace_id, TextHead.active.is_(True))
        .order_by(TextHead.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return base_analyzer()
    with _lock:
        cached = _cache.get(workspace_id)
        if cached is not None and cached[0] == row.head_version:
            return cached[1]
    blob = session.scalar(select(TextHead.blob).where(TextHead.id == row.id))
    assert blob is not None
    analyzer = base_analyzer().with_head(SentimentHead.from_json(orjson.loads(blob)))
    with _lock:
        _cache[workspace_id] = (row.head_version, analyzer)
    return analyzer


def warm_up() -> None:
    """Load every model now (the worker calls this at start so a first text is fast)."""
    base_analyzer().warm_up()
