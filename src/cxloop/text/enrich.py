"""Enrichment: the workspace's analyzer over subjects' free text, results stored per subject.

Idempotent and resumable. A subject is analysed only when it has no enrichment yet, when its
version changed (a newer version of the interaction was ingested), or when its enrichment was made
by another model version (a retrained head, a new taxonomy or library). A long run commits page by
page when asked, so a crash loses at most one page and the next run skips what is done.
Identical texts in a page are analysed once (results do not depend on the batch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.journeys import queries as journeys
from cxloop.surveys import queries_answers as survey_answers
from cxloop.text import heads
from cxloop.text.models import TextEnrichment, TextLabel, TextThemeMention
from cxloop.text.pipeline import Analyzer
from cxloop.text.themes import ThemeMap, ensure_taxonomy_themes
from cxloop.text.types import TextInsight

PAGE = 500
_ENRICHMENT: Any = TextEnrichment.__table__
_MENTION: Any = TextThemeMention.__table__
_UPDATED = (
    "subject_version",
    "channel",
    "occurred_at",
    "language",
    "sentiment",
    "sentiment_score",
    "sentences",
    "themes",
    "pii_kinds",
    "redacted",
    "model_version",
    "updated_at",
)


@dataclass(frozen=True)
class Subject:
    """A piece of free text to enrich: an interaction or an open survey answer."""

    id: int
    version: int
    text: str
    channel: str | None
    occurred_at: datetime


@dataclass
class Progress:
    """What a run did: subjects looked at, (re-)enriched, already up to date."""

    seen: int = 0
    enriched: int = 0
    up_to_date: int = 0
    model_version: str = ""
    pages: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    retired: int = 0  # survey responses' interactions no longer analysed as one text

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts (a job's result)."""
        return {
            "seen": self.seen,
            "enriched": self.enriched,
            "up_to_date": self.up_to_date,
            "retired": self.retired,
            "model_version": self.model_version,
        }


def enrich_interactions(
    session: Session,
    workspace_id: int,
    *,
    batch_id: int | None = None,
    ids: list[int] | None = None,
    commit: bool = False,
    on_page: Callable[[Progress], None] | None = None,
    analyzer: Analyzer | None = None,
    progress: Progress | None = None,
) -> Progress:
    """Enrich the workspace's interactions with text that are missing or stale (or some).

    Survey responses' interactions are left out: their text is analysed answer by answer.
    """
    surveys = survey_answers.survey_source_ids(session, workspace_id)

    def page(after: int) -> list[tuple[int, int, str, str, datetime]]:
        return journeys.texts_page(
            session, workspace_id, after, PAGE, batch_id, ids, exclude_sources=surveys
        )

    return _run(session, workspace_id, "interaction", page, commit, on_page, analyzer, progress)


def enrich_answers(
    session: Session,
    workspace_id: int,
    *,
    response_ids: list[int] | None = None,
    commit: bool = False,
    on_page: Callable[[Progress], None] | None = None,
    analyzer: Analyzer | None = None,
    progress: Progress | None = None,
) -> Progress:
    """Enrich the open answers of completed survey responses that are missing or stale (or
    those of some responses), each answer a subject of its own."""

    def page(after: int) -> list[tuple[int, int, str, str, datetime]]:
        return survey_answers.texts_page(session, workspace_id, after, PAGE, response_ids)

    return _run(session, workspace_id, "answer", page, commit, on_page, analyzer, progress)


def _run(
    session: Session,
    workspace_id: int,
    subject_type: str,
    pages: Callable[[int], list[tuple[int, int, str, str, datetime]]],
    commit: bool,
    on_page: Callable[[Progress], None] | None,
    analyzer: Analyzer | None,
    progress: Progress | None,
) -> Progress:
    analyzer = analyzer or heads.analyzer_for(session, workspace_id)
    progress = progress or Progress(model_version=analyzer.model_version)
    after = 0
    while True:
        page = pages(after)
        if not page:
            break
        after = page[-1][0]
        subjects = [Subject(*row) for row in page]
        done = enrich_subjects(session, workspace_id, subject_type, subjects, analyzer)
        progress.seen += len(subjects)
        progress.enriched += done
        progress.up_to_date += len(subjects) - done
        progress.pages += 1
        if commit:
            session.commit()
        if on_page is not None:
            on_page(progress)
    return progress


