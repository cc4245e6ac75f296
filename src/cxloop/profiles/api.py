"""REST API of profiles: search, the 360 view, identity review, merges, settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from cxloop.auth.dependencies import CurrentActor, DbSession
from cxloop.core import jobs
from cxloop.core.errors import NotFound
from cxloop.core.params import IdPath, Offset
from cxloop.core.permissions import IDENTITY_REVIEW
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.profiles import access, queries, queries_identity, service, timeline, view360
from cxloop.profiles.models import Profile
from cxloop.profiles.schemas import (
    Customer360,
    IdentitySettings,
    JobView,
    LinkView,
    MergeRequest,
    MergeView,
    OwnerRequest,
    SearchHit,
    TimelinePage,
)

router = APIRouter(prefix="/api/v1", tags=["customers"], route_class=UnitOfWorkRoute)


@router.get("/customers", response_model=list[SearchHit])
def search(
    session: DbSession,
    actor: CurrentActor,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Name, email, phone or id")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    """Find customers by name (any script, partial), email, phone in any format or external id."""
    return queries.search_profiles(session, actor, q, limit)


def _follow_merge(session: DbSession, actor: CurrentActor, profile_id: int) -> int | None:
    """The surviving profile of a merged one, if the caller may see it."""
    p = session.get(Profile, profile_id)
    seen = 0
    while p is not None and p.status == "merged" and p.merged_into_id and seen < 20:
        p = session.get(Profile, p.merged_into_id)
        seen += 1
    if p is not None and p.id != profile_id and access.can_see(actor, p) and p.status == "active":
        return p.id
    return None


@router.get(
    "/customers/{profile_id}",
    response_model=Customer360,
    responses={307: {"description": "Merged: see the surviving customer"}},
)
def customer(profile_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """The 360 view of one customer (a merged customer redirects to the survivor)."""
    p = access.get_profile(session, actor, profile_id)
    if p.status == "merged":
        target = _follow_merge(session, actor, profile_id)
        if target is not None:
            return RedirectResponse(f"/api/v1/customers/{target}", status_code=307)
    return view360.customer_360(session, actor, profile_id)


@router.get(
    "/customers/{profile_id}/timeline",
    response_model=TimelinePage,
    responses={307: {"description": "Merged: see the surviving customer"}},
)
def customer_timeline(
    profile_id: IdPath,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    before: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Cursor: ``timeline_next_before`` of the 360 view or ``next_before`` of "
            "the previous page",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=timeline.MAX_LIMIT)] = timeline.DEFAULT_LIMIT,
    channel: Annotated[
        str | None, Query(max_length=16, description="Only this channel (phone, chat, email…)")
    ] = None,
) -> Any:
    """Every interaction of one customer, newest first, a page at a time (keyset paging)."""
    p = access.get_profile(session, actor, profile_id)
    if p.status == "merged":
        target = _follow_merge(session, actor, profile_id)
        if target is not None:
            query = f"?{request.url.query}" if request.url.query else ""
            url = f"/api/v1/customers/{target}/timeline{query}"
            return RedirectResponse(url, status_code=307)
    return timeline.profile_timeline(session, actor, profile_id, before, limit, channel)


@router.get("/customers/{profile_id}/links", response_model=list[LinkView])
def customer_links(profile_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Why this customer's source records are joined: each link with its comparison."""
    return queries.record_links(session, actor, profile_id)


@router.post("/customers/{profile_id}/merge", response_model=MergeView)
def merge(profile_id: IdPath, body: MergeRequest, session: DbSession, actor: CurrentActor) -> Any:
    """Merge another customer into this one (undoable)."""
    return service.merge_profiles(session, actor, profile_id, body.other_id, "manual")


@router.put("/customers/{profile_id}/owner", response_model=None, status_code=204)
def set_owner(
    profile_id: IdPath, body: OwnerRequest, session: DbSession, actor: CurrentActor
) -> Response:
    """Assign the account manager who owns this customer."""
    service.set_owner(session, actor, profile_id, body.user_id)
    return Response(status_code=204)


@router.get("/identity/review", response_model=list[LinkView])
def review(
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> Any:
    """Matches waiting for a decision; the total is in X-Total-Count."""
    access.require(actor, IDENTITY_REVIEW)
    items, total = queries.review_queue(session, actor, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return items


@router.get("/identity/links/{link_id}", response_model=LinkView)
def link(link_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """One match with both records and the comparison that scored it."""
    access.require(actor, IDENTITY_REVIEW)
    return queries.link_detail(session, actor, access.get_link(session, actor, link_id))


@router.post("/identity/links/{link_id}/approve", response_model=LinkView)
def approve(link_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Approve a match: the two customers are merged."""
    link = service.decide_link(session, actor, link_id, approve=True)
    return queries.link_detail(session, actor, link)


@router.post("/identity/links/{link_id}/reject", response_model=LinkView)
def reject(link_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Reject a match: the two records are kept apart for good."""
    link = service.decide_link(session, actor, link_id, approve=False)
    return queries.link_detail(session, actor, link)


@router.post("/identity/merges/{merge_id}/undo", response_model=MergeView)
def undo(merge_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Undo a merge: the absorbed customer comes back with its records."""
    return service.undo_merge(session, actor, merge_id)


@router.post("/identity/records/{record_id}/detach", response_model=SearchHit)
def detach(record_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """Move a wrongly joined source record out into a customer of its own."""
    p = service.detach_record(session, actor, record_id)
    return SearchHit(
        id=p.id,
        display_name=p.display_name,
        email=p.primary_email,
        phone=p.primary_phone,
        tier=p.tier,
        region=p.region,
        records=p.record_count,
        matched_on="detach",
    )


@router.get("/identity/settings", response_model=IdentitySettings)
def get_settings(session: DbSession, actor: CurrentActor) -> Any:
    """The workspace's thresholds and survivorship rules."""
    return _settings_view(session, actor)


def _settings_view(session: DbSession, actor: CurrentActor) -> IdentitySettings:
    conf = queries_identity.identity_settings(session, actor)
    return IdentitySettings(
        auto_threshold=conf["auto_threshold"],
        review_threshold=conf["review_threshold"],
        survivorship=conf["survivorship"],
        unique_sources=conf["unique_sources"],
    )


@router.put("/identity/settings", response_model=IdentitySettings)
def put_settings(body: IdentitySettings, session: DbSession, actor: CurrentActor) -> Any:
    """Change thresholds and survivorship rules (applies to the next resolution)."""
    thresholds = {
        k: v
        for k, v in (
            ("auto_threshold", body.auto_threshold),
            ("review_threshold", body.review_threshold),
        )
        if v is not None
    }
    service.update_settings(session, actor, thresholds, body.survivorship, body.unique_sources)
    return _settings_view(session, actor)


@router.post("/identity/resolve", response_model=JobView, status_code=202)
def resolve_all(session: DbSession, actor: CurrentActor) -> Any:
    """Queue a full re-resolution of the workspace."""
    return service.queue_full_resolution(session, actor)


@router.get("/jobs/{job_id}", response_model=JobView)
def job(job_id: IdPath, session: DbSession, actor: CurrentActor) -> Any:
    """A background job's state and result."""
    row = session.scalar(
        select(jobs.Job).where(jobs.Job.id == job_id, jobs.Job.workspace_id == actor.workspace_id)
    )
    if row is None:
        raise NotFound("job.not_found", f"Job {job_id} not found.", {"id": str(job_id)})
    return row
