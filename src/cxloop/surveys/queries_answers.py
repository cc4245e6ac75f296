"""Reads of open survey answers for other domains: the texts to analyse and where they come from.

Text analytics enriches every open answer of a completed response as a subject of its own
(``answer``, the answer row's id). These reads hand it the texts and tell its views which
survey, question, response and customer an answer belongs to. Nothing here checks permissions
and nothing imports the text domain (it imports this module): the callers do both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cxloop.surveys import access
from cxloop.surveys.definition import Definition, pipe
from cxloop.surveys.models import Survey, SurveyAnswer, SurveyResponse, SurveyVersion

# an answer worth analysing: open text, not empty, of a response that is complete (a partial
# response's answers may still change)
_OPEN = (
    SurveyAnswer.text.is_not(None),
    SurveyAnswer.text != "",
    SurveyResponse.status == "completed",
)


@dataclass(frozen=True)
class Origin:
    """Where an open answer comes from."""

    answer_id: int
    response_id: int
    survey_id: int
    survey: str
    question_key: str
    question: str
    profile_id: int | None
    answered_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (what a comment's view shows about its survey)."""
        return {
            "survey_id": self.survey_id,
            "survey": self.survey,
            "question_key": self.question_key,
            "question": self.question,
            "response_id": self.response_id,
            "profile_id": self.profile_id,
        }


def survey_source_ids(session: Session, workspace_id: int) -> list[int]:
    """The sources completed responses are recorded under on the journey."""
    rows = session.scalars(
        select(Survey.source_id)
        .where(Survey.workspace_id == workspace_id, Survey.source_id.is_not(None))
        .distinct()
    )
    return sorted(int(s) for s in rows if s is not None)


def texts_page(
    session: Session,
    workspace_id: int,
    after_id: int = 0,
    limit: int = 500,
    response_ids: Sequence[int] | None = None,
) -> list[tuple[int, int, str, str, datetime]]:
    """``(id, version, text, channel, answered_at)`` of open answers of completed responses."""
    stmt = (
        select(
            SurveyAnswer.id,
            SurveyAnswer.text,
            SurveyResponse.channel,
            SurveyAnswer.answered_at,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.workspace_id == workspace_id, SurveyAnswer.id > after_id, *_OPEN)
    )
    if response_ids is not None:
        stmt = stmt.where(SurveyAnswer.response_id.in_(list(response_ids)))
    rows = session.execute(stmt.order_by(SurveyAnswer.id).limit(limit))
    # answers never change once their response is complete: every one is version 1
    return [(r[0], 1, r[1] or "", r[2], r[3]) for r in rows]


def texts_by_id(session: Session, workspace_id: int, ids: Sequence[int]) -> dict[int, str]:
    """The raw text of open answers by id (callers check the PII permission)."""
    if not ids:
        return {}
    rows = session.execute(
        select(SurveyAnswer.id, SurveyAnswer.text).where(
            SurveyAnswer.workspace_id == workspace_id, SurveyAnswer.id.in_(list(ids))
        )
    )
    return {r[0]: r[1] for r in rows if r[1] is not None}


def answer_ids(
    workspace_id: int, survey_id: int | None = None, question_key: str | None = None
) -> Select[Any]:
    """A subquery: the ids of the open answers of completed responses (of a survey, question)."""
    stmt = (
        select(SurveyAnswer.id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.workspace_id == workspace_id, *_OPEN)
    )
    if survey_id is not None:
        stmt = stmt.where(SurveyResponse.survey_id == survey_id)
    if question_key is not None:
        stmt = stmt.where(SurveyAnswer.question_key == question_key)
    return stmt


def question_text(d: Definition, key: str, lang: str) -> str:
    """A question's text in ``lang`` if the survey offers it, else in its default language."""
    q = next((q for q in d.questions if q.key == key), None)
    if q is None:
        return key  # a question a later version removed: its key is all that is left
    texts: dict[str, str] = {str(k): v for k, v in q.text.items()}
    text = texts.get(lang) or texts.get(d.default_language) or key
    return pipe(text, {})  # placeholders show their fallback ("…recommend us?")


def _definitions(session: Session, version_ids: set[int]) -> dict[int, Definition]:
    if not version_ids:
        return {}
    versions = session.scalars(select(SurveyVersion).where(SurveyVersion.id.in_(version_ids)))
    return {v.id: access.definition_of(v) for v in versions}


