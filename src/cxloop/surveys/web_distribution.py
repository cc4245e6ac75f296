"""Pages of distribution: the distribution section of a survey's page, audiences, contact rules.

Plain forms; every change goes through the same services as the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.auth.dependencies import DbSession, web_require
from cxloop.core.actor import Actor
from cxloop.core.errors import AppError, Conflict, from_validation
from cxloop.core.i18n import LANGUAGES
from cxloop.core.params import IdPath, parse_int
from cxloop.core.permissions import SURVEYS_MANAGE, SURVEYS_READ
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import distribution, rules, segments
from cxloop.surveys import queries_distribution as queries
from cxloop.surveys.schemas_distribution import (
    ContactRules,
    DistributionCreate,
    SegmentCreate,
    SegmentFilters,
    SegmentUpdate,
)
from cxloop.web.render import render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Reader = Annotated[Actor, Depends(web_require(SURVEYS_READ))]
Manager = Annotated[Actor, Depends(web_require(SURVEYS_MANAGE))]
CHANNELS = ("email", "sms", "web")


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    out: dict[str, Any] = {k: str(v) for k, v in form.items()}
    out["_channels"] = [str(v) for v in form.getlist("channels")]
    out["_languages"] = [str(v) for v in form.getlist("languages")]
    return out


Form = Annotated[dict[str, Any], Depends(_form)]


def _error(exc: Exception) -> dict[str, Any]:
    err = exc if isinstance(exc, AppError) else from_validation(exc, "request.invalid")
    return dict(err.to_dict()["error"])


def _status(exc: Exception) -> int:
    return exc.status_code if isinstance(exc, AppError) else 422


def context(session: Session, actor: Actor, survey_id: int) -> dict[str, Any]:
    """What the survey page shows about distribution (its section)."""
    return {
        "distributions": queries.list_distributions(session, actor, survey_id),
        "delivery": queries.delivery_figures(session, actor, survey_id),
        "segments": [queries.segment_view(s) for s in segments.list_segments(session, actor)],
        "send_channels": CHANNELS,
    }


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _when(text: str) -> datetime | None:
    if not text.strip():
        return None
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # the form's times are UTC


def _number(text: str) -> int | str:
    """A typed whole number, or the text as typed for the schema to refuse with its field."""
    value = parse_int(text)
    return text if value is None else value


def distribution_from_form(form: dict[str, Any]) -> DistributionCreate:
    """A distribution from the survey page's form (validated like the API's body)."""
    mode = form.get("mode") or "now"
    segment = str(form.get("segment_id", "")).strip()
    data: dict[str, Any] = {
        "name": form.get("name", ""),
        "segment_id": _number(segment) if segment else None,
        "channels": form.get("_channels") or [],
        "mode": mode,
        "reminders": [_number(x) for x in _list(form.get("reminders", ""))],
    }
    try:
        data["scheduled_at"] = _when(form.get("scheduled_at", ""))
    except ValueError:
        data["scheduled_at"] = "not a date"
    if mode == "trigger":
        data["trigger"] = {
            "channel": form.get("trigger_channel") or None,
            "type": form.get("trigger_type") or None,
            "delay_hours": form.get("delay_hours") or 0,
        }
    return DistributionCreate.model_validate(data)


@router.post("/surveys/{survey_id}/distributions", response_model=None)
def create_distribution(
    survey_id: IdPath, request: Request, session: DbSession, actor: Manager, form: Form
) -> Response:
    """Plan a distribution from the survey page."""
    from cxloop.surveys.web_builder import editor

    try:
        distribution.create(session, actor, survey_id, distribution_from_form(form))
    except (AppError, ValidationError) as exc:
        session.rollback()
        return editor(request, session, actor, survey_id, _error(exc), status=422)
    return RedirectResponse(f"/surveys/{survey_id}#distribution", status_code=303)


@router.post("/distributions/{distribution_id}/cancel", response_model=None)
def cancel_distribution(distribution_id: IdPath, session: DbSession, actor: Manager) -> Response:
    """Stop a distribution from the survey page."""
    dist = distribution.cancel(session, actor, distribution_id)
    return RedirectResponse(f"/surveys/{dist.survey_id}#distribution", status_code=303)


def _filters(form: dict[str, Any]) -> SegmentFilters:
    """Audience filters from the audiences page's form (validated like the API's body)."""
    data: dict[str, Any] = {
        "tiers": _list(form.get("tiers", "")),
        "regions": _list(form.get("regions", "")),
        "languages": form.get("_languages") or [],
        "products": _list(form.get("products", "")),
        "categories": _list(form.get("categories", "")),
    }
    if form.get("within_days"):
        data["interaction"] = {
            "channels": _list(form.get("interaction_channels", "")),
            "types": _list(form.get("interaction_types", "")),
            "within_days": form["within_days"],
        }
    if form.get("consent_channel"):
        data["consent"] = {
            "channel": form["consent_channel"],
            "require": form.get("consent_require") or "not_withdrawn",
        }
    return SegmentFilters.model_validate(data)


def form_of(name: str, f: SegmentFilters) -> dict[str, Any]:
    """The audiences page's form filled with a saved audience (for editing it)."""
    form: dict[str, Any] = {
        "name": name,
        "tiers": ", ".join(f.tiers),
        "regions": ", ".join(f.regions),
        "_languages": list(f.languages),
        "products": ", ".join(f.products),
        "categories": ", ".join(f.categories),
    }
    if f.interaction is not None:
        form["within_days"] = str(f.interaction.within_days)
        form["interaction_channels"] = ", ".join(f.interaction.channels)
        form["interaction_types"] = ", ".join(f.interaction.types)
    if f.consent is not None:
        form["consent_channel"] = f.consent.channel
        form["consent_require"] = f.consent.require
    return form


