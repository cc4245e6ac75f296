"""The respondent's pages (deliberately public: the link's token is the credential).

One question per page, plain HTML forms (no JavaScript needed), a progress bar, answers saved
as they are given so a respondent can leave and come back, texts in the respondent's language
with a switcher, a thank-you page; kiosk links start a fresh response after each completion.
An email's one-click score (``?q1=7``) is saved as the first answer; ``?loc=store-12`` tags a
new response of a public or kiosk link with its location.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cxloop.auth.dependencies import DbSession
from cxloop.core.config import get_settings
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError
from cxloop.core.i18n import LANGUAGES, negotiate, translate
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import collect, links
from cxloop.surveys.channels.base import FIRST_ANSWER_PARAM
from cxloop.surveys.channels.qr import LOCATION_PARAM, is_location
from cxloop.surveys.definition import SCALE_TYPES, Definition, Question, pipe
from cxloop.surveys.logic import AnswerError, progress, visible
from cxloop.web.render import render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Token = Annotated[str, Path(min_length=1, max_length=200)]
# survey links, invitation pixels and unsubscribe links carry credentials in their path
TOKEN_IN_PATH = re.compile(r"(/[sou]/)[^/?#\s\"]+")
# searches carry personal data (names, phones, emails) in their query string
PERSONAL_IN_QUERY = re.compile(r"([?&](?:q|email|phone)=)[^&#\s\"]*")
KIOSK_RESTART_SECONDS = 8
GONE = {
    "survey.link_expired": "expired",
    "survey.closed": "closed",
    "survey.link_used": "used",
    "survey.rate_limited": "rate_limited",
}


def _redact(text: str) -> str:
    return PERSONAL_IN_QUERY.sub(r"\1…", TOKEN_IN_PATH.sub(r"\1…", text))


class _RedactTokens(logging.Filter):
    """Survey links are credentials and searches personal data: access and error logs show
    ``/s/…`` (``/o/…``, ``/u/…``) and ``?q=…`` instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _redact(record.msg)
        return True


_redactor = _RedactTokens()


def redact_access_log() -> None:
    """Install the token redaction on the server's access log and the API's error log."""
    for name in ("uvicorn.access", "uvicorn.error", "cxloop.api"):
        logger = logging.getLogger(name)
        if _redactor not in logger.filters:
            logger.addFilter(_redactor)


def _cookie(link_id: int) -> str:
    return f"cxs_{link_id}"


def _location(raw: str | None) -> str | None:
    """A ``?loc=`` tag when well-formed (anything else is ignored, never an error)."""
    return raw if raw and is_location(raw) else None


def _one_click(d: Definition, raw: str | None) -> tuple[str, int] | None:
    """The first question's key and the email's one-click score, if it fits that scale."""
    first = d.questions[0]
    if raw is None or first.type not in SCALE_TYPES:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        return None
    low, high = first.scale()
    return (first.key, int(raw)) if low <= int(raw) <= high else None


def _gone(request: Request, exc: AppError, lang: str | None = None) -> Response:
    lang = lang or negotiate(
        request.headers.get("accept-language"), request.query_params.get("lang")
    )
    reason = GONE.get(exc.code, "invalid")
    return _page(request, "surveys/respond_gone.html", lang, {"reason": reason}, exc.status_code)


def _page(
    request: Request, template: str, lang: str, ctx: dict[str, Any], status: int = 200
) -> HTMLResponse:
    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    return render(request, template, {"lang": lang, "t": t, **ctx}, status)


def _values(state: links.LinkState) -> dict[str, str]:
    values = {k: str(v) for k, v in (state.link.fields or {}).items()}
    if state.link.location:
        values.setdefault("location", state.link.location)
    return values


def _question_view(q: Question, lang: str, values: dict[str, str]) -> dict[str, Any]:
    low, high = q.scale() if q.type in ("nps", "csat", "ces", "rating") else (0, 0)
    return {
        "key": q.key,
        "type": q.type,
        "text": pipe(q.text.get(lang, ""), values),  # type: ignore[call-overload]
        "required": q.required,
        "choices": [(c.key, pipe(c.text.get(lang, ""), values)) for c in q.choices],  # type: ignore[call-overload]
        "points": list(range(low, high + 1)),
        "low_label": q.low_label.get(lang) if q.low_label else None,  # type: ignore[call-overload]
        "high_label": q.high_label.get(lang) if q.high_label else None,  # type: ignore[call-overload]
        "max_length": q.max_length,
    }


def _show(
    request: Request,
    session: Session,
    state: links.LinkState,
    token: str,
    lang: str | None = None,
    error: str | None = None,
    draft: Any = None,
    key: str | None = None,
) -> Response:
    d = state.definition
    response = links.response_for(session, state, request.cookies.get(_cookie(state.link.id)))
    lang = lang or links.respondent_language(
        d,
        request.query_params.get("lang"),
        response,
        state.link,
        request.headers.get("accept-language"),
    )
    answers = links.stored_answers(session, response)
    passed = set(response.passed) if response else set()
    where = progress(d, answers, passed)
    shown = visible(d, answers)
    wanted = key or request.query_params.get("q")
    current = next((q for q in shown if q.key == wanted), None) if wanted else None
    current = current or where.next
    if current is None:  # everything answered but not completed: show the last question
        current = shown[-1]
    index = [q.key for q in shown].index(current.key)
    values = _values(state)
    return _page(
        request,
        "surveys/respond.html",
        lang,
        {
            "token": token,
            "title": pipe(d.title.get(lang, ""), values),  # type: ignore[call-overload]
            "intro": pipe(d.intro.get(lang, ""), values) if d.intro and index == 0 else None,  # type: ignore[call-overload]
            "q": _question_view(current, lang, values),
            "value": draft if draft is not None else answers.get(current.key),
            "done": where.done,
            "total": where.total,
            "percent": where.percent,
            "number": index + 1,
            "back": shown[index - 1].key if index > 0 else None,
            "last": current.key == d.questions[-1].key,
            "languages": [(code, LANGUAGES[code]) for code in d.languages],
            "error": error,
            "loc": _location(request.query_params.get(LOCATION_PARAM)),
        },
        422 if error else 200,
    )


