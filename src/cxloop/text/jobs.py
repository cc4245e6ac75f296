"""Background jobs of the text domain: enrich new interactions and survey answers, re-enrich
stale comments."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cxloop.core import jobs
from cxloop.text import service


def _enrich(session: Session, job: jobs.Job) -> dict[str, Any]:
    assert job.workspace_id is not None
    payload = job.payload or {}
    return service.run_enrichment(
        session,
        job.workspace_id,
        payload.get("batch_id"),
        commit=True,
        interaction_ids=payload.get("interaction_ids"),
        response_ids=payload.get("response_ids"),
    ).as_dict()


def _reenrich(session: Session, job: jobs.Job) -> dict[str, Any]:
    assert job.workspace_id is not None
    return service.run_enrichment(session, job.workspace_id, None, commit=True).as_dict()


def register() -> None:
    """Register the handlers with the job runner."""
    jobs.register(service.ENRICH_JOB)(_enrich)
    jobs.register(service.REENRICH_JOB)(_reenrich)


def warm_up() -> None:
    """Load the text models now, so that the first comment after start is enriched quickly."""
    from cxloop.text import heads

    heads.warm_up()