def _audiences(
    request: Request, session: Session, actor: Actor, extra: dict[str, Any], status: int = 200
) -> HTMLResponse:
    found = segments.list_segments(session, actor)
    counts = {s.id: segments.preview(session, actor, segments.filters_of(s)) for s in found}
    ctx = {
        "segments": [queries.segment_view(s) for s in found],
        "counts": counts,
        "all_languages": LANGUAGES,
        "can_manage": actor.can(SURVEYS_MANAGE),
        **extra,
    }
    return render(request, "surveys/audiences.html", ctx, status)


@router.get("/audiences", response_class=HTMLResponse)
def audiences_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """Saved audiences with how many customers each holds now, and a form for a new one."""
    return _audiences(request, session, actor, {})


@router.post("/audiences", response_class=HTMLResponse)
def audiences_post(request: Request, session: DbSession, actor: Manager, form: Form) -> Response:
    """Preview the count of a new audience, or save it."""
    try:
        filters = _filters(form)
        if form.get("action") == "preview":
            count = segments.preview(session, actor, filters)
            return _audiences(request, session, actor, {"preview": count, "form": form})
        segments.create_segment(
            session, actor, SegmentCreate(name=form.get("name", ""), filters=filters)
        )
    except (AppError, ValidationError) as exc:
        session.rollback()
        extra = {"error": _error(exc), "form": form}
        return _audiences(request, session, actor, extra, _status(exc))
    return RedirectResponse("/audiences", status_code=303)


@router.get("/audiences/{segment_id}", response_class=HTMLResponse)
def audience_page(
    segment_id: IdPath, request: Request, session: DbSession, actor: Manager
) -> Response:
    """The audiences page with the form filled with one audience, to change it."""
    seg = segments.get_segment(session, actor, segment_id)
    form = form_of(seg.name, segments.filters_of(seg))
    return _audiences(request, session, actor, {"editing": seg.id, "form": form})


@router.post("/audiences/{segment_id}", response_class=HTMLResponse)
def audience_post(
    segment_id: IdPath, request: Request, session: DbSession, actor: Manager, form: Form
) -> Response:
    """Preview the count of the changed filters, or save the changes."""
    segments.get_segment(session, actor, segment_id)
    extra: dict[str, Any] = {"editing": segment_id, "form": form}
    try:
        filters = _filters(form)
        if form.get("action") == "preview":
            count = segments.preview(session, actor, filters)
            return _audiences(request, session, actor, {**extra, "preview": count})
        change = SegmentUpdate(name=form.get("name", ""), filters=filters)
        segments.update_segment(session, actor, segment_id, change)
    except (AppError, ValidationError) as exc:
        session.rollback()
        return _audiences(request, session, actor, {**extra, "error": _error(exc)}, _status(exc))
    return RedirectResponse("/audiences", status_code=303)


@router.post("/audiences/{segment_id}/delete", response_class=HTMLResponse)
def audience_delete(
    segment_id: IdPath, request: Request, session: DbSession, actor: Manager
) -> Response:
    """Delete an audience (refused while a distribution that is not finished uses it)."""
    try:
        segments.delete_segment(session, actor, segment_id)
    except Conflict as exc:
        session.rollback()
        return _audiences(request, session, actor, {"error": _error(exc)}, 409)
    return RedirectResponse("/audiences", status_code=303)


@router.get("/survey-rules", response_class=HTMLResponse)
def rules_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """The workspace's contact rules for surveys."""
    current = rules.get_rules(session, actor)
    ctx = {"rules": current, "can_manage": actor.can(SURVEYS_MANAGE)}
    return render(request, "surveys/rules.html", ctx)


@router.post("/survey-rules", response_class=HTMLResponse)
def rules_post(request: Request, session: DbSession, actor: Manager, form: Form) -> Response:
    """Save the contact rules."""
    try:
        data = ContactRules.model_validate(
            {
                "min_days_between_surveys": form.get("min_days_between_surveys") or 0,
                "skip_open_issues": form.get("skip_open_issues") == "on",
                "open_issue_days": form.get("open_issue_days") or 90,
                "require_consent": form.get("require_consent") == "on",
                "quiet_hours": form.get("quiet_hours") or None,
                "default_timezone": form.get("default_timezone") or "UTC",
            }
        )
        rules.update_rules(session, actor, data)
    except (AppError, ValidationError) as exc:
        session.rollback()
        ctx = {"rules": rules.get_rules(session, actor), "can_manage": True, "error": _error(exc)}
        return render(request, "surveys/rules.html", ctx, 422)
    return RedirectResponse("/survey-rules", status_code=303)