@router.get("/s/{token}", response_class=HTMLResponse)
def respond_page(token: Token, request: Request, session: DbSession) -> Response:
    """The next question of the survey (or where the respondent left off); with an email's
    ``?q1=<score>`` that score is saved as the first answer and the next question follows."""
    try:
        state = links.open_link(session, token)
    except AppError as exc:
        return _gone(request, exc)
    params = request.query_params
    clicked = _one_click(state.definition, params.get(FIRST_ANSWER_PARAM))
    if clicked is None:  # no score, or one that does not fit: the question as usual
        return _show(request, session, state, token)
    session.rollback()  # the write gets its own unit of work, like a posted answer
    key, score = clicked
    lang = str(params.get("lang") or "")[:16]
    loc = _location(params.get(LOCATION_PARAM))
    return _save_in_unit(request, token, key, [str(score)], lang, loc)


@router.post("/s/{token}", response_model=None)
async def respond_submit(token: Token, request: Request) -> Response:
    """Save one answer, then show the next question or the thank-you page."""
    form = await request.form()
    key = str(form.get("q") or "")[:40]
    raw: Any = [str(v) for v in form.getlist("answer")]
    lang_field = str(form.get("lang") or "")[:16]
    loc = _location(str(form.get("loc") or ""))
    # one worker thread opens, writes and commits (see api_surveys.respond for why)
    return await run_in_threadpool(_save_in_unit, request, token, key, raw, lang_field, loc)


def _save_in_unit(
    request: Request,
    token: str,
    key: str,
    raw: list[str],
    lang_field: str,
    loc: str | None = None,
) -> Response:
    with unit_of_work() as session:
        return _save(request, session, token, key, raw, lang_field, loc)


def _save(
    request: Request,
    session: Session,
    token: str,
    key: str,
    raw: list[str],
    lang_field: str,
    loc: str | None,
) -> Response:
    try:
        state = links.open_link(session, token)
    except AppError as exc:
        return _gone(request, exc)
    d: Definition = state.definition
    cookie = _cookie(state.link.id)
    response = links.response_for(session, state, request.cookies.get(cookie))
    lang = links.respondent_language(
        d, lang_field, response, state.link, request.headers.get("accept-language")
    )
    q = next((x for x in d.questions if x.key == key), None)
    value: Any = raw if q is not None and q.type == "multiple" else (raw[0] if raw else None)
    try:
        saved, resume, complete = collect.save_answer(
            session,
            state,
            response,
            key,
            value,
            lang,
            request.client.host if request.client else None,
            loc,
        )
    except AnswerError as exc:
        session.rollback()
        message = "respond.required" if exc.reason == "is required" else "respond.invalid"
        return _show(request, session, state, token, lang, message, value, key)
    except AppError as exc:
        session.rollback()
        return _gone(request, exc, lang)
    target = f"/s/{token}/thanks?lang={lang}" if complete else f"/s/{token}?lang={lang}"
    tag = _location(saved.location) if saved.location != state.link.location else None
    if complete and tag and state.link.kind == "kiosk":  # the kiosk restarts at its location
        target += f"&{LOCATION_PARAM}={tag}"
    out = RedirectResponse(target, status_code=303)
    secure = get_settings().secure_cookies()
    if complete:
        out.delete_cookie(cookie, path="/s/")
    elif resume:
        out.set_cookie(
            cookie,
            resume,
            httponly=True,
            samesite="lax",
            secure=secure,
            max_age=30 * 86400,
            path="/s/",
        )
    return out


@router.get("/s/{token}/thanks", response_class=HTMLResponse)
def thanks(token: Token, request: Request, session: DbSession) -> Response:
    """The thank-you page in the respondent's language (kiosks then start again)."""
    try:
        state = links.open_link(session, token, allow_used=True)
    except AppError as exc:
        return _gone(request, exc)
    d = state.definition
    lang = links.respondent_language(
        d,
        request.query_params.get("lang"),
        None,
        state.link,
        request.headers.get("accept-language"),
    )
    if state.personal and state.link.used_at is None:
        return RedirectResponse(f"/s/{token}?lang={lang}", status_code=303)
    return _page(
        request,
        "surveys/respond_thanks.html",
        lang,
        {
            "token": token,
            "title": pipe(d.title.get(lang, ""), _values(state)),  # type: ignore[call-overload]
            "thank_you": pipe(d.thank_you.get(lang, ""), _values(state)),  # type: ignore[call-overload]
            "kiosk": state.link.kind == "kiosk",
            "loc": _location(request.query_params.get(LOCATION_PARAM)),
            "restart_seconds": KIOSK_RESTART_SECONDS,
            "languages": [(code, LANGUAGES[code]) for code in d.languages],
        },
    )
