"""The write path of responses: answers one at a time (web), a whole response through a link,
and completion — the journey interaction and the ``survey.response_completed`` outbox event.
Whole responses from other systems are in ``collect_api``, grouped writes in ``collect_batch``.

A personal link is claimed with one conditional UPDATE (``used_at IS NULL``) in the completing
transaction: PostgreSQL makes concurrent claims wait on the row lock and re-check, SQLite
serialises writers (``BEGIN IMMEDIATE``); either way exactly one completes, the rest get 409.
A unique ``single_use_link_id`` backs it up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core import clock, jobs
from cxloop.core.crypto import sha256_hex, token
from cxloop.journeys import service as journeys
from cxloop.surveys import errors, limits, tracking
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


def answer_rows(
    r: SurveyResponse, d: Definition, answers: dict[str, Answer], t: datetime
) -> list[dict[str, Any]]:
    """The stored values of a whole response's answers (the response has its id)."""
    by_key = {q.key: q for q in d.questions}
    return [
        {
            "workspace_id": r.workspace_id,
            "response_id": r.id,
            "version_id": r.version_id,
            "question_key": k,
            "question_type": by_key[k].type,
            "value": v,
            "score": v if isinstance(v, int) else None,
            "text": v if by_key[k].type == "text" and isinstance(v, str) else None,
            "answered_at": t,
        }
        for k, v in answers.items()
    ]


def insert_answers(session: Session, rows: list[dict[str, Any]]) -> None:
    """Store answer rows in one INSERT (their ids are never needed here)."""
    if rows:
        session.execute(insert(SurveyAnswer).execution_options(render_nulls=True), rows)


def add_answers(
    session: Session,
    r: SurveyResponse,
    d: Definition,
    answers: dict[str, Answer],
    t: datetime,
) -> None:
    """Store a whole response's answers in one INSERT."""
    insert_answers(session, answer_rows(r, d, answers, t))


def limit(state: LinkState, ip: str | None) -> None:
    """Refuse (429) a public or kiosk link answered too often (per address, or per kiosk)."""
    if state.personal:
        return
    window = limits.KIOSK if state.link.kind == "kiosk" else limits.PUBLIC
    wait = window.hit(
        f"{state.link.id}:{ip or '-'}" if state.link.kind != "kiosk" else str(state.link.id)
    )
    if wait is not None:
        raise errors.rate_limited(wait)


def _new_response(
    session: Session,
    state: LinkState,
    language: str,
    ip: str | None,
    location: str | None = None,
    *,
    completing: bool = False,
) -> tuple[SurveyResponse, str | None]:
    """A new response of the link; ``completing``: a whole response that completes at once."""
    limit(state, ip)
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
        if completing:  # a conflict fails the whole request: no savepoint needed
            session.add(response)
            session.flush()
        else:
            with session.begin_nested():
                session.add(response)
    except IntegrityError:  # the same personal link started twice at once
        raise errors.link_used() from None
    if state.personal and not completing:  # completing marks the invitation started too
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
        customer_of(state.link),
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
        response, _resume = _new_response(session, state, language, ip, completing=True)
    else:
        session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
        response.language = language
    add_answers(session, response, state.definition, answers, clock.now())
    survey = (state.survey_name, state.source_id)
    complete(
        session, response, state.version, state.definition, answers, survey, customer_of(state.link)
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


def customer_of(link: SurveyLink) -> tuple[int, str] | None:
    """The customer record a link was made for (source, reference), if any."""
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
    _record(session, response, version, d, answers, survey, customer)
    if response.single_use_link_id is not None:
        tracking.response_completed(session, response.single_use_link_id)


def completion(
    response: SurveyResponse,
    version: SurveyVersion,
    d: Definition,
    answers: dict[str, Answer],
    survey: tuple[str, int],
    customer: tuple[int, str] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a completed response records: its journey interaction's values and the
    ``survey.response_completed`` event (the response must have its id)."""
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
    interaction = journeys.interaction_values(
        workspace_id=response.workspace_id,
        source_id=source_id,
        external_id=external_id,
        customer=customer or (source_id, f"anonymous-{response.id}"),
        channel=response.channel,
        type=INTERACTION_TYPE,
        started_at=response.started_at,
        ended_at=response.completed_at,
        text=open_text(d, answers),
        context=context,
        payload={**context, "answers": answers, "completed_at": completed},
    )
    event = {
        "response_id": response.id,
        "survey_id": response.survey_id,
        "version": version.number,
        "profile_id": response.profile_id,
        "channel": response.channel,
        "interaction": {"source_id": source_id, "external_id": external_id},
        "scores": figures,
    }
    return interaction, event


def _record(
    session: Session,
    response: SurveyResponse,
    version: SurveyVersion,
    d: Definition,
    answers: dict[str, Answer],
    survey: tuple[str, int],
    customer: tuple[int, str] | None,
) -> None:
    if response.id is None:
        session.flush()
    interaction, event = completion(response, version, d, answers, survey, customer)
    response.interaction_external_id = interaction["external_id"]  # flushed with the insert
    journeys.record_interaction(session, interaction)
    if interaction["text"]:  # each open answer is analysed as a comment of its own
        text_service.queue_enrichment(session, response.workspace_id, response_ids=[response.id])
    jobs.enqueue(session, EVENT, event, response.workspace_id, flush=False)
