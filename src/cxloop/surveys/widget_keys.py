"""The website widget's public keys and their allowed origins: the write path (audited) and
the reads the management pages and the public answer endpoint need.

A public key is not a secret (it is in every page that embeds the widget); what it grants is
decided here: which surveys, which channel, whether a customer reference is trusted, and
which exact origins a browser may post from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from cxloop.core import audit, clock
from cxloop.core.actor import Actor
from cxloop.core.config import get_settings
from cxloop.core.errors import NotFound
from cxloop.core.permissions import SURVEYS_MANAGE
from cxloop.core.tenancy import owned
from cxloop.profiles.ingest import service as ingest
from cxloop.surveys import access, errors
from cxloop.surveys.channels.widget import embed_snippet, new_public_key, normalize_origin
from cxloop.surveys.models import WidgetKey, WidgetOrigin
from cxloop.surveys.schemas_widget import WidgetKeyCreate, WidgetKeyUpdate


def _origins(raw: list[str]) -> list[str]:
    """Each origin normalised (duplicates dropped), else 422 naming the bad one."""
    out: list[str] = []
    for i, value in enumerate(raw):
        origin = normalize_origin(value)
        if origin is None:
            raise errors.invalid(
                f"origins[{i}]",
                f"{value[:80]!r} is not an origin: scheme://host[:port] with no path, "
                "query or wildcard (e.g. https://shop.example)",
            )
        if origin not in out:
            out.append(origin)
    return out


def _surveys(session: Session, actor: Actor, ids: list[int]) -> list[int]:
    out: list[int] = []
    for i, survey_id in enumerate(ids):
        try:
            access.get_survey(session, actor, survey_id, SURVEYS_MANAGE)
        except NotFound:
            raise errors.invalid(
                f"surveys[{i}]", f"no survey {survey_id} in this workspace"
            ) from None
        if survey_id not in out:
            out.append(survey_id)
    return out


def _source(session: Session, actor: Actor, ref: str | None) -> int | None:
    if ref is None or not ref.strip():
        return None
    try:
        return ingest.get_source(session, actor, ref.strip()).id
    except NotFound:
        raise errors.invalid(
            "customer_source", f"no source {ref.strip()!r} in this workspace"
        ) from None


def origins_of(session: Session, key_id: int) -> list[str]:
    """The key's allowed origins, in the order they were added."""
    return list(
        session.scalars(
            select(WidgetOrigin.origin)
            .where(WidgetOrigin.key_id == key_id)
            .order_by(WidgetOrigin.id)
        )
    )


def _set_origins(session: Session, key: WidgetKey, origins: list[str]) -> None:
    session.execute(delete(WidgetOrigin).where(WidgetOrigin.key_id == key.id))
    t = clock.now()
    session.add_all(
        WidgetOrigin(workspace_id=key.workspace_id, key_id=key.id, origin=o, created_at=t)
        for o in origins
    )
    session.flush()


def _snapshot(key: WidgetKey, origins: list[str]) -> dict[str, Any]:
    return {
        "name": key.name,
        "channel": key.channel,
        "surveys": list(key.survey_ids),
        "origins": origins,
        "customer_source_id": key.customer_source_id,
        "revoked": key.revoked_at is not None,
    }


def create_key(session: Session, actor: Actor, data: WidgetKeyCreate) -> WidgetKey:
    """A new public key with its surveys, channel, customer source and origins."""
    access.require(actor, SURVEYS_MANAGE)
    origins = _origins(data.origins)
    t = clock.now()
    key = WidgetKey(
        workspace_id=actor.workspace_id,
        public_key=new_public_key(),
        name=data.name.strip(),
        channel=data.channel,
        survey_ids=_surveys(session, actor, data.surveys),
        customer_source_id=_source(session, actor, data.customer_source),
        created_by=actor.ref,
        created_at=t,
        updated_at=t,
    )
    session.add(key)
    session.flush()
    _set_origins(session, key, origins)
    audit.record(
        session, actor, "survey.widget_key_create", "widget_key", key.id, None,
        _snapshot(key, origins),
    )  # fmt: skip
    return key


