"""REST API of surveys: definitions, versions, publish/close, export, links and responses."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from cxloop.auth.dependencies import CurrentActor, DbSession
from cxloop.core.config import get_settings
from cxloop.core.errors import AppError
from cxloop.core.params import MAX_ID, IdPath, Offset
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import (
    collect_api,
    collect_batch,
    errors,
    qr_links,
    queries,
    queries_results,
    service,
)
from cxloop.surveys.definition import Definition, estimate
from cxloop.surveys.logic import AnswerError
from cxloop.surveys.schemas import (
    Estimate,
    LinkCreate,
    LinkCreated,
    LinkQr,
    OpenAnswer,
    OpenResults,
    RespondSubmit,
    ResponseRead,
    ResponseSubmit,
    SurveyCreate,
    SurveyExport,
    SurveyRead,
    SurveySummary,
    SurveyUpdate,
    VersionRead,
)

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"], route_class=UnitOfWorkRoute)
respond_router = APIRouter(
    prefix="/api/v1/respond", tags=["survey respondents"], route_class=UnitOfWorkRoute
)
Status = Literal["draft", "active", "closed"]
Lang = Annotated[
    Literal["en", "zh-Hant", "zh-Hans", "th"],
    Query(description="Language of question texts (when the survey has it) and theme labels"),
]


@contextmanager
def answers_checked() -> Iterator[None]:
    """Turn an answer that does not fit its question into a 422 naming it."""
    try:
        yield
    except AnswerError as exc:
        raise errors.invalid(f"answers.{exc.field}", exc.reason, "survey.answer_invalid") from exc


def link_url(token: str) -> str:
    """The respondent's address of a link token."""
    return get_settings().base_url.rstrip("/") + "/s/" + token


@router.get("", response_model=list[SurveySummary])
def list_surveys(session: DbSession, actor: CurrentActor, status: Status | None = None) -> Any:
    """The workspace's surveys."""
    return queries.list_surveys(session, actor, status)


@router.post("", response_model=SurveyRead, status_code=201)
def create_survey(data: SurveyCreate, session: DbSession, actor: CurrentActor) -> Any:
    """Create a draft survey (its first version)."""
    survey = service.create_survey(session, actor, data.name, data.definition)
    return queries.survey_detail(session, actor, survey.id)


@router.post("/estimate", response_model=Estimate)
def estimate_definition(definition: Definition, actor: CurrentActor) -> Any:
    """Check a definition and estimate its time to complete, with the builder's warnings."""
    service.check(definition)
    return estimate(definition)


