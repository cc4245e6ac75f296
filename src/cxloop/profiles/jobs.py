"""Background jobs of the profile domain: incremental and full identity resolution."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cxloop.core import jobs
from cxloop.profiles import resolve
from cxloop.profiles.ingest.service import RESOLVE_JOB
from cxloop.profiles.service import RESOLVE_ALL_JOB


def _pending(session: Session, job: jobs.Job) -> dict[str, Any]:
    assert job.workspace_id is not None
    return resolve.resolve_pending(session, job.workspace_id)


def _all(session: Session, job: jobs.Job) -> dict[str, Any]:
    assert job.workspace_id is not None
    return resolve.resolve_all(session, job.workspace_id)


def register() -> None:
    """Register the handlers with the job runner."""
    jobs.register(RESOLVE_JOB)(_pending)
    jobs.register(RESOLVE_ALL_JOB)(_all)
