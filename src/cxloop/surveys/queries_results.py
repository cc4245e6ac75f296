"""Results of a survey's open questions: sentiment and themes per question, and the answers.

Text analytics enriches each open answer on its own, so every question has its own sentiment
and themes. Reading them needs ``responses.read``; the answers are shown as written only to
roles holding ``profiles.pii``, redacted for everyone else (as comments are everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.permissions import PROFILES_PII, RESPONSES_READ
from cxloop.surveys import access, errors
from cxloop.surveys import queries_answers as answers
from cxloop.text import access as text_access
from cxloop.text import queries_answers as text_answers


@dataclass(frozen=True)
class AnswerFilter:
    """Filters of a survey's open answers."""

    question: str | None = None
    sentiment: str | None = None
    theme_id: int | None = None


def open_results(
    session: Session, actor: Actor, survey_id: int, lang: str = "en"
) -> dict[str, Any]:
    """Per open question: answers, how many are analysed, sentiment counts, mean score, themes."""
    survey = access.get_survey(session, actor, survey_id, RESPONSES_READ)
    answered = answers.answered_counts(session, actor.workspace_id, survey.id)
    questions = []
    for key, text in answers.open_questions(session, survey.id, lang):
        figures = text_answers.question_figures(session, actor.workspace_id, survey.id, key, lang)
        questions.append({"key": key, "question": text, "answered": answered.get(key, 0)} | figures)
    return {"survey_id": survey.id, "name": survey.name, "questions": questions}


def open_answers(
    session: Session,
    actor: Actor,
    survey_id: int,
    f: AnswerFilter,
    limit: int = 20,
    offset: int = 0,
    lang: str = "en",
) -> tuple[list[dict[str, Any]], int]:
    """A survey's open answers, newest first, with their sentiment and themes; and the total."""
    survey = access.get_survey(session, actor, survey_id, RESPONSES_READ)
    ws = actor.workspace_id
    questions = dict(answers.open_questions(session, survey.id, lang))
    if f.question is not None and f.question not in questions:
        raise errors.invalid("question", "is not an open question of this survey")
    among = None
    if f.sentiment is not None or f.theme_id is not None:
        theme = text_access.get_theme(session, actor, f.theme_id) if f.theme_id else None
        among = text_answers.answer_ids_where(ws, f.sentiment, theme.id if theme else None)
    rows, total = answers.answers_page(session, ws, survey.id, f.question, among, limit, offset)
    origins = answers.origins(session, ws, [r[0] for r in rows], lang)
    found = text_answers.analyses(session, ws, [r[0] for r in rows], lang)
    raw = actor.can(PROFILES_PII)
    items = []
    for answer_id, response_id, text, answered_at in rows:
        o = origins[answer_id]
        view = text_answers.answer_view(answer_id, text, found.get(answer_id), raw)
        items.append(
            view
            | {
                "response_id": response_id,
                "profile_id": o.profile_id,
                "question_key": o.question_key,
                "question": o.question,
                "answered_at": answered_at,
            }
        )
    return items, total


def analysed_answers(
    session: Session, actor: Actor, response_ids: list[int], lang: str = "en"
) -> dict[int, dict[str, dict[str, Any]]]:
    """Per response, its open answers by question key as the actor may see them, analysed."""
    found = text_answers.answers_of_responses(
        session, actor.workspace_id, response_ids, actor.can(PROFILES_PII), lang
    )
    return {rid: {a["question_key"]: a for a in items} for rid, items in found.items()}
