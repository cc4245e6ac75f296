"""REST API of the audit log (read-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from cxloop.auth.dependencies import DbSession, require
from cxloop.core import audit
from cxloop.core.actor import Actor
from cxloop.core.params import IdQuery
from cxloop.core.permissions import AUDIT_READ
from cxloop.core.routing import UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["audit"], route_class=UnitOfWorkRoute)


class AuditRead(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    actor_label: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/audit", response_model=list[AuditRead])
def list_audit(
    session: DbSession,
    actor: Annotated[Actor, Depends(require(AUDIT_READ))],
    entity_type: Annotated[str | None, Query(max_length=60)] = None,
    entity_id: Annotated[str | None, Query(max_length=80)] = None,
    before_id: IdQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    """Audit entries of the workspace, newest first; page with ``before_id``."""
    return audit.list_entries(session, actor.workspace_id, entity_type, entity_id, limit, before_id)
