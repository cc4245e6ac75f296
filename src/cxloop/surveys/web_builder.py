"""The survey builder pages: list, create, edit texts, questions and skip logic, publish.

Plain forms that work without JavaScript. Every change goes through ``service.update_survey``,
so editing a survey that has responses makes a new version, exactly as through the API. The
links section's forms are in ``web_links``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cxloop.auth.dependencies import DbSession, web_require
from cxloop.core.actor import Actor
from cxloop.core.errors import AppError, Invalid
from cxloop.core.i18n import LANGUAGES, translate
from cxloop.core.params import IdPath
from cxloop.core.permissions import PROFILES_READ, SURVEYS_MANAGE, SURVEYS_READ, SURVEYS_SEND
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.profiles import queries as profile_queries
from cxloop.surveys import queries, service
from cxloop.surveys.builder_forms import choices_text, condition_value, question_from_form
from cxloop.surveys.definition import SECONDS, parse
from cxloop.surveys.web_distribution import context as distribution_context
from cxloop.web.render import render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Reader = Annotated[Actor, Depends(web_require(SURVEYS_READ))]
Manager = Annotated[Actor, Depends(web_require(SURVEYS_MANAGE))]
Sender = Annotated[Actor, Depends(web_require(SURVEYS_SEND))]
TYPES = ("nps", "csat", "ces", "rating", "single", "multiple", "text")


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


Form = Annotated[dict[str, Any], Depends(_form)]


def _error(exc: AppError) -> dict[str, Any]:
    return dict(exc.to_dict()["error"])


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """The workspace's surveys and a form to start one."""
    return render(
        request,
        "surveys/list.html",
        {"surveys": queries.list_surveys(session, actor), "all_languages": LANGUAGES},
    )


def _starter(name: str, languages: list[str], default: str) -> dict[str, Any]:
    """A new survey's first definition: one NPS question, texts from the UI catalogs."""
    return {
        "languages": languages,
        "default_language": default,
        "title": dict.fromkeys(languages, name),
        "thank_you": {lang: translate(lang, "builder.default_thanks") for lang in languages},
        "questions": [
            {
                "key": "nps",
                "type": "nps",
                "text": {lang: translate(lang, "builder.default_nps") for lang in languages},
            }
        ],
    }


@router.post("/surveys", response_model=None)
async def surveys_create(request: Request, session: DbSession, actor: Manager) -> Response:
    """Create a draft survey from the list page's form."""
    form = await request.form()
    name = str(form.get("name") or "").strip()[:200]
    languages = [lang for lang in LANGUAGES if lang in form.getlist("languages")]
    default = str(form.get("default_language") or "")
    try:
        if not name:
            raise Invalid(
                "survey.invalid",
                "name: is required",
                {"errors": [{"field": "name", "reason": "is required"}]},
            )
        definition = parse(_starter(name, languages or [default or "en"], default or "en"))
        survey = service.create_survey(session, actor, name, definition)
    except AppError as exc:
        return render(
            request,
            "surveys/list.html",
            {
                "surveys": queries.list_surveys(session, actor),
                "all_languages": LANGUAGES,
                "error": _error(exc),
            },
            exc.status_code,
        )
    return RedirectResponse(f"/surveys/{survey.id}", status_code=303)


