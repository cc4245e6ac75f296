"""Permission-checked, workspace-scoped fetches of surveys (404 when not visible)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.errors import Forbidden
from cxloop.core.tenancy import owned
from cxloop.surveys import errors
from cxloop.surveys.definition import Definition
from cxloop.surveys.models import Survey, SurveyResponse, SurveyVersion


def require(actor: Actor, permission: str) -> None:
    """Raise 403 unless the actor holds ``permission``."""
    if not actor.can(permission):
        raise Forbidden(
            "auth.forbidden",
            f"Your role does not allow this (needs '{permission}').",
            {"permission": permission},
        )


def get_survey(session: Session, actor: Actor, survey_id: int, permission: str) -> Survey:
    """A survey of the actor's workspace, else 404 (403 without ``permission``)."""
    require(actor, permission)
    survey = owned(session, Survey, survey_id, actor.workspace_id)
    if survey is None:
        raise errors.survey_not_found(survey_id)
    return survey


def get_version(session: Session, survey: Survey, number: int | None = None) -> SurveyVersion:
    """A version of the survey by number, or its current version."""
    stmt = select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
    if number is None:
        stmt = stmt.where(SurveyVersion.id == survey.current_version_id)
    else:
        stmt = stmt.where(SurveyVersion.number == number)
    version = session.scalar(stmt)
    if version is None:
        raise errors.version_not_found(survey.id, number)
    return version


def get_response(
    session: Session, actor: Actor, response_id: int, permission: str
) -> SurveyResponse:
    """A response of the actor's workspace, else 404."""
    require(actor, permission)
    resp = owned(session, SurveyResponse, response_id, actor.workspace_id)
    if resp is None:
        raise errors.response_not_found(response_id)
    return resp


_definitions: dict[tuple[int, datetime], Definition] = {}


def definition_of(version: SurveyVersion) -> Definition:
    """The parsed definition of a version (cached per version and edit time)."""
    key = (version.id, version.updated_at)
    found = _definitions.get(key)
    if found is None:
        found = Definition.model_validate(version.definition)
        if len(_definitions) > 512:
            _definitions.clear()
        _definitions[key] = found
    return found
