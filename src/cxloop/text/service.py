"""The write path of the text domain: enrichment jobs, theme edits, labels, retraining, emerging.

Enrichment itself lives in ``enrich`` (run by the jobs queued here); everything a person changes
goes through here and is audited.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any, Literal

import orjson
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cxloop.core import audit, clock, jobs
from cxloop.core.actor import Actor
from cxloop.core.permissions import TEXT_LABEL, TEXT_MANAGE
from cxloop.text import access, errors, heads, queries, volumes
from cxloop.text.enrich import (
    Progress,
    enrich_answers,
    enrich_interactions,
    retire_survey_interactions,
)
from cxloop.text.models import (
    EmergingThemeEvent,
    TextEnrichment,
    TextHead,
    TextLabel,
    TextTheme,
    TextThemeMention,
)
from cxloop.text.themes import ThemeMap, ensure_taxonomy_themes, term_hits
from cxloop.text.trends import WindowCounts, detect_emerging
from cxloop.text.tuning import tune_head

ENRICH_JOB = "text.enrich"
REENRICH_JOB = "text.reenrich"
MIN_LABELS = 20
Label = Literal["negative", "neutral", "positive"]


def queue_enrichment(
    session: Session,
    workspace_id: int,
    batch_id: int | None = None,
    interaction_ids: list[int] | None = None,
    response_ids: list[int] | None = None,
) -> jobs.Job:
    """Queue enrichment of a batch's interactions, of some, of the open answers of some survey
    responses, or of everything pending."""
    payload: dict[str, Any] = {"batch_id": batch_id} if batch_id is not None else {}
    if interaction_ids is not None:
        payload["interaction_ids"] = interaction_ids
    if response_ids is not None:
        payload["response_ids"] = response_ids
    return jobs.enqueue(session, ENRICH_JOB, payload, workspace_id=workspace_id, flush=False)


def queue_reenrichment(session: Session, actor: Actor) -> jobs.Job:
    """Queue re-enrichment of every comment whose model version is not the current one."""
    access.require(actor, TEXT_MANAGE)
    existing = session.scalar(
        select(jobs.Job).where(
            jobs.Job.kind == REENRICH_JOB,
            jobs.Job.workspace_id == actor.workspace_id,
            jobs.Job.status == "queued",
        )
    )
    if existing is not None:
        return existing
    job = jobs.enqueue(session, REENRICH_JOB, {}, workspace_id=actor.workspace_id)
    audit.record(session, actor, "text.reenrich.queued", "job", job.id)
    return job


def run_enrichment(
    session: Session,
    workspace_id: int,
    batch_id: int | None = None,
    commit: bool = False,
    interaction_ids: list[int] | None = None,
    response_ids: list[int] | None = None,
    on_page: Callable[[Progress], None] | None = None,
) -> Progress:
    """Enrich now (jobs, CLI, demo): a batch's interactions, some, the open answers of some
    survey responses, or (given none of these) everything missing or stale."""
    if batch_id is None and interaction_ids is None and response_ids is None:
        everything = enrich_interactions(session, workspace_id, commit=commit, on_page=on_page)
        enrich_answers(session, workspace_id, commit=commit, on_page=on_page, progress=everything)
        everything.retired = retire_survey_interactions(session, workspace_id, commit=commit)
        return everything
    progress: Progress | None = None
    if batch_id is not None or interaction_ids is not None:
        progress = enrich_interactions(
            session, workspace_id, batch_id=batch_id, ids=interaction_ids, commit=commit
        )
    if response_ids is not None:
        progress = enrich_answers(
            session, workspace_id, response_ids=response_ids, commit=commit, progress=progress
        )
    assert progress is not None
    return progress


def enrich_interactions_with_progress(
    session: Session, workspace_id: int, on_page: Callable[[Progress], None]
) -> Progress:
    """Enrich everything missing or stale, committing and reporting page by page (CLI)."""
    return run_enrichment(session, workspace_id, commit=True, on_page=on_page)


def _theme_snapshot(t: TextTheme) -> dict[str, Any]:
    return {
        "key": t.key,
        "name": t.name,
        "status": t.status,
        "merged_into_id": t.merged_into_id,
        "parent_id": t.parent_id,
        "terms": t.terms,
    }


def _editable(session: Session, actor: Actor, theme_id: int) -> TextTheme:
    access.require(actor, TEXT_MANAGE)
    theme = access.get_theme(session, actor, theme_id)
    if theme.status != "active":
        raise errors.theme_inactive(theme_id, theme.status)
    return theme


def rename_theme(session: Session, actor: Actor, theme_id: int, name: str) -> TextTheme:
    """Give a theme the workspace's own name (shown in every language)."""
    theme = _editable(session, actor, theme_id)
    name = " ".join(name.split())
    if not name:
        raise errors.invalid("name", "must not be empty")
    before = _theme_snapshot(theme)
    theme.name = name[:120]
    theme.updated_at = clock.now()
    session.flush()
    audit.record(
        session, actor, "text.theme.rename", "text_theme", theme.id, before, _theme_snapshot(theme)
    )
    return theme


