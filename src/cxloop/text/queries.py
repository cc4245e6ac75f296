"""Reads of the text domain: themes with volume and trend, verbatims, labels, emerging themes.

The API and the pages share these. A comment is an interaction's text or an open survey answer.
Raw text comes from the subject (the interaction, the answer) and only for actors holding the
PII permission; everyone else gets the stored redacted text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.permissions import SURVEYS_READ, TEXT_READ
from cxloop.journeys import queries as journeys
from cxloop.surveys import access as survey_access
from cxloop.surveys import queries_answers as survey_answers
from cxloop.text import access, errors, heads
from cxloop.text.enrich import sentence_rows, theme_rows
from cxloop.text.models import (
    TextEnrichment,
    TextHead,
    TextLabel,
    TextThemeMention,
)
from cxloop.text.pii import redact
from cxloop.text.themes import term_hits
from cxloop.text.types import TextInsight


@dataclass(frozen=True)
class VerbatimFilter:
    """Filters of a theme's comments."""

    language: str | None = None
    sentiment: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    subject_type: str | None = None  # interaction | answer
    survey_id: int | None = None  # answers to this survey
    question: str | None = None  # ... to this question of it (a key)


def _shown(session: Session, actor: Actor, rows: list[TextEnrichment]) -> dict[int, str | None]:
    """The raw text of each comment when the actor may read it (None: show the redacted)."""
    shown: dict[int, str | None] = {r.id: None for r in rows}
    if access.sees_raw_text(actor):
        ws = actor.workspace_id
        raw = {
            "interaction": journeys.texts_by_id(session, ws, _ids(rows, "interaction")),
            "answer": survey_answers.texts_by_id(session, ws, _ids(rows, "answer")),
        }
        for r in rows:
            shown[r.id] = raw.get(r.subject_type, {}).get(r.subject_id)
    return shown


def _ids(rows: list[TextEnrichment], subject_type: str) -> list[int]:
    return [r.subject_id for r in rows if r.subject_type == subject_type]


def _origins(
    session: Session, actor: Actor, rows: list[TextEnrichment], lang: str
) -> dict[int, dict[str, Any]]:
    """The survey, question, response and customer of the comments that are survey answers."""
    found = survey_answers.origins(session, actor.workspace_id, _ids(rows, "answer"), lang)
    return {
        r.id: found[r.subject_id].as_dict()
        for r in rows
        if r.subject_type == "answer" and r.subject_id in found
    }


def _filtered(session: Session, actor: Actor, stmt: Any, f: VerbatimFilter) -> Any:
    e = TextEnrichment
    if f.language:
        stmt = stmt.where(e.language == f.language)
    if f.sentiment:
        stmt = stmt.where(e.sentiment == f.sentiment)
    if f.channel:
        stmt = stmt.where(e.channel == f.channel)
    if f.since:
        stmt = stmt.where(e.occurred_at >= f.since)
    if f.until:
        stmt = stmt.where(e.occurred_at < f.until)
    if f.subject_type:
        stmt = stmt.where(e.subject_type == f.subject_type)
    if f.question is not None and f.survey_id is None:
        raise errors.invalid("question", "give the survey_id the question belongs to")
    if f.survey_id is not None:
        if f.subject_type == "interaction":
            raise errors.invalid("survey_id", "survey answers are subjects of type 'answer'")
        survey = survey_access.get_survey(session, actor, f.survey_id, SURVEYS_READ)
        among = survey_answers.answer_ids(actor.workspace_id, survey.id, f.question)
        stmt = stmt.where(e.subject_type == "answer", e.subject_id.in_(among))
    return stmt


def _labels(session: Session, ws: int, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(TextLabel.enrichment_id, TextLabel.label).where(
            TextLabel.workspace_id == ws, TextLabel.enrichment_id.in_(ids)
        )
    )
    return {r[0]: r[1] for r in rows}