def get_key(session: Session, actor: Actor, key_id: int) -> WidgetKey:
    """A key of the actor's workspace (managers only), else 404."""
    access.require(actor, SURVEYS_MANAGE)
    key = owned(session, WidgetKey, key_id, actor.workspace_id)
    if key is None:
        raise errors.widget_key_not_found(key_id)
    return key


def update_key(session: Session, actor: Actor, key_id: int, data: WidgetKeyUpdate) -> WidgetKey:
    """Change a key's name, channel, surveys, origins or customer source."""
    key = get_key(session, actor, key_id)
    before_origins = origins_of(session, key.id)
    before = _snapshot(key, before_origins)
    if data.name is not None:
        key.name = data.name.strip()
    if data.channel is not None:
        key.channel = data.channel
    if data.surveys is not None:
        key.survey_ids = _surveys(session, actor, data.surveys)
    if "customer_source" in data.model_fields_set:
        key.customer_source_id = _source(session, actor, data.customer_source)
    origins = before_origins
    if data.origins is not None:
        origins = _origins(data.origins)
        if origins != before_origins:
            _set_origins(session, key, origins)
    key.updated_at = clock.now()
    session.flush()
    audit.record(
        session, actor, "survey.widget_key_update", "widget_key", key.id, before,
        _snapshot(key, origins),
    )  # fmt: skip
    return key


def revoke_key(session: Session, actor: Actor, key_id: int) -> WidgetKey:
    """Stop a key from collecting answers (the widget then gets 403)."""
    key = get_key(session, actor, key_id)
    if key.revoked_at is None:
        origins = origins_of(session, key.id)
        before = _snapshot(key, origins)
        key.revoked_at = key.updated_at = clock.now()
        session.flush()
        audit.record(
            session, actor, "survey.widget_key_revoke", "widget_key", key.id, before,
            _snapshot(key, origins),
        )  # fmt: skip
    return key


def key_view(session: Session, key: WidgetKey) -> dict[str, Any]:
    """A key as the API and the settings page show it."""
    return {
        "id": key.id,
        "public_key": key.public_key,
        "name": key.name,
        "channel": key.channel,
        "surveys": list(key.survey_ids),
        "origins": origins_of(session, key.id),
        "customer_source_id": key.customer_source_id,
        "embed": embed_snippet(get_settings().base_url, key.public_key),
        "created_at": key.created_at,
        "updated_at": key.updated_at,
        "revoked_at": key.revoked_at,
    }


def list_keys(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The workspace's widget keys, newest first (revoked ones too)."""
    access.require(actor, SURVEYS_MANAGE)
    keys = session.scalars(
        select(WidgetKey)
        .where(WidgetKey.workspace_id == actor.workspace_id)
        .order_by(WidgetKey.id.desc())
        .limit(200)
    )
    return [key_view(session, k) for k in keys]


# --- the public side (no actor: the key is the credential) ------------------------------------


def origin_known(session: Session, origin: str | None) -> bool:
    """Whether any valid key allows this exact origin (what a CORS preflight can know: it
    carries no body, so no key)."""
    wanted = normalize_origin(origin or "") if origin and origin != "null" else None
    if wanted is None:
        return False
    return bool(
        session.scalar(
            select(
                exists()
                .where(WidgetOrigin.origin == wanted, WidgetOrigin.key_id == WidgetKey.id)
                .where(WidgetKey.revoked_at.is_(None))
            )
        )
    )


def key_for_answer(session: Session, public_key: str) -> tuple[WidgetKey, list[str]]:
    """A valid key and its origins, else 403 (unknown and revoked keys look the same)."""
    key = session.scalar(select(WidgetKey).where(WidgetKey.public_key == public_key))
    if key is None or key.revoked_at is not None:
        raise errors.widget_key_invalid()
    return key, origins_of(session, key.id)
