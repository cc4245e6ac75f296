"""The write path of survey definitions: create, edit (versions), publish, close, links.

Responses have their own write path in ``collect``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from cxloop.core import audit, clock
from cxloop.core.actor import Actor, system_actor
from cxloop.core.crypto import sha256_hex, token
from cxloop.core.errors import NotFound
from cxloop.core.permissions import SURVEYS_MANAGE, SURVEYS_SEND
from cxloop.profiles import queries as profile_queries
from cxloop.profiles.ingest import service as ingest
from cxloop.profiles.ingest.schemas import SourceCreate
from cxloop.surveys import access, errors
from cxloop.surveys.definition import Definition, invalid_errors, problems
from cxloop.surveys.models import Survey, SurveyLink, SurveyResponse, SurveyVersion
from cxloop.surveys.schemas import LinkCreate

SOURCE_NAME = "cxloop-surveys"  # the source survey responses are recorded under
TOKEN_BYTES = 32  # 256 bits
PERSONAL_DAYS = 30  # default lifetime of a personal link


def check(definition: Definition) -> dict[str, Any]:
    """The definition as stored, once every rule holds (else ``Invalid`` naming each field)."""
    found = problems(definition)
    if found:
        raise invalid_errors([{"field": f"definition.{f}", "reason": r} for f, r in found])
    return definition.model_dump(mode="json", exclude_none=True)


def _snapshot(s: Survey, version: SurveyVersion | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name, "status": s.status}
    if version is not None:
        out["version"] = version.number
    return out


def create_survey(session: Session, actor: Actor, name: str, definition: Definition) -> Survey:
    """A new draft survey with its first version."""
    access.require(actor, SURVEYS_MANAGE)
    doc = check(definition)
    t = clock.now()
    survey = Survey(
        workspace_id=actor.workspace_id,
        name=name.strip(),
        status="draft",
        created_by=actor.ref,
        created_at=t,
        updated_at=t,
    )
    session.add(survey)
    session.flush()
    version = SurveyVersion(
        workspace_id=actor.workspace_id,
        survey_id=survey.id,
        number=1,
        definition=doc,
        created_by=actor.ref,
        created_at=t,
        updated_at=t,
    )
    session.add(version)
    session.flush()
    survey.current_version_id = version.id
    audit.record(
        session, actor, "survey.create", "survey", survey.id, None, _snapshot(survey, version)
    )
    return survey


def has_responses(session: Session, version_id: int) -> bool:
    """Whether any response (even partial) or personal link points at this version."""
    return bool(
        session.scalar(
            select(
                exists().where(SurveyResponse.version_id == version_id)
                | exists().where(SurveyLink.version_id == version_id)
            )
        )
    )


def update_survey(
    session: Session,
    actor: Actor,
    survey_id: int,
    name: str | None = None,
    definition: Definition | None = None,
) -> tuple[Survey, bool]:
    """Rename and/or redefine a survey; return whether a new version was made.

    A version that already has responses (or personal links bound to it) is never changed:
    the new definition becomes a new version and old responses keep pointing at theirs.
    """
    survey = access.get_survey(session, actor, survey_id, SURVEYS_MANAGE)
    current = access.get_version(session, survey)
    before = _snapshot(survey, current)
    t = clock.now()
    created = False
    if name is not None and name.strip() != survey.name:
        survey.name = name.strip()
    if definition is not None:
        doc = check(definition)
        if doc != current.definition:
            if has_responses(session, current.id):
                last = session.scalar(
                    select(SurveyVersion.number)
                    .where(SurveyVersion.survey_id == survey.id)
                    .order_by(SurveyVersion.number.desc())
                    .limit(1)
                )
                current = SurveyVersion(
                    workspace_id=survey.workspace_id,
                    survey_id=survey.id,
                    number=(last or 0) + 1,
                    definition=doc,
                    created_by=actor.ref,
                    created_at=t,
                    updated_at=t,
                )
                session.add(current)
                session.flush()
                survey.current_version_id = current.id
                created = True
            else:
                current.definition = doc
                current.updated_at = t
    survey.updated_at = t
    session.flush()
    audit.record(
        session, actor, "survey.update", "survey", survey.id, before, _snapshot(survey, current)
    )
    return survey, created


def set_status(session: Session, actor: Actor, survey_id: int, status: str) -> Survey:
    """Publish (draft or closed → active) or close (active → closed) a survey."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_MANAGE)
    allowed = {"active": ("draft", "closed"), "closed": ("active",)}
    if survey.status not in allowed.get(status, ()):
        raise errors.bad_status(survey.status, status)
    before = _snapshot(survey)
    t = clock.now()
    survey.status = status
    survey.updated_at = t
    if status == "active":
        survey.published_at = t
        survey.closed_at = None
        survey.source_id = survey_source(session, survey.workspace_id)
    else:
        survey.closed_at = t
    session.flush()
    audit.record(
        session,
        actor,
        f"survey.{'publish' if status == 'active' else 'close'}",
        "survey",
        survey.id,
        before,
        _snapshot(survey),
    )
    return survey


