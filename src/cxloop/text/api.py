"""REST API of text analytics: ad-hoc analysis, themes, comments, labels, retraining, emerging."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from cxloop.auth.dependencies import CurrentActor, DbSession
from cxloop.core.params import MAX_ID, IdPath, Offset
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.text import errors, queries, service, volumes
from cxloop.text.schemas import (
    AnalyzeRequest,
    Comment,
    CommentDetail,
    EmergingRequest,
    EmergingView,
    Insight,
    LabelRequest,
    LabelView,
    ModelStatus,
    RetrainResult,
    ThemeMergeRequest,
    ThemeOverview,
    ThemeRenameRequest,
    ThemeSplitRequest,
    ThemeView,
)

router = APIRouter(prefix="/api/v1/text", tags=["text"], route_class=UnitOfWorkRoute)
Lang = Annotated[
    Literal["en", "zh-Hant", "zh-Hans", "th"], Query(description="Language of theme labels")
]


class JobRef(BaseModel):
    """A queued background job (follow it at /api/v1/jobs/{id})."""

    id: int
    kind: str
    status: str


@router.post("/analyze", response_model=list[Insight])
def analyze(body: AnalyzeRequest, session: DbSession, actor: CurrentActor) -> Any:
    """Analyse up to 100 texts now: language, sentiment, themes with evidence, PII (not stored)."""
    return queries.analyze_texts(session, actor, body.texts)


@router.get("/themes", response_model=ThemeOverview)
def themes(
    session: DbSession,
    actor: CurrentActor,
    days: Annotated[int, Query(ge=1, le=730)] = 30,
    bucket: Literal["day", "week"] = "day",
    lang: Lang = "en",
) -> Any:
    """Themes with volume, mean sentiment, negative share and their trend over the last days."""
    return volumes.theme_overview(session, actor, days, bucket, lang)


@router.get("/themes/{theme_id}/comments", response_model=list[Comment])
def theme_comments(
    theme_id: IdPath,
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    language: Annotated[str | None, Query(max_length=16)] = None,
    sentiment: Literal["negative", "neutral", "positive"] | None = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    subject_type: Annotated[
        Literal["interaction", "answer"] | None,
        Query(description="Only interactions' texts, or only open survey answers"),
    ] = None,
    survey_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only answers to this survey")
    ] = None,
    question: Annotated[
        str | None,
        Query(min_length=1, max_length=40, description="Only answers to this question (a key)"),
    ] = None,
    lang: Lang = "en",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Offset = 0,
) -> Any:
    """A theme's comments (interactions' texts and open survey answers), newest first, with the
    words that drove it; total in X-Total-Count."""
    filters = queries.VerbatimFilter(
        language, sentiment, channel, since, until, subject_type, survey_id, question
    )
    items, total = queries.verbatims(session, actor, theme_id, filters, limit, offset, lang)
    response.headers["X-Total-Count"] = str(total)
    return items


@router.patch("/themes/{theme_id}", response_model=ThemeView)
def rename(
    theme_id: IdPath, body: ThemeRenameRequest, session: DbSession, actor: CurrentActor
) -> Any:
    """Rename a theme (the workspace's own name replaces the taxonomy labels)."""
    return volumes.theme_view(service.rename_theme(session, actor, theme_id, body.name))


@router.post("/themes/{theme_id}/merge", response_model=ThemeView)
def merge(
    theme_id: IdPath, body: ThemeMergeRequest, session: DbSession, actor: CurrentActor
) -> Any:
    """Merge this theme into another; returns the surviving theme."""
    return volumes.theme_view(service.merge_theme(session, actor, theme_id, body.into_id))


@router.post("/themes/{theme_id}/split", response_model=ThemeView, status_code=201)
def split(
    theme_id: IdPath, body: ThemeSplitRequest, session: DbSession, actor: CurrentActor
) -> Any:
    """Split off a new theme: this theme's comments containing one of the terms move to it."""
    child = service.split_theme(session, actor, theme_id, body.name, list(body.terms))
    return volumes.theme_view(child)


@router.get("/comments/{comment_id}", response_model=CommentDetail)
def comment(comment_id: IdPath, session: DbSession, actor: CurrentActor, lang: Lang = "en") -> Any:
    """One analysed comment: sentences, themes with evidence (redacted unless profiles.pii)."""
    return queries.comment(session, actor, comment_id, lang)


@router.put("/comments/{comment_id}/label", response_model=LabelView)
def label(comment_id: IdPath, body: LabelRequest, session: DbSession, actor: CurrentActor) -> Any:
    """Say what the comment's sentiment really is (a label, or thumbs up/down)."""
    if (body.label is None) == (body.thumbs is None):
        raise errors.invalid("label", "give either a label or thumbs, not both or neither")
    value = body.label or ("positive" if body.thumbs == "up" else "negative")
    row = service.label_comment(session, actor, comment_id, value)
    return LabelView(
        comment_id=row.enrichment_id,
        label=row.label,
        labelled_by=row.labelled_by,
        updated_at=row.updated_at,
    )


@router.get("/model", response_model=ModelStatus)
def model(session: DbSession, actor: CurrentActor) -> Any:
    """The model version in use, how many comments are current or stale, labels, the head."""
    return queries.status(session, actor)


@router.post("/retrain", response_model=RetrainResult, status_code=201)
def retrain(session: DbSession, actor: CurrentActor) -> Any:
    """Tune the workspace's sentiment head on its labels (before/after scores), then re-enrich."""
    head, job_id = service.retrain(session, actor)
    return {"head": queries.head_view(head), "reenrich_job_id": job_id}


@router.post("/reenrich", response_model=JobRef, status_code=202)
def reenrich(session: DbSession, actor: CurrentActor) -> Any:
    """Queue re-enrichment of every comment not made by the current model version."""
    job = service.queue_reenrichment(session, actor)
    return JobRef(id=job.id, kind=job.kind, status=job.status)


@router.get("/emerging", response_model=list[EmergingView])
def emerging(
    session: DbSession,
    actor: CurrentActor,
    lang: Lang = "en",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Emerging-theme events found so far (what the closed loop alerts on)."""
    return volumes.emerging(session, actor, lang, limit)


@router.post("/emerging/detect", response_model=list[EmergingView])
def detect(body: EmergingRequest, session: DbSession, actor: CurrentActor) -> Any:
    """Compare the last days with a baseline and keep the significant rises as events."""
    found = service.detect_emerging_themes(session, actor, body.days, body.baseline_days)
    return volumes.event_views(session, found)
