"""Reads of open survey answers as analysed comments, for survey results and the 360 view.

Every open answer of a completed response is enriched as a subject of its own (``answer``, the
answer row's id), so a survey with two open questions gets a sentiment and themes per question.
These reads join what the analysis found with the answer's survey, question and response. The
text is shown as written only when the caller says the actor may read it (``raw``); otherwise
it is the redacted text stored with the enrichment, or redacted now if not analysed yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cxloop.surveys import queries_answers as survey_answers
from cxloop.text.models import TextEnrichment, TextTheme, TextThemeMention
from cxloop.text.pii import redact
from cxloop.text.volumes import theme_label

ANSWER = "answer"
SENTIMENTS = ("negative", "neutral", "positive")


def analyses(
    session: Session, workspace_id: int, answer_ids: Sequence[int], lang: str = "en"
) -> dict[int, dict[str, Any]]:
    """What the analysis found in answers by answer id (those analysed so far)."""
    if not answer_ids:
        return {}
    e = TextEnrichment
    rows = list(
        session.scalars(
            select(e).where(
                e.workspace_id == workspace_id,
                e.subject_type == ANSWER,
                e.subject_id.in_(list(answer_ids)),
            )
        )
    )
    themes = _themes(session, [r.id for r in rows], lang)
    return {
        r.subject_id: {
            "comment_id": r.id,
            "language": r.language,
            "sentiment": r.sentiment,
            "score": r.sentiment_score,
            "themes": themes.get(r.id, []),
            "redacted": r.redacted,
            "model_version": r.model_version,
        }
        for r in rows
    }


def _themes(session: Session, enrichment_ids: list[int], lang: str) -> dict[int, list[Any]]:
    """The workspace themes (id, label) each enrichment mentions, strongest first."""
    if not enrichment_ids:
        return {}
    m = TextThemeMention
    rows = session.execute(
        select(m.enrichment_id, TextTheme)
        .join(TextTheme, TextTheme.id == m.theme_id)
        .where(m.enrichment_id.in_(enrichment_ids))
        .order_by(m.enrichment_id, m.strength.desc(), m.theme_id)
    )
    out: dict[int, list[Any]] = defaultdict(list)
    for enrichment_id, theme in rows:
        out[enrichment_id].append({"id": theme.id, "label": theme_label(theme, lang)})
    return out


def answer_view(
    answer_id: int, text: str, analysis: dict[str, Any] | None, raw: bool
) -> dict[str, Any]:
    """An open answer as the actor may see it, with what the analysis found (None: not yet)."""
    if raw:
        shown = text
    elif analysis is not None:
        shown = analysis["redacted"]
    else:  # not analysed yet: redacted now, as the 360 view does for new comments
        shown = redact(text).redacted
    found = None
    if analysis is not None:
        found = {k: v for k, v in analysis.items() if k != "redacted"}
    return {"answer_id": answer_id, "text": shown, "redacted": not raw, "analysis": found}


def answers_of_responses(
    session: Session, workspace_id: int, response_ids: Sequence[int], raw: bool, lang: str = "en"
) -> dict[int, list[dict[str, Any]]]:
    """Per response, its open answers in question order with what the analysis found."""
    found = survey_answers.open_answers(session, workspace_id, response_ids, lang)
    ids = [a[0] for items in found.values() for a in items]
    an = analyses(session, workspace_id, ids, lang)
    return {
        rid: [
            answer_view(aid, text, an.get(aid), raw) | {"question_key": key, "question": question}
            for aid, key, question, text in items
        ]
        for rid, items in found.items()
    }


def overall(answers: Sequence[dict[str, Any]]) -> str | None:
    """One sentiment for several answers: theirs if they agree, else ``mixed``."""
    labels = {a["analysis"]["sentiment"] for a in answers if a.get("analysis")}
    if not labels:
        return None
    return labels.pop() if len(labels) == 1 else "mixed"


def answer_ids_where(
    workspace_id: int, sentiment: str | None = None, theme_id: int | None = None
) -> Select[Any]:
    """A subquery: ids of the answers analysed with this sentiment and/or mentioning a theme."""
    e, m = TextEnrichment, TextThemeMention
    stmt = select(e.subject_id).where(e.workspace_id == workspace_id, e.subject_type == ANSWER)
    if sentiment is not None:
        stmt = stmt.where(e.sentiment == sentiment)
    if theme_id is not None:
        stmt = stmt.where(e.id.in_(select(m.enrichment_id).where(m.theme_id == theme_id)))
    return stmt


def question_figures(
    session: Session, workspace_id: int, survey_id: int, question_key: str, lang: str = "en"
) -> dict[str, Any]:
    """Sentiment of one question's analysed answers, and the themes they mention most."""
    e, m = TextEnrichment, TextThemeMention
    among = (
        e.workspace_id == workspace_id,
        e.subject_type == ANSWER,
        e.subject_id.in_(survey_answers.answer_ids(workspace_id, survey_id, question_key)),
    )
    counts = dict.fromkeys(SENTIMENTS, 0)
    total_score = 0.0
    for label, n, score in session.execute(
        select(e.sentiment, func.count(), func.sum(e.sentiment_score))
        .where(*among)
        .group_by(e.sentiment)
    ):
        counts[label] = int(n)
        total_score += float(score or 0.0)
    analysed = sum(counts.values())
    rows = session.execute(
        select(TextTheme, func.count(), func.count().filter(e.sentiment == "negative"))
        .select_from(m)
        .join(e, e.id == m.enrichment_id)
        .join(TextTheme, TextTheme.id == m.theme_id)
        .where(*among)
        .group_by(TextTheme.id)
        .order_by(func.count().desc(), TextTheme.id)
        .limit(5)
    )
    return {
        "analysed": analysed,
        "sentiment": counts,
        "avg_score": round(total_score / analysed, 4) if analysed else None,
        "themes": [
            {"id": t.id, "label": theme_label(t, lang), "mentions": int(n), "negative": int(neg)}
            for t, n, neg in rows
        ],
    }
