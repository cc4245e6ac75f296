"""Reads of themes over time: volume, sentiment and trend per theme, emerging-theme events."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.actor import Actor
from cxloop.core.permissions import TEXT_READ
from cxloop.text import access
from cxloop.text.models import EmergingThemeEvent, TextEnrichment, TextTheme, TextThemeMention
from cxloop.text.taxonomy import default_taxonomy


def theme_label(theme: TextTheme, lang: str = "en") -> str:
    """A theme's name: the workspace's own, else the taxonomy's label in ``lang``."""
    if theme.name:
        return theme.name
    by_id = {t.id: t for t in default_taxonomy().themes}
    tax = by_id.get(theme.key)
    return tax.label(lang) if tax is not None else theme.key


def _day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def theme_overview(
    session: Session, actor: Actor, days: int = 30, bucket: str = "day", lang: str = "en"
) -> dict[str, Any]:
    """Active themes with volume, mean sentiment, negative share and counts per day or week."""
    access.require(actor, TEXT_READ)
    ws = actor.workspace_id  # themes exist once the first comment was analysed (reads never write)
    end = clock.now().date() + timedelta(days=1)
    start = end - timedelta(days=days)
    since = datetime(start.year, start.month, start.day, tzinfo=clock.now().tzinfo)
    m, e = TextThemeMention, TextEnrichment
    day = _day(session, e.occurred_at)
    rows = session.execute(
        select(
            m.theme_id,
            day,
            func.count(),
            func.sum(func.coalesce(m.sentiment, e.sentiment_score)),
            func.count().filter(e.sentiment == "negative"),
        )
        .join(e, e.id == m.enrichment_id)
        .where(m.workspace_id == ws, e.occurred_at >= since)
        .group_by(m.theme_id, day)
    ).all()
    per_theme: dict[int, dict[date, tuple[int, float, int]]] = defaultdict(dict)
    for theme_id, d, n, total, neg in rows:
        per_theme[theme_id][_as_date(d)] = (int(n), float(total or 0.0), int(neg or 0))
    step = 7 if bucket == "week" else 1
    buckets = [start + timedelta(days=i) for i in range(0, days, step)]
    themes = session.scalars(
        select(TextTheme)
        .where(TextTheme.workspace_id == ws, TextTheme.status == "active")
        .order_by(TextTheme.id)
    )
    items: list[dict[str, Any]] = []
    for t in themes:
        counts = per_theme.get(t.id, {})
        volume = sum(n for n, _, _ in counts.values())
        trend = [
            {
                "start": b,
                "count": sum(
                    counts.get(b + timedelta(days=i), (0, 0.0, 0))[0]
                    for i in range(step)
                    if b + timedelta(days=i) < end
                ),
            }
            for b in buckets
        ]
        items.append(
            {
                "id": t.id,
                "key": t.key,
                "name": t.name,
                "label": theme_label(t, lang),
                "parent_id": t.parent_id,
                "terms": t.terms,
                "volume": volume,
                "avg_sentiment": (
                    round(sum(s for _, s, _ in counts.values()) / volume, 4) if volume else None
                ),
                "negative_share": (
                    round(sum(x for _, _, x in counts.values()) / volume, 4) if volume else None
                ),
                "trend": trend,
            }
        )
    items.sort(key=lambda i: (-i["volume"], i["id"]))
    return {"days": days, "bucket": bucket, "start": start, "end": end, "themes": items}


def window_counts(
    session: Session, workspace_id: int, start: datetime, end: datetime
) -> tuple[dict[int, tuple[int, int]], int]:
    """Per theme (mentions, negative mentions) in [start, end), and the comments in it."""
    m, e = TextThemeMention, TextEnrichment
    window = (e.workspace_id == workspace_id, e.occurred_at >= start, e.occurred_at < end)
    rows = session.execute(
        select(m.theme_id, func.count(), func.count().filter(e.sentiment == "negative"))
        .join(e, e.id == m.enrichment_id)
        .where(*window)
        .group_by(m.theme_id)
    )
    total = session.scalar(select(func.count()).select_from(e).where(*window))
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}, int(total or 0)


def emerging(
    session: Session, actor: Actor, lang: str = "en", limit: int = 50
) -> list[dict[str, Any]]:
    """The latest emerging-theme events, newest window first."""
    access.require(actor, TEXT_READ)
    rows = session.execute(
        select(EmergingThemeEvent, TextTheme)
        .join(TextTheme, TextTheme.id == EmergingThemeEvent.theme_id)
        .where(EmergingThemeEvent.workspace_id == actor.workspace_id)
        .order_by(EmergingThemeEvent.window_end.desc(), EmergingThemeEvent.q_value)
        .limit(limit)
    )
    return [event_view(ev, theme_label(theme, lang)) for ev, theme in rows]


def event_views(
    session: Session, events: list[EmergingThemeEvent], lang: str = "en"
) -> list[dict[str, Any]]:
    """Views of emerging-theme events just found."""
    out = []
    for ev in events:
        theme = session.get(TextTheme, ev.theme_id)
        assert theme is not None
        out.append(event_view(ev, theme_label(theme, lang)))
    return out


def event_view(ev: EmergingThemeEvent, label: str) -> dict[str, Any]:
    """An emerging-theme event as the API shows it."""
    return {
        "id": ev.id,
        "theme_id": ev.theme_id,
        "theme": label,
        "kind": ev.kind,
        "window_start": ev.window_start,
        "window_end": ev.window_end,
        "baseline_start": ev.baseline_start,
        "baseline_rate": ev.baseline_rate,
        "current_rate": ev.current_rate,
        "ratio": ev.ratio,
        "current_count": ev.current_count,
        "baseline_count": ev.baseline_count,
        "p_value": ev.p_value,
        "q_value": ev.q_value,
        "severity": ev.severity,
        "detected_at": ev.detected_at,
    }


def theme_view(theme: TextTheme, lang: str = "en") -> dict[str, Any]:
    """A theme as the API shows it after a change."""
    return {
        "id": theme.id,
        "key": theme.key,
        "name": theme.name,
        "label": theme_label(theme, lang),
        "status": theme.status,
        "merged_into_id": theme.merged_into_id,
        "parent_id": theme.parent_id,
        "terms": theme.terms,
    }