def retire_survey_interactions(session: Session, workspace_id: int, commit: bool = False) -> int:
    """Drop the enrichments of survey responses' interactions (made before answers were
    analysed one by one), so that no survey text counts twice; return how many.

    A person's label on one moves to the answer's enrichment when the response has a single
    open answer (the same text); with several, the label is dropped with the blended text.
    """
    sources = survey_answers.survey_source_ids(session, workspace_id)
    if not sources:
        return 0
    e = TextEnrichment
    retired = 0
    while True:
        rows = session.execute(
            select(e.id, e.subject_id)
            .where(
                e.workspace_id == workspace_id,
                e.subject_type == "interaction",
                e.subject_id.in_(journeys.ids_of_sources(workspace_id, sources)),
            )
            .order_by(e.id)
            .limit(PAGE)
        ).all()
        if not rows:
            return retired
        ids = [r[0] for r in rows]
        _move_labels(session, workspace_id, {r[0]: r[1] for r in rows})
        session.execute(delete(TextLabel).where(TextLabel.enrichment_id.in_(ids)))
        session.execute(delete(_MENTION).where(_MENTION.c.enrichment_id.in_(ids)))
        session.execute(delete(e).where(e.id.in_(ids)))
        retired += len(ids)
        if commit:
            session.commit()


def _move_labels(session: Session, workspace_id: int, interaction_of: dict[int, int]) -> None:
    """Give the labels of these interaction enrichments to their response's only answer."""
    labels = list(
        session.scalars(select(TextLabel).where(TextLabel.enrichment_id.in_(list(interaction_of))))
    )
    if not labels:
        return
    external = journeys.external_ids(
        session, workspace_id, [interaction_of[x.enrichment_id] for x in labels]
    )
    answer_of = survey_answers.only_open_answer(session, workspace_id, list(external.values()))
    enrichment_of = dict(
        session.execute(
            select(TextEnrichment.subject_id, TextEnrichment.id).where(
                TextEnrichment.workspace_id == workspace_id,
                TextEnrichment.subject_type == "answer",
                TextEnrichment.subject_id.in_(list(answer_of.values())),
            )
        ).all()
    )
    taken = set(
        session.scalars(
            select(TextLabel.enrichment_id).where(
                TextLabel.enrichment_id.in_(list(enrichment_of.values()))
            )
        )
    )
    for x in labels:
        answer = answer_of.get(external.get(interaction_of[x.enrichment_id], ""))
        target = enrichment_of.get(answer) if answer is not None else None
        if target is None or target in taken:
            continue
        taken.add(target)
        session.add(
            TextLabel(
                workspace_id=workspace_id,
                enrichment_id=target,
                label=x.label,
                labelled_by=x.labelled_by,
                created_at=x.created_at,
                updated_at=x.updated_at,
            )
        )
    session.flush()


