"""Permission-checked, workspace-scoped fetches of text records (404 when not visible)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.errors import Forbidden
from cxloop.core.permissions import PROFILES_PII
from cxloop.core.tenancy import owned
from cxloop.text import errors
from cxloop.text.models import TextEnrichment, TextTheme


def require(actor: Actor, permission: str) -> None:
    """Raise 403 unless the actor holds ``permission``."""
    if not actor.can(permission):
        raise Forbidden(
            "auth.forbidden",
            f"Your role does not allow this (needs '{permission}').",
            {"permission": permission},
        )


def sees_raw_text(actor: Actor) -> bool:
    """Whether the actor may read comments as written (else only their redacted text)."""
    return actor.can(PROFILES_PII)


def get_theme(session: Session, actor: Actor, theme_id: int) -> TextTheme:
    """A theme of the actor's workspace, else 404."""
    theme = owned(session, TextTheme, theme_id, actor.workspace_id)
    if theme is None:
        raise errors.theme_not_found(theme_id)
    return theme


def get_enrichment(session: Session, actor: Actor, enrichment_id: int) -> TextEnrichment:
    """An analysed comment of the actor's workspace, else 404."""
    row = owned(session, TextEnrichment, enrichment_id, actor.workspace_id)
    if row is None:
        raise errors.enrichment_not_found(enrichment_id)
    return row