def editor(
    request: Request,
    session: Session,
    actor: Actor,
    survey_id: int,
    error: dict[str, Any] | None = None,
    new_link: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The builder page of a survey, with an error or a just-made link when there is one."""
    detail = queries.survey_detail(session, actor, survey_id)
    people_q = str(request.query_params.get("profile_q") or "").strip()[:200]
    people = []
    if people_q and actor.can(SURVEYS_SEND) and actor.can(PROFILES_READ):
        people = profile_queries.search_profiles(session, actor, people_q, limit=10)
    languages = detail["languages"]
    questions = detail["definition"]["questions"]
    return render(
        request,
        "surveys/edit.html",
        {
            "s": detail,
            "d": detail["definition"],
            "languages": languages,
            "all_languages": LANGUAGES,
            "types": TYPES,
            "seconds": SECONDS,
            "questions": [
                {
                    **q,
                    "choices_text": choices_text(q, languages),
                    "show_value": condition_value(q.get("show_if")),
                    "earlier": [p["key"] for p in questions[:i] if p["type"] != "text"],
                }
                for i, q in enumerate(questions)
            ],
            "all_keys": [q["key"] for q in questions if q["type"] != "text"],
            "links": queries.list_links(session, actor, survey_id),
            "error": error,
            "new_link": new_link,
            "people_q": people_q,
            "people": people,
            "can_manage": actor.can(SURVEYS_MANAGE),
            "can_send": actor.can(SURVEYS_SEND),
            "definition_json": orjson.dumps(
                {"name": detail["name"], "definition": detail["definition"]},
                option=orjson.OPT_INDENT_2,
            ).decode(),
            **distribution_context(session, actor, survey_id),
        },
        status,
    )


@router.get("/surveys/{survey_id}", response_class=HTMLResponse)
def survey_page(survey_id: IdPath, request: Request, session: DbSession, actor: Reader) -> Response:
    """A survey's builder: texts, questions, skip logic, estimate, warnings, links."""
    return editor(request, session, actor, survey_id)


def _change(
    request: Request,
    session: Session,
    actor: Actor,
    survey_id: int,
    mutate: Callable[[dict[str, Any]], None],
    name: str | None = None,
) -> Response:
    """Apply a change to a copy of the current definition and save it (a new version if the
    current one has responses); on a problem, show the editor with every field and reason."""
    current = queries.survey_detail(session, actor, survey_id)["definition"]
    data = copy.deepcopy(current)
    try:
        mutate(data)
        service.update_survey(session, actor, survey_id, name, parse(data, "definition."))
    except AppError as exc:
        session.rollback()
        return editor(request, session, actor, survey_id, _error(exc), status=exc.status_code)
    return RedirectResponse(f"/surveys/{survey_id}", status_code=303)


@router.post("/surveys/{survey_id}/texts", response_model=None)
def save_texts(
    survey_id: IdPath, request: Request, session: DbSession, actor: Manager, form: Form
) -> Response:
    """Save the name, languages and the survey's own texts."""

    def mutate(d: dict[str, Any]) -> None:
        langs = [lang for lang in LANGUAGES if form.get(f"lang_{lang}") == "on"]
        d["languages"] = langs or d["languages"]
        d["default_language"] = form.get("default_language") or d["default_language"]
        for field in ("title", "intro", "thank_you"):
            texts = {lang: form.get(f"{field}_{lang}", "").strip() for lang in d["languages"]}
            if field == "intro" and not any(texts.values()):
                d.pop("intro", None)
            else:
                d[field] = texts

    return _change(request, session, actor, survey_id, mutate, form.get("name") or None)


@router.post("/surveys/{survey_id}/questions", response_model=None)
def add_question(
    survey_id: IdPath, request: Request, session: DbSession, actor: Manager, form: Form
) -> Response:
    """Add a question at the end."""

    def mutate(d: dict[str, Any]) -> None:
        d["questions"].append(question_from_form(form, d["languages"]))

    return _change(request, session, actor, survey_id, mutate)


@router.post("/surveys/{survey_id}/questions/{index}", response_model=None)
def edit_question(
    survey_id: IdPath,
    index: int,
    request: Request,
    session: DbSession,
    actor: Manager,
    form: Form,
) -> Response:
    """Save, move up or delete one question."""

    def mutate(d: dict[str, Any]) -> None:
        qs = d["questions"]
        if not 0 <= index < len(qs):
            raise Invalid("survey.invalid", f"questions[{index}]: no such question")
        action = form.get("action", "save")
        if action == "delete":
            qs.pop(index)
        elif action == "up" and index > 0:
            qs[index - 1], qs[index] = qs[index], qs[index - 1]
        else:
            qs[index] = question_from_form(form, d["languages"])

    return _change(request, session, actor, survey_id, mutate)


@router.post("/surveys/{survey_id}/definition", response_model=None)
def save_definition(
    survey_id: IdPath, request: Request, session: DbSession, actor: Manager, form: Form
) -> Response:
    """Replace the whole definition from its JSON (the advanced editor)."""
    try:
        doc = orjson.loads(form.get("document", ""))
    except orjson.JSONDecodeError as exc:
        err = Invalid("survey.invalid", f"document: not valid JSON ({exc})")
        return editor(request, session, actor, survey_id, _error(err), status=422)
    if not isinstance(doc, dict) or not isinstance(doc.get("definition"), dict):
        err = Invalid("survey.invalid", "document: needs a 'definition' object")
        return editor(request, session, actor, survey_id, _error(err), status=422)
    name = doc.get("name") if isinstance(doc.get("name"), str) else None

    def mutate(d: dict[str, Any]) -> None:
        d.clear()
        d.update(doc["definition"])

    return _change(request, session, actor, survey_id, mutate, name)


@router.post("/surveys/{survey_id}/status", response_model=None)
def change_status(
    survey_id: IdPath, request: Request, session: DbSession, actor: Manager, form: Form
) -> Response:
    """Publish or close."""
    wanted = "active" if form.get("to") == "active" else "closed"
    try:
        service.set_status(session, actor, survey_id, wanted)
    except AppError as exc:
        session.rollback()
        return editor(request, session, actor, survey_id, _error(exc), status=exc.status_code)
    return RedirectResponse(f"/surveys/{survey_id}", status_code=303)