@router.get("/{survey_id}", response_model=SurveyRead)
def get_survey(survey_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """A survey with its current definition, estimate and warnings."""
    return queries.survey_detail(session, actor, survey_id)


@router.put("/{survey_id}", response_model=SurveyRead)
def update_survey(
    survey_id: IdPath, data: SurveyUpdate, session: DbSession, actor: CurrentActor
) -> Any:
    """Rename or redefine; a version that has responses is kept and a new one is made."""
    service.update_survey(session, actor, survey_id, data.name, data.definition)
    return queries.survey_detail(session, actor, survey_id)


@router.post("/{survey_id}/publish", response_model=SurveyRead)
def publish(survey_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Open the survey for responses."""
    service.set_status(session, actor, survey_id, "active")
    return queries.survey_detail(session, actor, survey_id)


@router.post("/{survey_id}/close", response_model=SurveyRead)
def close(survey_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Stop taking responses."""
    service.set_status(session, actor, survey_id, "closed")
    return queries.survey_detail(session, actor, survey_id)


@router.get("/{survey_id}/versions", response_model=list[VersionRead])
def versions(survey_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Every version, newest first."""
    return queries.list_versions(session, actor, survey_id)


@router.get("/{survey_id}/versions/{number}", response_model=VersionRead)
def version(survey_id: IdPath, number: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """One version."""
    return queries.get_version(session, actor, survey_id, number)


@router.get("/{survey_id}/export", response_model=SurveyExport)
def export(survey_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """The survey as an import file (JSON)."""
    return queries.export(session, actor, survey_id)


@router.post("/{survey_id}/links", response_model=LinkCreated, status_code=201)
def create_link(
    survey_id: IdPath, data: LinkCreate, session: DbSession, actor: CurrentActor
) -> Any:
    """A personal, public or kiosk link; its token is shown only in this answer."""
    link, token = service.create_link(session, actor, survey_id, data)
    return {
        "id": link.id,
        "kind": link.kind,
        "channel": link.channel,
        "location": link.location,
        "version": None if link.version_id is None else _number(session, link.version_id),
        "expires_at": link.expires_at,
        "token": token,
        "path": f"/s/{token}",
        "url": link_url(token),
    }


def _number(session: DbSession, version_id: int) -> int:
    return queries.version_number(session, version_id)


@router.post("/{survey_id}/links/{link_id}/revoke", status_code=204)
def revoke_link(
    survey_id: IdPath, link_id: IdPath, session: DbSession, actor: CurrentActor
) -> Response:
    """Stop a link from working."""
    service.revoke_link(session, actor, survey_id, link_id)
    return Response(status_code=204)


@router.post(
    "/{survey_id}/links/{link_id}/qr",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}},
)
def link_qr(
    survey_id: IdPath, link_id: IdPath, data: LinkQr, session: DbSession, actor: CurrentActor
) -> Response:
    """A public or kiosk link's QR code (PNG or SVG), optionally tagged with a location."""
    qr = qr_links.link_qr(
        session, actor, survey_id, link_id, data.token, data.location, data.format, data.scale
    )
    disposition = f'attachment; filename="{qr.filename}"'
    return Response(
        qr.content, media_type=qr.media_type, headers={"Content-Disposition": disposition}
    )


@router.get("/{survey_id}/responses", response_model=list[ResponseRead])
def list_responses(
    survey_id: IdPath,
    session: DbSession,
    actor: CurrentActor,
    offset: Offset = 0,
    lang: Lang = "en",
) -> Any:
    """Completed responses with their answers; each open answer with its own sentiment and
    themes (open answers redacted unless the caller holds profiles.pii)."""
    return queries.list_responses(session, actor, survey_id, 100, offset, lang)


@router.get("/{survey_id}/open-questions", response_model=OpenResults)
def open_questions(
    survey_id: IdPath, session: DbSession, actor: CurrentActor, lang: Lang = "en"
) -> Any:
    """Per open question: answers, sentiment counts, mean sentiment and the top themes."""
    return queries_results.open_results(session, actor, survey_id, lang)


@router.get("/{survey_id}/open-answers", response_model=list[OpenAnswer])
def open_answers(
    survey_id: IdPath,
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    question: Annotated[
        str | None, Query(min_length=1, max_length=40, description="An open question's key")
    ] = None,
    sentiment: Literal["negative", "neutral", "positive"] | None = None,
    theme_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only answers mentioning this theme")
    ] = None,
    lang: Lang = "en",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Offset = 0,
) -> Any:
    """Open answers, newest first, each with its own sentiment and themes, filtered by question,
    sentiment or theme (redacted unless profiles.pii); total in X-Total-Count."""
    filters = queries_results.AnswerFilter(question, sentiment, theme_id)
    items, total = queries_results.open_answers(
        session, actor, survey_id, filters, limit, offset, lang
    )
    response.headers["X-Total-Count"] = str(total)
    return items


@router.post(
    "/{survey_id}/responses",
    response_model=ResponseRead,
    status_code=201,
    responses={200: {"description": "A replay of an earlier request with the same key"}},
)
def submit_response(
    survey_id: IdPath,
    data: ResponseSubmit,
    session: DbSession,
    actor: CurrentActor,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> Any:
    """A whole response from another system; re-sending with the same Idempotency-Key and body
    gives the same result without a duplicate, with a different body 409."""
    with answers_checked():
        response, replay = collect_api.submit_api(session, actor, survey_id, data, idempotency_key)
    body = jsonable_encoder(queries.response_of(session, response))
    return JSONResponse(body, status_code=200 if replay else 201)


@respond_router.post("", status_code=201, response_model=dict[str, Any])
async def respond(data: RespondSubmit, request: Request) -> Any:
    """A whole response through a survey link (public: the token is the credential).

    409 when a personal link was already used, 410 when it expired or the survey closed.
    """
    # Written by the process's group writer (collect_batch): answered once its group commits.
    submission = collect_batch.Submission(
        token=data.token,
        answers=data.answers,
        language=data.language,
        accept_language=request.headers.get("accept-language"),
        ip=request.client.host if request.client else None,
    )
    outcome = await asyncio.wrap_future(collect_batch.WRITER.submit(submission))
    if isinstance(outcome, AppError):
        raise outcome
    return {"id": outcome.id, "status": outcome.status, "language": outcome.language}