def merge_theme(session: Session, actor: Actor, theme_id: int, into_id: int) -> TextTheme:
    """Merge a theme into another: its mentions (and future ones) count for the other."""
    theme = _editable(session, actor, theme_id)
    if theme_id == into_id:
        raise errors.invalid("into_id", "a theme cannot be merged into itself")
    target = _editable(session, actor, into_id)
    if target.parent_id == theme.id:
        raise errors.invalid("into_id", "a theme cannot be merged into a theme split off it")
    before = _theme_snapshot(theme)
    m = TextThemeMention
    both = select(m.enrichment_id).where(m.theme_id == target.id)
    duplicate = (m.theme_id == theme.id, m.enrichment_id.in_(both))
    dropped = int(session.scalar(select(func.count()).select_from(m).where(*duplicate)) or 0)
    session.execute(delete(m).where(*duplicate))
    moved = int(session.scalar(select(func.count()).where(m.theme_id == theme.id)) or 0)
    session.execute(update(m).where(m.theme_id == theme.id).values(theme_id=target.id))
    session.execute(
        update(TextTheme).where(TextTheme.parent_id == theme.id).values(parent_id=target.id)
    )
    theme.status, theme.merged_into_id, theme.updated_at = "merged", target.id, clock.now()
    target.updated_at = clock.now()
    session.flush()
    after = _theme_snapshot(theme) | {"mentions_moved": moved, "duplicates_dropped": dropped}
    audit.record(session, actor, "text.theme.merge", "text_theme", theme.id, before, after)
    return target


def _slug(name: str) -> str:
    slug = re.sub(r"[^\w]+", "-", name.casefold()).strip("-")
    return slug[:40] or "theme"


def split_theme(
    session: Session, actor: Actor, theme_id: int, name: str, terms: list[str]
) -> TextTheme:
    """Split off a new theme: the parent's comments containing one of ``terms`` move to it."""
    parent = _editable(session, actor, theme_id)
    name = " ".join(name.split())
    clean = sorted({" ".join(t.split()) for t in terms if t.strip()})
    if not name:
        raise errors.invalid("name", "must not be empty")
    if not clean:
        raise errors.invalid("terms", "give at least one word that marks the new theme")
    key = f"{parent.key}/{_slug(name)}"
    taken = session.scalar(
        select(func.count()).where(
            TextTheme.workspace_id == actor.workspace_id, TextTheme.key.like(f"{key}%")
        )
    )
    if taken:
        key = f"{key}-{int(taken) + 1}"
    t = clock.now()
    child = TextTheme(
        workspace_id=actor.workspace_id,
        key=key[:120],
        name=name[:120],
        status="active",
        parent_id=parent.id,
        terms=clean,
        created_at=t,
        updated_at=t,
    )
    session.add(child)
    session.flush()
    moved = 0
    rows = session.execute(
        select(TextThemeMention, TextEnrichment.redacted)
        .join(TextEnrichment, TextEnrichment.id == TextThemeMention.enrichment_id)
        .where(TextThemeMention.theme_id == parent.id)
    )
    for mention, redacted in rows:
        hits = term_hits(redacted, clean)
        if hits:
            mention.theme_id = child.id
            mention.evidence = [{"term": e.term, "start": e.start, "end": e.end} for e in hits]
            moved += 1
    session.flush()
    after = _theme_snapshot(child) | {"mentions_moved": moved}
    audit.record(
        session, actor, "text.theme.split", "text_theme", parent.id, _theme_snapshot(parent), after
    )
    return child


