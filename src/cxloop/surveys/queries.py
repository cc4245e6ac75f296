"""Reads of surveys for the API, the builder pages and the CLI (one place, so they agree)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.permissions import PROFILES_PII, RESPONSES_READ, SURVEYS_READ
from cxloop.surveys import access, queries_results
from cxloop.surveys.definition import estimate
from cxloop.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
    SurveyVersion,
)


def _counts(session: Session, column: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(column, func.count())
        .where(column.in_(ids), SurveyResponse.status == "completed")
        .group_by(column)
    )
    return dict(rows.all())


def _summary(s: Survey, v: SurveyVersion, responses: int) -> dict[str, Any]:
    d = access.definition_of(v)
    return {
        "id": s.id,
        "name": s.name,
        "status": s.status,
        "version": v.number,
        "questions": len(d.questions),
        "languages": list(d.languages),
        "responses": responses,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def list_surveys(
    session: Session, actor: Actor, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The workspace's surveys, newest first, with their completed response counts."""
    access.require(actor, SURVEYS_READ)
    stmt = (
        select(Survey, SurveyVersion)
        .join(SurveyVersion, SurveyVersion.id == Survey.current_version_id)
        .where(Survey.workspace_id == actor.workspace_id)
    )
    if status:
        stmt = stmt.where(Survey.status == status)
    rows = session.execute(stmt.order_by(Survey.id.desc()).limit(limit)).all()
    counts = _counts(session, SurveyResponse.survey_id, [s.id for s, _v in rows])
    return [_summary(s, v, counts.get(s.id, 0)) for s, v in rows]


def survey_detail(session: Session, actor: Actor, survey_id: int) -> dict[str, Any]:
    """A survey with its current definition, estimated time and the builder's warnings."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_READ)
    version = access.get_version(session, survey)
    counts = _counts(session, SurveyResponse.survey_id, [survey.id])
    versions = session.scalar(
        select(func.count()).select_from(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
    )
    return {
        **_summary(survey, version, counts.get(survey.id, 0)),
        "published_at": survey.published_at,
        "closed_at": survey.closed_at,
        "versions": versions or 1,
        "estimate": estimate(access.definition_of(version)),
        "definition": version.definition,
    }


def list_versions(session: Session, actor: Actor, survey_id: int) -> list[dict[str, Any]]:
    """Every version of a survey, newest first, with its completed responses."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_READ)
    versions = list(
        session.scalars(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey.id)
            .order_by(SurveyVersion.number.desc())
        )
    )
    counts = _counts(session, SurveyResponse.version_id, [v.id for v in versions])
    return [_version(v, survey, counts.get(v.id, 0)) for v in versions]


def get_version(session: Session, actor: Actor, survey_id: int, number: int) -> dict[str, Any]:
    """One version of a survey."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_READ)
    v = access.get_version(session, survey, number)
    counts = _counts(session, SurveyResponse.version_id, [v.id])
    return _version(v, survey, counts.get(v.id, 0))


def _version(v: SurveyVersion, survey: Survey, responses: int) -> dict[str, Any]:
    return {
        "number": v.number,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
        "responses": responses,
        "current": v.id == survey.current_version_id,
        "definition": v.definition,
    }


def export(session: Session, actor: Actor, survey_id: int) -> dict[str, Any]:
    """The survey in the import file format."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_READ)
    version = access.get_version(session, survey)
    return {"name": survey.name, "version": version.number, "definition": version.definition}


def list_links(session: Session, actor: Actor, survey_id: int) -> list[dict[str, Any]]:
    """The survey's latest links of every kind (never their tokens, which are not stored)."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_READ)
    links = session.scalars(
        select(SurveyLink)
        .where(SurveyLink.survey_id == survey.id)
        .order_by(SurveyLink.id.desc())
        .limit(100)
    )
    return [
        {
            "id": k.id,
            "kind": k.kind,
            "channel": k.channel,
            "location": k.location,
            "profile_id": k.profile_id,
            "created_at": k.created_at,
            "expires_at": k.expires_at,
            "used_at": k.used_at,
            "revoked_at": k.revoked_at,
        }
        for k in links
    ]


def list_responses(
    session: Session,
    actor: Actor,
    survey_id: int,
    limit: int = 100,
    offset: int = 0,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Completed responses with their answers, newest first; each open answer with its own
    sentiment and themes, and redacted unless the actor may read personal data."""
    survey = access.get_survey(session, actor, survey_id, RESPONSES_READ)
    rows = session.execute(
        select(SurveyResponse, SurveyVersion.number)
        .join(SurveyVersion, SurveyVersion.id == SurveyResponse.version_id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.status == "completed")
        .order_by(SurveyResponse.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    answers: dict[int, dict[str, Any]] = {r.id: {} for r, _n in rows}
    if answers:
        for a in session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.response_id.in_(list(answers)))
        ):
            answers[a.response_id][a.question_key] = a.value
    opened = queries_results.analysed_answers(session, actor, list(answers), lang)
    out = []
    for r, n in rows:
        said = opened.get(r.id, {})
        shown = answers[r.id] | {k: a["text"] for k, a in said.items()}
        view = response_view(r, n, shown)
        view["analysis"] = {k: a["analysis"] for k, a in said.items()}
        view["text_redacted"] = bool(said) and not actor.can(PROFILES_PII)
        out.append(view)
    return out


def response_view(r: SurveyResponse, version: int, answers: dict[str, Any]) -> dict[str, Any]:
    """A response as the API shows it."""
    return {
        "id": r.id,
        "survey_id": r.survey_id,
        "version": version,
        "status": r.status,
        "channel": r.channel,
        "location": r.location,
        "language": r.language,
        "profile_id": r.profile_id,
        "started_at": r.started_at,
        "completed_at": r.completed_at,
        "answers": answers,
    }


def response_of(session: Session, r: SurveyResponse) -> dict[str, Any]:
    """A response with its answers as they were sent (no permission check: for the system that
    submitted it, which sent the text itself)."""
    rows = session.execute(
        select(SurveyAnswer.question_key, SurveyAnswer.value).where(
            SurveyAnswer.response_id == r.id
        )
    )
    return response_view(r, version_number(session, r.version_id), dict(rows.all()))


def version_number(session: Session, version_id: int) -> int:
    """The number of a version by id."""
    return session.scalar(select(SurveyVersion.number).where(SurveyVersion.id == version_id)) or 0


def response_detail(
    session: Session, actor: Actor, response_id: int, lang: str = "en"
) -> dict[str, Any]:
    """One response with its answers (the caller must be allowed to read responses); open
    answers analysed, and redacted unless the actor may read personal data."""
    r = access.get_response(session, actor, response_id, RESPONSES_READ)
    view = response_of(session, r)
    said = queries_results.analysed_answers(session, actor, [r.id], lang).get(r.id, {})
    view["answers"] |= {k: a["text"] for k, a in said.items()}
    view["analysis"] = {k: a["analysis"] for k, a in said.items()}
    view["text_redacted"] = bool(said) and not actor.can(PROFILES_PII)
    return view