def survey_source(session: Session, workspace_id: int) -> int:
    """The id of the source survey responses are recorded under (declared on first use)."""
    system = system_actor(workspace_id, "surveys")
    try:
        source_id = ingest.get_source(session, system, SOURCE_NAME).id
    except NotFound:  # not declared yet
        return ingest.create_source(
            session, system, SourceCreate(name=SOURCE_NAME, kind="other", trust_rank=10)
        ).id
    return source_id


def create_link(
    session: Session,
    actor: Actor,
    survey_id: int,
    data: LinkCreate,
    secret: str | None = None,
    version: SurveyVersion | None = None,
) -> tuple[SurveyLink, str]:
    """A link to answer the survey; return it and its token (shown once, stored hashed).

    Personal links are bound to one customer and the current version (or ``version``: a
    distribution's), single-use and expiring. Public and kiosk links follow the current
    version; kiosk links carry their location. ``secret``: a token made by the caller (an
    invitation derives its link's token so that reminders can carry it again).
    """
    survey = access.get_survey(session, actor, survey_id, SURVEYS_SEND)
    if survey.status != "active":
        raise errors.not_active(survey.status)
    if version is None or version.survey_id != survey.id:
        version = access.get_version(session, survey)
    secret = secret or token(TOKEN_BYTES)
    t = clock.now()
    link = SurveyLink(
        workspace_id=survey.workspace_id,
        survey_id=survey.id,
        kind=data.kind,
        token_hash=sha256_hex(secret),
        channel=data.channel if data.kind != "kiosk" or data.channel != "web" else "store",
        location=data.location.strip() if data.location else None,
        fields={k: v.strip() for k, v in data.fields.items()},
        created_by=actor.ref,
        created_at=t,
    )
    if data.kind == "personal":
        if data.profile_id is None:
            raise errors.invalid("profile_id", "a personal link is for one customer")
        subject = profile_queries.survey_subject(session, actor, data.profile_id)
        if subject["ref"] is None:
            raise errors.invalid("profile_id", "this customer has no source record")
        link.version_id = version.id
        link.profile_id = subject["profile_id"]
        link.customer_source_id, link.customer_ref = subject["ref"]
        link.language = subject["language"]
        piped = {k: subject[k] for k in ("first_name", "last_name", "full_name", "tier")}
        link.fields = {**{k: v for k, v in piped.items() if v}, **link.fields}
        link.expires_at = t + timedelta(days=data.expires_in_days or PERSONAL_DAYS)
    else:
        if data.profile_id is not None:
            raise errors.invalid("profile_id", f"a {data.kind} link is for anyone")
        if data.kind == "kiosk" and not link.location:
            raise errors.invalid("location", "a kiosk link names where it stands")
        if data.expires_in_days:
            link.expires_at = t + timedelta(days=data.expires_in_days)
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor,
        "survey.link_create",
        "survey_link",
        link.id,
        None,
        {
            "survey_id": survey.id,
            "kind": link.kind,
            "channel": link.channel,
            "profile_id": link.profile_id,
            "location": link.location,
        },
    )
    return link, secret


def revoke_link(session: Session, actor: Actor, survey_id: int, link_id: int) -> SurveyLink:
    """Stop a link from being used."""
    survey = access.get_survey(session, actor, survey_id, SURVEYS_SEND)
    link = session.get(SurveyLink, link_id)
    if link is None or link.survey_id != survey.id:
        raise errors.link_invalid()
    if link.revoked_at is None:
        link.revoked_at = clock.now()
        audit.record(session, actor, "survey.link_revoke", "survey_link", link.id, None, None)
    return link
