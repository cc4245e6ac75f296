"""Reads behind the identity admin surfaces (settings page, CLI): the settings in force, full
re-resolution jobs, the merge a review decision made."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core import jobs
from cxloop.core.actor import Actor
from cxloop.core.permissions import IDENTITY_REVIEW
from cxloop.core.tenancy import Workspace
from cxloop.profiles import access
from cxloop.profiles.models import MergeEvent
from cxloop.profiles.resolve import DEFAULTS, settings_of, unique_sources
from cxloop.profiles.service import RESOLVE_ALL_JOB
from cxloop.profiles.survivorship import ATTRIBUTES, DEFAULT_RULES, RULES


def identity_settings(session: Session, actor: Actor) -> dict[str, Any]:
    """Thresholds, the rule in force for every attribute, and the unique sources."""
    access.require(actor, IDENTITY_REVIEW)
    ws = session.get(Workspace, actor.workspace_id)
    assert ws is not None
    stored = (ws.settings or {}).get("survivorship", {})
    rules = []
    for attr in ATTRIBUTES:
        rule = stored.get(attr, DEFAULT_RULES[attr])
        rules.append(
            {
                "attribute": attr,
                # a rule this release no longer knows falls back like the golden record does
                "rule": rule if rule in RULES else "most_trusted",
                "default": DEFAULT_RULES[attr],
            }
        )
    return {
        **settings_of(ws),
        "defaults": dict(DEFAULTS),
        "rules": rules,
        "survivorship": dict(stored),
        "unique_sources": unique_sources(ws),
    }


def full_resolution(session: Session, actor: Actor, job_id: int | None = None) -> jobs.Job | None:
    """A full re-resolution job of the workspace: the one given, else the latest one."""
    access.require(actor, IDENTITY_REVIEW)
    stmt = select(jobs.Job).where(
        jobs.Job.workspace_id == actor.workspace_id, jobs.Job.kind == RESOLVE_ALL_JOB
    )
    if job_id is not None:
        return session.scalar(stmt.where(jobs.Job.id == job_id))
    return session.scalar(stmt.order_by(jobs.Job.id.desc()).limit(1))


def merge_of_link(session: Session, actor: Actor, link_id: int) -> MergeEvent | None:
    """The merge that approving a match made (None when its records were one customer already)."""
    access.require(actor, IDENTITY_REVIEW)
    return session.scalar(
        select(MergeEvent)
        .where(MergeEvent.workspace_id == actor.workspace_id, MergeEvent.link_id == link_id)
        .order_by(MergeEvent.id.desc())
        .limit(1)
    )