def enrich_subjects(
    session: Session,
    workspace_id: int,
    subject_type: str,
    subjects: Sequence[Subject],
    analyzer: Analyzer | None = None,
) -> int:
    """Enrich the subjects that need it; return how many were (re-)enriched."""
    analyzer = analyzer or heads.analyzer_for(session, workspace_id)
    version = analyzer.model_version
    current = {
        sid: (sver, mver)
        for sid, sver, mver in session.execute(
            select(
                TextEnrichment.subject_id,
                TextEnrichment.subject_version,
                TextEnrichment.model_version,
            ).where(
                TextEnrichment.workspace_id == workspace_id,
                TextEnrichment.subject_type == subject_type,
                TextEnrichment.subject_id.in_([s.id for s in subjects]),
            )
        )
    }
    todo = [s for s in subjects if current.get(s.id) != (s.version, version)]
    if not todo:
        return 0
    unique = sorted({s.text for s in todo})
    insights = dict(zip(unique, analyzer.analyze(unique), strict=True))
    ensure_taxonomy_themes(session, workspace_id, analyzer)
    themes = ThemeMap.load(session, workspace_id)
    t = clock.now()
    rows = [_row(workspace_id, subject_type, s, insights[s.text], t) for s in todo]
    ids = _upsert(session, rows)
    session.execute(delete(_MENTION).where(_MENTION.c.enrichment_id.in_(list(ids.values()))))
    mentions = []
    for s in todo:
        mentions += _mentions(workspace_id, ids[s.id], insights[s.text], themes)
    if mentions:
        session.execute(_dialect_insert(session, _MENTION).on_conflict_do_nothing(), mentions)
    session.flush()
    return len(todo)


def _row(
    workspace_id: int, subject_type: str, s: Subject, ins: TextInsight, t: datetime
) -> dict[str, Any]:
    return {
        "workspace_id": workspace_id,
        "subject_type": subject_type,
        "subject_id": s.id,
        "subject_version": s.version,
        "channel": s.channel,
        "occurred_at": s.occurred_at,
        "language": ins.language.code,
        "sentiment": ins.sentiment.label,
        "sentiment_score": ins.sentiment.score,
        "sentences": sentence_rows(ins),
        "themes": theme_rows(ins),
        "pii_kinds": sorted({p.type for p in ins.pii}),
        "redacted": ins.redacted,
        "model_version": ins.model_version,
        "created_at": t,
        "updated_at": t,
    }


def _mentions(
    workspace_id: int, enrichment_id: int, ins: TextInsight, themes: ThemeMap
) -> list[dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for hit in ins.themes:
        routed = themes.route(hit.theme_id, ins.redacted)
        if routed is None:
            continue
        theme, words = routed
        evidence = words or list(hit.evidence)
        if theme.id in out:
            continue
        out[theme.id] = {
            "workspace_id": workspace_id,
            "enrichment_id": enrichment_id,
            "theme_id": theme.id,
            "strength": round(hit.score, 4),
            "sentiment": hit.sentiment,
            "evidence": [{"term": e.term, "start": e.start, "end": e.end} for e in evidence],
        }
    return list(out.values())


def _dialect_insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _upsert(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Insert or update enrichment rows; return subject id -> enrichment id."""
    stmt = _dialect_insert(session, _ENRICHMENT)
    stmt = stmt.on_conflict_do_update(
        index_elements=["workspace_id", "subject_type", "subject_id"],
        set_={c: getattr(stmt.excluded, c) for c in _UPDATED},
    ).returning(_ENRICHMENT.c.subject_id, _ENRICHMENT.c.id)
    result = session.execute(stmt, rows)
    return {int(sid): int(eid) for sid, eid in result}


def sentence_rows(ins: TextInsight) -> list[dict[str, Any]]:
    """Each sentence of an insight as JSON: offsets, sentiment and the themes it carries."""
    return [
        {
            "start": x.start,
            "end": x.end,
            "sentiment": x.sentiment.label,
            "score": x.sentiment.score,
            "themes": [h.theme_id for h in x.themes],
        }
        for x in ins.sentences
    ]


def theme_rows(ins: TextInsight, id_field: str = "key") -> list[dict[str, Any]]:
    """Each theme hit of an insight as JSON, with the words that drove it."""
    return [
        {
            id_field: h.theme_id,
            "label": h.label,
            "strength": round(h.score, 4),
            "sentiment": h.sentiment,
            "evidence": [{"term": e.term, "start": e.start, "end": e.end} for e in h.evidence],
        }
        for h in ins.themes
    ]
