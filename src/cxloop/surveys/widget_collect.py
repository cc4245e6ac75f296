"""Answers from the website widget: a score and an optional comment, checked against the
survey's current version and stored as a whole response through the collect path (so it
becomes a journey interaction and a ``survey.response_completed`` event like any other).

The widget asks the survey's first question (a score) and, when the survey has one, lets the
visitor add a comment, stored as the first open question shown after that score. A survey
that needs more (a required choice question) cannot be answered by the widget: 422.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.errors import Invalid
from cxloop.core.params import MAX_ID
from cxloop.profiles import queries as profile_queries
from cxloop.surveys import access, collect, errors, limits
from cxloop.surveys.channels.widget import WidgetAnswer
from cxloop.surveys.definition import SCALE_TYPES, Definition, pipe
from cxloop.surveys.logic import Answer, AnswerError, check_complete, coerce, visible
from cxloop.surveys.models import Survey, SurveyResponse, SurveyVersion, WidgetKey


def _unsupported(reason: str) -> Invalid:
    return errors.invalid("survey", reason, "widget.survey_unsupported")


def widget_answers(d: Definition, score: int, comment: str) -> dict[str, Answer]:
    """The response the widget's score and comment make for this definition, checked whole."""
    first = d.questions[0]
    if first.type not in SCALE_TYPES:
        raise _unsupported("the widget answers surveys whose first question is a score")
    low, high = first.scale()
    if not low <= score <= high:
        raise errors.invalid("score", f"must be between {low} and {high} for this survey")
    answers: dict[str, Answer] = {first.key: score}
    if comment:
        holder = next((q for q in visible(d, answers)[1:] if q.type == "text"), None)
        if holder is None:
            raise errors.invalid("comment", "this survey has no open question for a comment")
        try:
            value = coerce(holder, comment)
        except AnswerError as exc:
            raise errors.invalid("comment", exc.reason) from None
        if value is not None:
            answers[holder.key] = value
    try:
        return check_complete(d, answers)
    except AnswerError as exc:
        raise _unsupported(
            f"question {exc.field!r} {exc.reason}, and the widget asks only a score and a comment"
        ) from None


def open_survey(
    session: Session, key: WidgetKey, ref: str
) -> tuple[Survey, SurveyVersion, Definition]:
    """A survey the key collects for, open for answers, with its current version."""
    survey_id = int(ref) if ref.isascii() and ref.isdigit() and len(ref) < 19 else 0
    if not 0 < survey_id <= MAX_ID or survey_id not in key.survey_ids:
        raise errors.widget_survey_not_allowed(ref)
    survey = session.get(Survey, survey_id)
    if survey is None or survey.workspace_id != key.workspace_id:
        raise errors.widget_survey_not_allowed(ref)
    if survey.status == "closed":
        raise errors.survey_closed()
    if survey.status != "active" or survey.source_id is None:
        raise errors.not_active(survey.status)
    version = access.get_version(session, survey)
    return survey, version, access.definition_of(version)


def survey_view(d: Definition, survey: str, lang: str) -> dict[str, Any]:
    """What widget.js shows for a survey in one language (the survey's default if not offered)."""
    lang = lang if lang in d.languages else d.default_language
    first = d.questions[0]
    if first.type not in SCALE_TYPES:
        raise _unsupported("the widget answers surveys whose first question is a score")
    low, high = first.scale()
    later = visible(d, {first.key: high}) + visible(d, {first.key: low})
    return {
        "survey": survey,
        "language": lang,
        "type": first.type,
        "question": pipe(first.text.get(lang, ""), {}),
        "min": low,
        "max": high,
        "low": first.low_label.get(lang) if first.low_label else None,
        "high": first.high_label.get(lang) if first.high_label else None,
        "comment": any(q.type == "text" for q in later[1:]),
    }


def submit(
    session: Session, key: WidgetKey, answer: WidgetAnswer, ip: str | None
) -> SurveyResponse:
    """Store the widget's answer as a completed response (429 past the key's limit per address)."""
    survey, version, d = open_survey(session, key, answer.survey)
    answers = widget_answers(d, answer.score, answer.comment)
    wait = limits.WIDGET.hit(f"{key.id}:{ip or '-'}")
    if wait is not None:
        raise errors.rate_limited(wait)
    customer, profile_id = None, None
    if key.customer_source_id is not None and answer.customer:
        customer = (key.customer_source_id, answer.customer)
        profile_id = profile_queries.profile_of_record(
            session, key.workspace_id, key.customer_source_id, answer.customer
        )
    t = clock.now()
    response = SurveyResponse(
        workspace_id=key.workspace_id,
        survey_id=survey.id,
        version_id=version.id,
        profile_id=profile_id,
        channel=key.channel,
        language=answer.lang if answer.lang in d.languages else d.default_language,
        status="partial",
        passed=[],
        started_at=t,
        updated_at=t,
    )
    session.add(response)
    session.flush()
    by_key = {q.key: q for q in d.questions}
    session.add_all([collect.answer_row(response, by_key[k], v, t) for k, v in answers.items()])
    source_id = survey.source_id or 0  # open_survey refused surveys without a source
    collect.complete(session, response, version, d, answers, (survey.name, source_id), customer)
    return response
