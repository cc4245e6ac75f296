"""REST API of distribution: audiences, contact rules, distributions, invitations, figures, the
bounce intake and the SMS status callback (public, signature-checked)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from cxloop.auth.dependencies import CurrentActor, DbSession
from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.errors import AppError, Invalid, NotFound, TooLarge
from cxloop.core.params import IdPath, Offset
from cxloop.core.permissions import SURVEYS_MANAGE
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import access, distribution, rules, segments, tracking
from cxloop.surveys import queries_distribution as queries
from cxloop.surveys.channels.base import with_query
from cxloop.surveys.channels.bounces import UnreadableReport, parse_bounce
from cxloop.surveys.channels.sms import (
    INVITATION_PARAM,
    SIGNATURE_HEADER,
    InvalidSignature,
    parse_status_callback,
)
from cxloop.surveys.schemas_distribution import (
    BounceResult,
    ContactRules,
    DeliveryFigures,
    DistributionCreate,
    DistributionRead,
    HandedLink,
    InvitationRead,
    SegmentCreate,
    SegmentFilters,
    SegmentPreview,
    SegmentRead,
    SegmentUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["survey distribution"], route_class=UnitOfWorkRoute)
hooks_router = APIRouter(
    prefix="/api/v1/hooks", tags=["provider callbacks"], route_class=UnitOfWorkRoute
)
MAX_REPORT_BYTES = 1024 * 1024
InvitationStatus = Literal[
    "queued", "deferred", "sending", "sent", "delivered", "opened", "started", "completed",
    "bounced", "failed", "skipped",
]  # fmt: skip


@router.get("/segments", response_model=list[SegmentRead])
def list_segments(session: DbSession, actor: CurrentActor) -> Any:
    """The workspace's audiences."""
    return [queries.segment_view(s) for s in segments.list_segments(session, actor)]


@router.post("/segments", response_model=SegmentRead, status_code=201)
def create_segment(data: SegmentCreate, session: DbSession, actor: CurrentActor) -> Any:
    """Save an audience (filters over customers)."""
    return queries.segment_view(segments.create_segment(session, actor, data))


@router.post("/segments/preview", response_model=SegmentPreview)
def preview_filters(filters: SegmentFilters, session: DbSession, actor: CurrentActor) -> Any:
    """How many customers these filters select now (nothing is saved)."""
    return {"count": segments.preview(session, actor, filters)}