def origins(
    session: Session, workspace_id: int, ids: Sequence[int], lang: str = "en"
) -> dict[int, Origin]:
    """Survey, question (its text in ``lang``), response and customer of answers by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            SurveyAnswer.id,
            SurveyAnswer.response_id,
            SurveyAnswer.question_key,
            SurveyAnswer.version_id,
            SurveyAnswer.answered_at,
            SurveyResponse.survey_id,
            SurveyResponse.profile_id,
            Survey.name,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyAnswer.workspace_id == workspace_id, SurveyAnswer.id.in_(list(ids)))
    ).all()
    defs = _definitions(session, {r.version_id for r in rows})
    return {
        r.id: Origin(
            answer_id=r.id,
            response_id=r.response_id,
            survey_id=r.survey_id,
            survey=r.name,
            question_key=r.question_key,
            question=question_text(defs[r.version_id], r.question_key, lang),
            profile_id=r.profile_id,
            answered_at=r.answered_at,
        )
        for r in rows
    }


def open_answers(
    session: Session, workspace_id: int, response_ids: Sequence[int], lang: str = "en"
) -> dict[int, list[tuple[int, str, str, str]]]:
    """Per response, ``(answer id, question key, question text, text)`` in question order."""
    if not response_ids:
        return {}
    rows = session.execute(
        select(
            SurveyAnswer.id,
            SurveyAnswer.response_id,
            SurveyAnswer.question_key,
            SurveyAnswer.version_id,
            SurveyAnswer.text,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            SurveyAnswer.workspace_id == workspace_id,
            SurveyAnswer.response_id.in_(list(response_ids)),
            *_OPEN,
        )
    ).all()
    defs = _definitions(session, {r.version_id for r in rows})
    out: dict[int, list[tuple[int, str, str, str]]] = {}
    rank: dict[int, int] = {}
    for r in rows:
        d = defs[r.version_id]
        keys = [q.key for q in d.questions]
        rank[r.id] = keys.index(r.question_key) if r.question_key in keys else len(keys)
        out.setdefault(r.response_id, []).append(
            (r.id, r.question_key, question_text(d, r.question_key, lang), r.text or "")
        )
    for items in out.values():
        items.sort(key=lambda a: (rank[a[0]], a[0]))
    return out


def open_questions(session: Session, survey_id: int, lang: str = "en") -> list[tuple[str, str]]:
    """``(key, text)`` of a survey's open questions: the current version's, then removed ones."""
    versions = list(
        session.scalars(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey_id)
            .order_by(SurveyVersion.number.desc())
        )
    )
    out: dict[str, str] = {}
    for v in versions:  # newest first: a question's latest wording wins
        d = access.definition_of(v)
        for q in d.questions:
            if q.type == "text" and q.key not in out:
                out[q.key] = question_text(d, q.key, lang)
    return list(out.items())


def answers_page(
    session: Session,
    workspace_id: int,
    survey_id: int,
    question_key: str | None,
    among: Select[Any] | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[int, int, str, datetime]], int]:
    """A survey's open answers, newest first: ``(answer id, response id, text, answered_at)``
    (``among``: only answers whose id it returns), and how many there are."""
    stmt = answer_ids(workspace_id, survey_id, question_key)
    if among is not None:
        stmt = stmt.where(SurveyAnswer.id.in_(among))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.execute(
        stmt.add_columns(SurveyAnswer.response_id, SurveyAnswer.text, SurveyAnswer.answered_at)
        .order_by(SurveyAnswer.answered_at.desc(), SurveyAnswer.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(r[0], r[1], r[2] or "", r[3]) for r in rows], total


def answered_counts(session: Session, workspace_id: int, survey_id: int) -> dict[str, int]:
    """How many completed responses answered each open question of a survey."""
    rows = session.execute(
        answer_ids(workspace_id, survey_id)
        .with_only_columns(SurveyAnswer.question_key, func.count())
        .group_by(SurveyAnswer.question_key)
    )
    return {r[0]: int(r[1]) for r in rows}


def only_open_answer(
    session: Session, workspace_id: int, interaction_external_ids: Sequence[str]
) -> dict[str, int]:
    """Interaction external id -> the one open answer of its response (responses with one)."""
    if not interaction_external_ids:
        return {}
    rows = session.execute(
        answer_ids(workspace_id)
        .with_only_columns(SurveyResponse.interaction_external_id, func.min(SurveyAnswer.id))
        .where(SurveyResponse.interaction_external_id.in_(list(interaction_external_ids)))
        .group_by(SurveyResponse.interaction_external_id)
        .having(func.count() == 1)
    )
    return {r[0]: int(r[1]) for r in rows if r[0] is not None}


def workspace_open_questions(
    session: Session, workspace_id: int, lang: str = "en", limit: int = 200
) -> list[tuple[int, str, str, str]]:
    """``(survey id, survey name, key, text)`` of the open questions of the latest surveys."""
    surveys = session.execute(
        select(Survey.id, Survey.name)
        .where(Survey.workspace_id == workspace_id, Survey.current_version_id.is_not(None))
        .order_by(Survey.id.desc())
        .limit(limit)
    ).all()
    return [
        (sid, name, key, text)
        for sid, name in surveys
        for key, text in open_questions(session, sid, lang)
    ]