def label_comment(session: Session, actor: Actor, enrichment_id: int, label: Label) -> TextLabel:
    """Record a person's sentiment for a comment (thumbs up/down); used when retraining."""
    access.require(actor, TEXT_LABEL)
    row = access.get_enrichment(session, actor, enrichment_id)
    existing = session.scalar(
        select(TextLabel).where(
            TextLabel.workspace_id == actor.workspace_id, TextLabel.enrichment_id == row.id
        )
    )
    t = clock.now()
    before = {"label": existing.label} if existing else None
    if existing is None:
        existing = TextLabel(
            workspace_id=actor.workspace_id,
            enrichment_id=row.id,
            label=label,
            labelled_by=actor.ref,
            created_at=t,
            updated_at=t,
        )
        session.add(existing)
    else:
        existing.label, existing.labelled_by, existing.updated_at = label, actor.ref, t
    session.flush()
    after = {"label": label, "predicted": row.sentiment, "model_version": row.model_version}
    audit.record(session, actor, "text.label", "text_comment", row.id, before, after)
    return existing


def retrain(session: Session, actor: Actor) -> tuple[TextHead, int]:
    """Tune the workspace's sentiment head on its labels; queue re-enrichment; return both."""
    access.require(actor, TEXT_MANAGE)
    examples = queries.labelled_examples(session, actor.workspace_id)
    classes = len({lab for _, lab in examples})
    if len(examples) < MIN_LABELS or classes < 2:
        raise errors.too_few_labels(len(examples), MIN_LABELS, classes)
    base = heads.base_analyzer()
    previous = session.scalar(
        select(func.max(TextHead.version)).where(TextHead.workspace_id == actor.workspace_id)
    )
    version = int(previous or 0) + 1
    head, report = tune_head(
        examples, base=base.head, encoder=base.encoder, name=f"ws{actor.workspace_id}-v{version}"
    )
    session.execute(
        update(TextHead).where(TextHead.workspace_id == actor.workspace_id).values(active=False)
    )
    row = TextHead(
        workspace_id=actor.workspace_id,
        version=version,
        head_version=head.version,
        blob=orjson.dumps(head.to_json()),
        n_labels=len(examples),
        report=asdict(report) | {"label_counts": dict(Counter(lab for _, lab in examples))},
        active=True,
        created_by=actor.ref,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    job = jobs.enqueue(session, REENRICH_JOB, {"head": version}, workspace_id=actor.workspace_id)
    after = {
        "version": version,
        "head_version": head.version,
        "labels": len(examples),
        "workspace_before": asdict(report.workspace_before),
        "workspace_after": asdict(report.workspace_after),
        "reenrich_job_id": job.id,
    }
    audit.record(session, actor, "text.retrain", "text_head", row.id, None, after)
    return row, job.id


def detect_emerging_themes(
    session: Session, actor: Actor, days: int = 7, baseline_days: int = 28
) -> list[EmergingThemeEvent]:
    """Compare the last ``days`` with the ``baseline_days`` before; keep significant rises."""
    access.require(actor, TEXT_MANAGE)
    ws = actor.workspace_id
    ensure_taxonomy_themes(session, ws, heads.base_analyzer())
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    end = today + timedelta(days=1)
    start = end - timedelta(days=days)
    base_start = start - timedelta(days=baseline_days)
    current, current_total = volumes.window_counts(session, ws, start, end)
    baseline, baseline_total = volumes.window_counts(session, ws, base_start, start)
    found = detect_emerging(
        {str(k): WindowCounts(*v) for k, v in baseline.items()},
        {str(k): WindowCounts(*v) for k, v in current.items()},
        baseline_total=baseline_total,
        current_total=current_total,
    )
    themes = ThemeMap.load(session, ws)
    out = []
    for e in found:
        theme = themes.by_id[int(e.theme_id)]
        row = session.scalar(
            select(EmergingThemeEvent).where(
                EmergingThemeEvent.workspace_id == ws,
                EmergingThemeEvent.theme_id == theme.id,
                EmergingThemeEvent.kind == e.kind,
                EmergingThemeEvent.window_end == end,
            )
        )
        if row is None:
            row = EmergingThemeEvent(
                workspace_id=ws, theme_id=theme.id, kind=e.kind, window_end=end
            )
            session.add(row)
        row.window_start, row.baseline_start = start, base_start
        row.baseline_rate, row.current_rate = e.baseline_rate, e.current_rate
        row.ratio = None if e.ratio == float("inf") else e.ratio
        row.current_count, row.baseline_count = e.current_count, e.baseline_count
        row.p_value, row.q_value, row.severity = e.p_value, e.q_value, e.severity
        row.detected_at = clock.now()
        out.append(row)
    session.flush()
    summary = {"days": days, "baseline_days": baseline_days, "found": len(out)}
    audit.record(session, actor, "text.emerging.detect", "text_emerging", end.date(), None, summary)
    return out