@router.get("/segments/{segment_id}", response_model=SegmentRead)
def get_segment(segment_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """One audience."""
    return queries.segment_view(segments.get_segment(session, actor, segment_id))


@router.put("/segments/{segment_id}", response_model=SegmentRead)
def update_segment(
    segment_id: IdPath, data: SegmentUpdate, session: DbSession, actor: CurrentActor
) -> Any:
    """Rename an audience or change its filters."""
    return queries.segment_view(segments.update_segment(session, actor, segment_id, data))


@router.delete("/segments/{segment_id}", status_code=204)
def delete_segment(segment_id: IdPath, session: DbSession, actor: CurrentActor) -> Response:
    """Delete an audience (409 while a distribution that is not finished uses it)."""
    segments.delete_segment(session, actor, segment_id)
    return Response(status_code=204)


@router.get("/segments/{segment_id}/preview", response_model=SegmentPreview)
def preview_segment(segment_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """How many customers the audience holds now."""
    seg = segments.get_segment(session, actor, segment_id)
    return {"count": segments.preview(session, actor, segments.filters_of(seg))}


@router.get("/survey-rules", response_model=ContactRules)
def get_rules(session: DbSession, actor: CurrentActor) -> Any:
    """The workspace's contact rules for surveys."""
    return rules.get_rules(session, actor)


@router.put("/survey-rules", response_model=ContactRules)
def put_rules(data: ContactRules, session: DbSession, actor: CurrentActor) -> Any:
    """Change the contact rules (frequency, open issues, consent, quiet hours, time zone)."""
    return rules.update_rules(session, actor, data)


@router.post("/surveys/{survey_id}/distributions", response_model=DistributionRead, status_code=201)
def create_distribution(
    survey_id: IdPath, data: DistributionCreate, session: DbSession, actor: CurrentActor
) -> Any:
    """Send the survey to an audience now, at a time, or on a trigger (with reminders)."""
    dist = distribution.create(session, actor, survey_id, data)
    return queries.distribution_view(session, dist)


@router.get("/surveys/{survey_id}/distributions", response_model=list[DistributionRead])
def list_distributions(survey_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """A survey's distributions with their figures."""
    return queries.list_distributions(session, actor, survey_id)


@router.get("/surveys/{survey_id}/delivery", response_model=DeliveryFigures)
def delivery(survey_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Invitations by status and the response rate by channel."""
    return queries.delivery_figures(session, actor, survey_id)


@router.get("/distributions/{distribution_id}", response_model=DistributionRead)
def get_distribution(distribution_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """One distribution: invitations by status, skips and deferrals by reason."""
    return queries.get_distribution(session, actor, distribution_id)


@router.post("/distributions/{distribution_id}/cancel", response_model=DistributionRead)
def cancel_distribution(distribution_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Stop sending (what was sent stays tracked)."""
    dist = distribution.cancel(session, actor, distribution_id)
    return queries.distribution_view(session, dist)


@router.get("/distributions/{distribution_id}/invitations", response_model=list[InvitationRead])
def list_invitations(
    distribution_id: IdPath,
    session: DbSession,
    actor: CurrentActor,
    status: Annotated[InvitationStatus | None, Query()] = None,
    offset: Offset = 0,
) -> Any:
    """The distribution's invitations with the time of each status (100 per page)."""
    return queries.list_invitations(session, actor, distribution_id, status, offset)


@router.get("/distributions/{distribution_id}/links", response_model=list[HandedLink])
def handed_links(
    distribution_id: IdPath, session: DbSession, actor: CurrentActor, offset: Offset = 0
) -> Any:
    """Personal links of the web channel, for another system to deliver (1000 per page)."""
    return queries.handed_links(session, actor, distribution_id, offset)


@router.post(
    "/survey-bounces",
    response_model=BounceResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def bounce_intake(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    envelope_to: Annotated[str, Query(max_length=320)] = "",
) -> Any:
    """A delivery status report (RFC 3464, the raw RFC 822 message as the body, any content
    type) from the bounce mailbox's pipe."""
    access.require(actor, SURVEYS_MANAGE)
    raw = await request.body()
    if len(raw) > MAX_REPORT_BYTES:
        raise TooLarge("report.too_large", "A delivery report may be at most 1 MB.")
    if not raw.strip():
        raise Invalid(
            "report.invalid",
            "body: the raw report is required",
            {"errors": [{"field": "body", "reason": "the raw report is required"}]},
        )
    key = get_settings().resolved_secret_key()
    try:
        update = parse_bounce(raw, key, envelope_to.replace("\x00", ""))
    except UnreadableReport as exc:
        reason = str(exc)
        raise Invalid(
            "report.unreadable",
            f"body: {reason}",
            {"errors": [{"field": "body", "reason": reason}]},
        ) from None
    if update is None or not update.invitation_id:
        return {"matched": False}
    inv = tracking.apply_update(session, update, actor)
    if inv is None:
        return {"matched": False}
    return {"matched": True, "invitation_id": inv.id, "status": inv.status}


@hooks_router.post("/sms/status", status_code=204, responses={403: {}, 404: {}})
async def sms_status(request: Request, session: DbSession) -> Response:
    """Delivery status of an invitation SMS (public: the provider's signature is checked)."""
    settings = get_settings()
    token = settings.sms_auth_token.get_secret_value()
    if not token:
        raise NotFound("hook.not_found", "Not found.")
    form = await request.form()
    params = {k: str(v) for k, v in form.items()}
    invitation = request.query_params.get(INVITATION_PARAM, "")
    url = str(request.url)
    if settings.sms_status_callback_url:  # what the provider signed, whatever proxies changed
        url = with_query(settings.sms_status_callback_url, {INVITATION_PARAM: invitation})
    try:
        update = parse_status_callback(
            url, params, request.headers.get(SIGNATURE_HEADER, ""), token
        )
    except InvalidSignature:
        raise AppError("hook.forbidden", "Forbidden.", {}, 403) from None
    provider = Actor(0, "webhook", None, "system", frozenset(), "sms provider")
    if tracking.apply_update(session, update, provider) is None:
        raise NotFound("hook.not_found", "Not found.")
    return Response(status_code=204)
