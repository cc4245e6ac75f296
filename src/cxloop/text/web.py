"""Web pages of text analytics: themes with their trend, a theme's comments with thumbs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxloop.auth.dependencies import DbSession, web_require
from cxloop.core.actor import Actor
from cxloop.core.params import IdPath, Page
from cxloop.core.permissions import TEXT_LABEL, TEXT_MANAGE, TEXT_READ
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.text import access, queries, service, volumes
from cxloop.web.render import render, ui_language

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Reader = Annotated[Actor, Depends(web_require(TEXT_READ))]
Labeller = Annotated[Actor, Depends(web_require(TEXT_LABEL))]
Manager = Annotated[Actor, Depends(web_require(TEXT_MANAGE))]
PER_PAGE = 20
QUESTION = r"^(\d{1,19}(:[a-z][a-z0-9_]*)?)?$"  # a survey id, or survey id:question key
SPARK_W, SPARK_H = 120, 28


def sparkline(counts: list[int]) -> str:
    """SVG polyline points for a small trend chart (inline SVG: no JavaScript, no CDN)."""
    if not counts:
        return ""
    top = max(max(counts), 1)
    step = SPARK_W / max(len(counts) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_H - 2 - (c / top) * (SPARK_H - 4):.1f}"
        for i, c in enumerate(counts)
    )


def _safe_next(target: str, default: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else default


@router.get("/themes", response_class=HTMLResponse)
def themes(
    request: Request,
    session: DbSession,
    actor: Reader,
    days: Annotated[int, Query(ge=1, le=730)] = 30,
    bucket: Literal["day", "week"] = "day",
) -> Response:
    """Themes with volume, sentiment and a sparkline of their trend."""
    lang = ui_language(request)
    overview = volumes.theme_overview(session, actor, days, bucket, lang)
    for item in overview["themes"]:
        item["spark"] = sparkline([p["count"] for p in item["trend"]])
    ctx: dict[str, Any] = {
        "o": overview,
        "status": queries.status(session, actor),
        "emerging": volumes.emerging(session, actor, lang, 10),
        "spark_w": SPARK_W,
        "spark_h": SPARK_H,
    }
    return render(request, "text/themes.html", ctx)


@router.get("/themes/{theme_id}", response_class=HTMLResponse)
def theme(
    request: Request,
    theme_id: IdPath,
    session: DbSession,
    actor: Reader,
    language: Annotated[str, Query(max_length=16)] = "",
    sentiment: Literal["", "negative", "neutral", "positive"] = "",
    channel: Annotated[str, Query(max_length=16)] = "",
    source: Literal["", "interaction", "answer"] = "",
    question: Annotated[str, Query(max_length=64, pattern=QUESTION)] = "",
    page: Page = 1,
) -> Response:
    """A theme's comments, the words that drove the theme highlighted, with thumbs up/down;
    survey answers name their survey and question and can be filtered by them."""
    lang = ui_language(request)
    row = access.get_theme(session, actor, theme_id)
    if row.status == "merged" and row.merged_into_id:
        return RedirectResponse(f"/themes/{row.merged_into_id}", status_code=303)
    survey_id, _, key = question.partition(":")
    filters = queries.VerbatimFilter(
        language or None,
        sentiment or None,
        channel or None,
        subject_type=source or None,
        survey_id=int(survey_id) if survey_id else None,
        question=key or None,
    )
    items, total = queries.verbatims(
        session, actor, theme_id, filters, PER_PAGE, (page - 1) * PER_PAGE, lang
    )
    for item in items:
        item["pieces"] = queries.pieces(item["text"], item["highlights"])
    others = [
        t
        for t in volumes.theme_overview(session, actor, 30, "day", lang)["themes"]
        if t["id"] != row.id
    ]
    ctx: dict[str, Any] = {
        "theme": volumes.theme_view(row, lang),
        "items": items,
        "total": total,
        "page": page,
        "pages": (total + PER_PAGE - 1) // PER_PAGE,
        "f": {
            "language": language,
            "sentiment": sentiment,
            "channel": channel,
            "source": source,
            "question": question,
        },
        "questions": queries.open_questions(session, actor, lang),
        "others": others,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }
    return render(request, "text/theme.html", ctx)


@router.post("/comments/{comment_id}/label", response_model=None)
def label(
    comment_id: IdPath,
    session: DbSession,
    actor: Labeller,
    thumbs: Annotated[Literal["up", "down"], Form()],
    next: Annotated[str, Form(max_length=500)] = "/themes",
) -> Response:
    """Thumbs up (positive) or down (negative) on a comment's sentiment."""
    service.label_comment(session, actor, comment_id, "positive" if thumbs == "up" else "negative")
    return RedirectResponse(_safe_next(next, "/themes"), status_code=303)


@router.post("/themes/{theme_id}/rename", response_model=None)
def rename(
    theme_id: IdPath,
    session: DbSession,
    actor: Manager,
    name: Annotated[str, Form(min_length=1, max_length=120)],
) -> Response:
    """Rename a theme."""
    service.rename_theme(session, actor, theme_id, name)
    return RedirectResponse(f"/themes/{theme_id}", status_code=303)


@router.post("/themes/{theme_id}/merge", response_model=None)
def merge(
    theme_id: IdPath,
    session: DbSession,
    actor: Manager,
    into_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
) -> Response:
    """Merge a theme into another."""
    target = service.merge_theme(session, actor, theme_id, into_id)
    return RedirectResponse(f"/themes/{target.id}", status_code=303)


@router.post("/themes/{theme_id}/split", response_model=None)
def split(
    theme_id: IdPath,
    session: DbSession,
    actor: Manager,
    name: Annotated[str, Form(min_length=1, max_length=120)],
    terms: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Split a new theme off this one by the words that mark it."""
    words = [w for w in terms.replace("，", ",").replace("、", ",").split(",") if w.strip()]
    child = service.split_theme(session, actor, theme_id, name, words[:50])
    return RedirectResponse(f"/themes/{child.id}", status_code=303)


@router.post("/themes/retrain", response_model=None)
def retrain(request: Request, session: DbSession, actor: Manager) -> Response:
    """Retrain the workspace's sentiment head on its labels and show before/after."""
    head, job_id = service.retrain(session, actor)
    return render(
        request,
        "text/retrained.html",
        {"head": queries.head_view(head), "job_id": job_id},
    )
