"""Whole responses from other systems (an IVR, a CRM) through the API, with an idempotency key.

The same key with the same body returns the stored response and creates nothing; the same key
with another body is a conflict. Completion is ``collect.complete``, as for every channel.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.actor import Actor
from cxloop.core.crypto import sha256_hex
from cxloop.core.permissions import RESPONSES_SUBMIT
from cxloop.profiles import queries as profile_queries
from cxloop.surveys import access, errors, service
from cxloop.surveys.collect import add_answers, complete
from cxloop.surveys.logic import check_complete
from cxloop.surveys.models import SurveyResponse
from cxloop.surveys.schemas import ResponseSubmit

_INT64 = range(-(2**63), 2**63)


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
    _check_numbers(data.answers)
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
    add_answers(session, response, d, answers, t)
    source_id = survey.source_id or service.survey_source(session, survey.workspace_id)
    complete(session, response, version, d, answers, (survey.name, source_id), customer)
    return response, False


def _check_numbers(answers: dict[str, Any]) -> None:
    """Refuse a whole number beyond 64 bits: no question takes one, nor can orjson write it."""
    for key, value in answers.items():
        if isinstance(value, int) and value not in _INT64:
            reason = "is a whole number beyond the 64-bit range"
            raise errors.invalid(f"answers.{key}", reason, "survey.answer_invalid")


def _by_key(session: Session, workspace_id: int, key: str) -> SurveyResponse | None:
    return session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.workspace_id == workspace_id, SurveyResponse.idempotency_key == key
        )
    )
