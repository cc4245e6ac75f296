"""The write path of responses: answers one at a time (web), whole responses (token or API),
and completion — the journey interaction and the ``survey.response_completed`` outbox event.

A personal link is claimed with one conditional UPDATE (``used_at IS NULL``) in the completing
transaction: PostgreSQL makes concurrent claims wait on the row lock and re-check, SQLite
serialises writers (``BEGIN IMMEDIATE``); either way exactly one completes, the rest get 409.
A unique ``single_use_link_id`` backs it up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core import clock, jobs
from cxloop.core.actor import Actor
from cxloop.core.crypto import sha256_hex, token
from cxloop.core.permissions import RESPONSES_SUBMIT
from cxloop.journeys import service as journeys
from cxloop.profiles import queries as profile_queries
from cxloop.surveys import access, errors, limits, service, tracking
from cxloop.surveys.definition import Definition, Question
from cxloop.surveys.links import LinkState, stored_answers
from cxloop.surveys.logic import (
    Answer,
    AnswerError,
    check_complete,
    coerce,
    open_text,
    progress,
    scores,
    visible,
)
from cxloop.surveys.models import SurveyAnswer, SurveyLink, SurveyResponse, SurveyVersion
from cxloop.surveys.schemas import ResponseSubmit
from cxloop.text import service as text_service

EVENT = "survey.response_completed"
INTERACTION_TYPE = "survey_response"


def answer_row(r: SurveyResponse, q: Question, value: Answer, t: datetime) -> SurveyAnswer:
    """The stored row of one answer."""
    return SurveyAnswer(
        workspace_id=r.workspace_id,
        response_id=r.id,
        version_id=r.version_id,
        question_key=q.key,
        question_type=q.type,
        value=value,
        score=value if isinstance(value, int) else None,
        text=value if q.type == "text" and isinstance(value, str) else None,
        answered_at=t,
    )


def _limit(state: LinkState, ip: str | None) -> None:
    if state.personal:
        return
    window = limits.KIOSK if state.link.kind == "kiosk" else limits.PUBLIC
    wait = window.hit(
        f"{state.link.id}:{ip or '-'}" if state.link.kind != "kiosk" else str(state.link.id)
    )
    if wait is not None:
        raise errors.rate_limited(wait)


def _new_response(
    session: Session, state: LinkState, language: str, ip: str | None, location: str | None = None
) -> tuple[SurveyResponse, str | None]:
    _limit(state, ip)
    link, t = state.link, clock.now()
    resume = None if state.personal else token(24)
    response = SurveyResponse(
        workspace_id=link.workspace_id,
        survey_id=link.survey_id,
        version_id=state.version.id,
        link_id=link.id,
        single_use_link_id=link.id if state.personal else None,
        resume_hash=sha256_hex(resume) if resume else None,
        profile_id=link.profile_id,
        channel=link.channel,
        # a public or kiosk link's ``?loc=`` tag (a QR code per store) wins over the link's own
        location=location if location and not state.personal else link.location,
        language=language,
        status="partial",
        passed=[],
        started_at=t,
        updated_at=t,
    )
    try:
        with session.begin_nested():
            session.add(response)
    except IntegrityError:  # the same personal link started twice at once
        raise errors.link_used() from None
    if state.personal:
        tracking.response_started(session, link.id)
    return response, resume


def save_answer(
    session: Session,
    state: LinkState,
    response: SurveyResponse | None,
    key: str,
    raw: Any,
    language: str,
    ip: str | None = None,
    location: str | None = None,
) -> tuple[SurveyResponse, str | None, bool]:
    """Save one answer (web, one question per page); complete the response after the last.

    Return the response, a new resume token (public and kiosk links, for a cookie) and whether
    the response is now complete. ``location`` tags a new response of a public or kiosk link.
    """
    d = state.definition
    answers = stored_answers(session, response)
    shown = {q.key: q for q in visible(d, answers)}
    q = shown.get(key)
    if q is None:
        raise AnswerError(key, "is not a question shown at this point")
    value = coerce(q, raw)
    if value is None and q.required:
        raise AnswerError(key, "is required")
    resume = None
    if response is None:
        response, resume = _new_response(session, state, language, ip, location)
    t = clock.now()
    session.execute(
        delete(SurveyAnswer).where(
            SurveyAnswer.response_id == response.id, SurveyAnswer.question_key == key
        )
    )
    passed = [k for k in response.passed if k != key]
    if value is None:
        answers.pop(key, None)
        passed.append(key)
    else:
        answers[key] = value
        session.add(answer_row(response, q, value, t))
    response.passed = passed
    response.language = language
    response.updated_at = t
    session.flush()
    if progress(d, answers, set(passed)).next is not None:
        return response, resume, False
    claim = state.link if state.personal else None
    complete(
        session,
        response,
        state.version,
        d,
        answers,
        (state.survey_name, state.source_id),
        _customer(state.link),
        claim,
    )
    return response, resume, True


def submit_with_link(
    session: Session,
    state: LinkState,
    raw_answers: dict[str, Any],
    language: str,
    ip: str | None = None,
) -> SurveyResponse:
    """A whole response through a link (JSON): checked at once, completed, or 409 if used."""
    answers = check_complete(state.definition, raw_answers)
    response = None
    if state.personal:
        _claim(session, state.link)
        response = session.scalar(
            select(SurveyResponse).where(SurveyResponse.single_use_link_id == state.link.id)
        )
    if response is None:
        response, _resume = _new_response(session, state, language, ip)
    else:
        session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
        response.language = language
    t = clock.now()
    by_key = {q.key: q for q in state.definition.questions}
    session.add_all([answer_row(response, by_key[k], v, t) for k, v in answers.items()])
    survey = (state.survey_name, state.source_id)
    complete(
        session, response, state.version, state.definition, answers, survey, _customer(state.link)
    )
    return response


def _claim(session: Session, link: SurveyLink) -> None:
    claimed = session.execute(
        update(SurveyLink)
        .where(SurveyLink.id == link.id, SurveyLink.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise errors.link_used()


def _customer(link: SurveyLink) -> tuple[int, str] | None:
    if link.customer_source_id is not None and link.customer_ref:
        return (link.customer_source_id, link.customer_ref)
    return None


def complete(
    session: Session,
    response: SurveyResponse,
    version: SurveyVersion,
    d: Definition,
    answers: dict[str, Answer],
    survey: tuple[str, int],
    customer: tuple[int, str] | None,
    claim: SurveyLink | None = None,
) -> None:
    """Finish a response: claim its personal link, drop answers the skip logic now hides,
    record the journey interaction and queue the outbox event."""
    if claim is not None:
        _claim(session, claim)
    shown = {q.key for q in visible(d, answers)}
    hidden = [k for k in answers if k not in shown]
    if hidden:
        session.execute(
            delete(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.question_key.in_(hidden)
            )
        )
        answers = {k: v for k, v in answers.items() if k in shown}
    t = clock.now()
    response.status = "completed"
    response.completed_at = t
    response.updated_at = t
    response.resume_hash = None
    if response.single_use_link_id is not None:
        tracking.response_completed(session, response.single_use_link_id)
    _record(session, response, version, d, answers, survey, customer)


def _record(
    session: Session,
    response: SurveyResponse,
    version: SurveyVersion,
    d: Definition,
    answers: dict[str, Answer],
    survey: tuple[str, int],
    customer: tuple[int, str] | None,
) -> None:
    session.flush()
    survey_name, source_id = survey
    external_id = f"survey-response-{response.id}"
    figures = scores(d, answers)
    context = {
        "survey_id": response.survey_id,
        "survey": survey_name,
        "version": version.number,
        "response_id": response.id,
        "language": response.language,
        "location": response.location,
        "scores": figures,
    }
    completed = response.completed_at.isoformat() if response.completed_at else None
    payload = {**context, "answers": answers, "completed_at": completed}
    text = open_text(d, answers)
    interaction_id = journeys.record_interaction(
        session,
        workspace_id=response.workspace_id,
        source_id=source_id,
        external_id=external_id,
        customer=customer or (source_id, f"anonymous-{response.id}"),
        channel=response.channel,
        type=INTERACTION_TYPE,
        started_at=response.started_at,
        ended_at=response.completed_at,
        text=text,
        context=context,
        payload=payload,
    )
    if text:  # free-text answers are analysed like any comment (sentiment, themes, PII)
        text_service.queue_enrichment(
            session, response.workspace_id, interaction_ids=[interaction_id]
        )
    response.interaction_external_id = external_id
    event = {
        "response_id": response.id,
        "survey_id": response.survey_id,
        "version": version.number,
        "profile_id": response.profile_id,
        "channel": response.channel,
        "interaction": {"source_id": source_id, "external_id": external_id},
        "scores": figures,
    }
    jobs.enqueue(session, EVENT, event, response.workspace_id)


def submit_api(
    session: Session,
    actor: Actor,
    survey_id: int,
    data: ResponseSubmit,
    idempotency_key: str | None,
) -> tuple[SurveyResponse, bool]:
    """A whole response from another system; return it and whether it is a replay.

    Same ``Idempotency-Key`` and same body: the stored response, nothing new. Same key with a
    different body: 409.
    """
    survey = access.get_survey(session, actor, survey_id, RESPONSES_SUBMIT)
    body = orjson.dumps(
        {"survey": survey_id, **data.model_dump(mode="json")}, option=orjson.OPT_SORT_KEYS
    )
    digest = sha256_hex(body)
    if idempotency_key is not None:
        found = _by_key(session, actor.workspace_id, idempotency_key)
        if found is not None:
            if found.request_hash != digest or found.survey_id != survey_id:
                raise errors.idempotency_conflict()
            return found, True
    if survey.status != "active":
        raise errors.not_active(survey.status)
    version = access.get_version(session, survey, data.version)
    d = access.definition_of(version)
    answers = check_complete(d, data.answers)
    customer, language, profile_id = None, data.language, None
    if data.profile_id is not None:
        subject = profile_queries.survey_subject(session, actor, data.profile_id)
        profile_id, customer = subject["profile_id"], subject["ref"]
        language = language or subject["language"]
    if language not in d.languages:
        language = d.default_language
    t = clock.now()
    response = SurveyResponse(
        workspace_id=actor.workspace_id,
        survey_id=survey.id,
        version_id=version.id,
        profile_id=profile_id,
        channel=data.channel,
        location=data.location,
        language=language,
        status="partial",
        passed=[],
        idempotency_key=idempotency_key,
        request_hash=digest,
        started_at=t,
        updated_at=t,
    )
    try:
        with session.begin_nested():
            session.add(response)
    except IntegrityError:  # the same key sent twice at once: the other one won
        found = _by_key(session, actor.workspace_id, idempotency_key or "")
        if found is None or found.request_hash != digest:
            raise errors.idempotency_conflict() from None
        return found, True
    by_key = {q.key: q for q in d.questions}
    session.add_all([answer_row(response, by_key[k], v, t) for k, v in answers.items()])
    source_id = survey.source_id or service.survey_source(session, survey.workspace_id)
    complete(session, response, version, d, answers, (survey.name, source_id), customer)
    return response, False


def _by_key(session: Session, workspace_id: int, key: str) -> SurveyResponse | None:
    return session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.workspace_id == workspace_id, SurveyResponse.idempotency_key == key
        )
    )
