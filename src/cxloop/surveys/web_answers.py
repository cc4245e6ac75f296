"""The survey results page of open questions: sentiment and themes per question, the answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cxloop.auth.dependencies import DbSession, web_require
from cxloop.core.actor import Actor
from cxloop.core.params import MAX_ID, IdPath, Page
from cxloop.core.permissions import RESPONSES_READ
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import queries_results
from cxloop.web.render import render, ui_language

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Reader = Annotated[Actor, Depends(web_require(RESPONSES_READ))]
PER_PAGE = 20


@router.get("/surveys/{survey_id}/answers", response_class=HTMLResponse)
def answers_page(
    survey_id: IdPath,
    request: Request,
    session: DbSession,
    actor: Reader,
    question: Annotated[str, Query(max_length=40, pattern=r"^([a-z][a-z0-9_]*)?$")] = "",
    sentiment: Literal["", "negative", "neutral", "positive"] = "",
    theme: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Page = 1,
) -> Response:
    """Per open question its sentiment and themes; the answers, filtered, each analysed."""
    lang = ui_language(request)
    results = queries_results.open_results(session, actor, survey_id, lang)
    filters = queries_results.AnswerFilter(question or None, sentiment or None, theme)
    items, total = queries_results.open_answers(
        session, actor, survey_id, filters, PER_PAGE, (page - 1) * PER_PAGE, lang
    )
    for q in results["questions"]:
        q["shares"] = {
            s: round(100 * n / q["analysed"]) if q["analysed"] else 0
            for s, n in q["sentiment"].items()
        }
    ctx: dict[str, Any] = {
        "r": results,
        "items": items,
        "total": total,
        "page": page,
        "pages": (total + PER_PAGE - 1) // PER_PAGE,
        "f": {"question": question, "sentiment": sentiment, "theme": theme or ""},
    }
    return render(request, "surveys/answers.html", ctx)