def comment_view(
    row: TextEnrichment,
    raw: str | None,
    evidence: list[dict[str, Any]],
    label: str | None,
    survey: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One analysed comment: ``raw`` text if the actor may read it, else the redacted one."""
    if raw is None:
        shown = row.redacted
        marks = [{"term": x["term"], "start": x["start"], "end": x["end"]} for x in evidence]
    else:
        shown = raw
        found = term_hits(raw, sorted({x["term"] for x in evidence}))
        marks = [{"term": x.term, "start": x.start, "end": x.end} for x in found]
    return {
        "id": row.id,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "occurred_at": row.occurred_at,
        "channel": row.channel,
        "language": row.language,
        "sentiment": row.sentiment,
        "score": row.sentiment_score,
        "text": shown,
        "redacted": raw is None,
        "pii_kinds": row.pii_kinds,
        "highlights": marks,
        "themes": [t["key"] for t in row.themes],
        "label": label,
        "model_version": row.model_version,
        "survey": survey,
    }


def verbatims(
    session: Session,
    actor: Actor,
    theme_id: int,
    filters: VerbatimFilter,
    limit: int = 20,
    offset: int = 0,
    lang: str = "en",
) -> tuple[list[dict[str, Any]], int]:
    """A theme's comments (interactions and survey answers), newest first, filtered, with the
    words that drove the theme; a survey answer also says its survey, question and response."""
    access.require(actor, TEXT_READ)
    theme = access.get_theme(session, actor, theme_id)
    m, e = TextThemeMention, TextEnrichment
    stmt = (
        select(e, m.evidence)
        .join(m, m.enrichment_id == e.id)
        .where(m.workspace_id == actor.workspace_id, m.theme_id == theme.id)
    )
    stmt = _filtered(session, actor, stmt, filters)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    page = session.execute(
        stmt.order_by(e.occurred_at.desc(), e.id.desc()).limit(limit).offset(offset)
    ).all()
    rows = [r[0] for r in page]
    if not rows:
        return [], total
    shown = _shown(session, actor, rows)
    labels = _labels(session, actor.workspace_id, [r.id for r in rows])
    origins = _origins(session, actor, rows, lang)
    items = [
        comment_view(row, shown[row.id], evidence or [], labels.get(row.id), origins.get(row.id))
        for row, evidence in page
    ]
    return items, total


def comment(session: Session, actor: Actor, enrichment_id: int, lang: str = "en") -> dict[str, Any]:
    """One analysed comment with all its themes' evidence."""
    access.require(actor, TEXT_READ)
    row = access.get_enrichment(session, actor, enrichment_id)
    evidence = [x for t in row.themes for x in t.get("evidence", [])]
    label = _labels(session, row.workspace_id, [row.id]).get(row.id)
    survey = _origins(session, actor, [row], lang).get(row.id)
    view = comment_view(row, _shown(session, actor, [row])[row.id], evidence, label, survey)
    view["sentences"] = row.sentences
    view["theme_hits"] = row.themes
    return view


def open_questions(session: Session, actor: Actor, lang: str = "en") -> list[dict[str, Any]]:
    """The surveys with open questions and those questions, to filter comments by
    (``value``: the survey id, or survey id and question key as ``id:key``)."""
    access.require(actor, TEXT_READ)
    out: list[dict[str, Any]] = []
    for sid, name, key, text in survey_answers.workspace_open_questions(
        session, actor.workspace_id, lang
    ):
        if not out or out[-1]["survey_id"] != sid:
            out.append({"value": str(sid), "survey_id": sid, "survey": name, "question": None})
        out.append({"value": f"{sid}:{key}", "survey_id": sid, "survey": name, "question": text})
    return out


def pieces(text: str, highlights: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """``text`` cut into (part, highlighted) pieces, for pages that mark the driving words."""
    out: list[tuple[str, bool]] = []
    at = 0
    for h in sorted(highlights, key=lambda x: (x["start"], -x["end"])):
        s, e = max(int(h["start"]), at), min(int(h["end"]), len(text))
        if e <= s:
            continue
        if s > at:
            out.append((text[at:s], False))
        out.append((text[s:e], True))
        at = e
    if at < len(text):
        out.append((text[at:], False))
    return out


def for_subjects(
    session: Session, workspace_id: int, subject_type: str, ids: list[int]
) -> dict[int, dict[str, Any]]:
    """Redacted text and sentiment of subjects by id (for the customer timeline)."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            TextEnrichment.subject_id,
            TextEnrichment.redacted,
            TextEnrichment.sentiment,
            TextEnrichment.sentiment_score,
        ).where(
            TextEnrichment.workspace_id == workspace_id,
            TextEnrichment.subject_type == subject_type,
            TextEnrichment.subject_id.in_(ids),
        )
    )
    return {r[0]: {"redacted": r[1], "sentiment": r[2], "score": r[3]} for r in rows}


def redacted_now(text: str) -> str:
    """Redact a text that has not been enriched yet (no model needed)."""
    return redact(text).redacted


def labelled_examples(session: Session, workspace_id: int) -> list[tuple[str, str]]:
    """(redacted text, label) of every labelled comment of the workspace."""
    rows = session.execute(
        select(TextEnrichment.redacted, TextLabel.label)
        .join(TextLabel, TextLabel.enrichment_id == TextEnrichment.id)
        .where(TextLabel.workspace_id == workspace_id)
        .order_by(TextLabel.id)
    )
    return [(r[0], r[1]) for r in rows]


def label_counts(session: Session, workspace_id: int) -> dict[str, int]:
    """How many comments carry each label."""
    rows = session.execute(
        select(TextLabel.label, func.count())
        .where(TextLabel.workspace_id == workspace_id)
        .group_by(TextLabel.label)
    )
    return {r[0]: int(r[1]) for r in rows}


def head_view(row: TextHead) -> dict[str, Any]:
    """A workspace head with its before/after scores."""
    return {
        "version": row.version,
        "head_version": row.head_version,
        "labels": row.n_labels,
        "active": row.active,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "report": row.report,
    }


def model_status(session: Session, workspace_id: int) -> dict[str, Any]:
    """The current model version and how many comments are enriched with it or another one."""
    version = heads.analyzer_for(session, workspace_id).model_version
    rows = session.execute(
        select(TextEnrichment.model_version, func.count())
        .where(TextEnrichment.workspace_id == workspace_id)
        .group_by(TextEnrichment.model_version)
    )
    counts: dict[bool, int] = {}
    for model_version, n in rows:
        counts[model_version == version] = counts.get(model_version == version, 0) + int(n)
    return {"model_version": version, "current": counts.get(True, 0), "stale": counts.get(False, 0)}


def analyze_texts(session: Session, actor: Actor, texts: list[str]) -> list[dict[str, Any]]:
    """Analyse texts now with the workspace's model (nothing stored, no personal values out)."""
    access.require(actor, TEXT_READ)
    analyzer = heads.analyzer_for(session, actor.workspace_id)
    return [insight_dict(ins) for ins in analyzer.analyze(texts)]


def insight_dict(ins: TextInsight) -> dict[str, Any]:
    """What the analysis found in one text, JSON-ready, without personal values."""
    return {
        "language": ins.language.code,
        "sentiment": ins.sentiment.label,
        "score": ins.sentiment.score,
        "probabilities": dict(
            zip(("negative", "neutral", "positive"), ins.sentiment.probabilities, strict=True)
        ),
        "sentences": sentence_rows(ins),
        "themes": theme_rows(ins, "theme"),
        "pii": [{"type": p.type, "start": p.start, "end": p.end} for p in ins.pii],
        "redacted": ins.redacted,
        "model_version": ins.model_version,
    }


def status(session: Session, actor: Actor) -> dict[str, Any]:
    """Model version, enrichment freshness, label counts and the active workspace head."""
    access.require(actor, TEXT_READ)
    head = session.scalar(
        select(TextHead)
        .where(TextHead.workspace_id == actor.workspace_id, TextHead.active.is_(True))
        .order_by(TextHead.version.desc())
        .limit(1)
    )
    return model_status(session, actor.workspace_id) | {
        "labels": label_counts(session, actor.workspace_id),
        "head": head_view(head) if head is not None else None,
    }
