"""Background jobs of surveys: the ``survey.response_completed`` outbox event, and the sending
and trigger polling of distributions (``dispatch``, ``triggers``).

The event is written in the transaction that completes the response, so no consumer can miss
one. Today nothing consumes it here (the closed loop and insights will); the handler records
that it was seen, so the worker does not fail it for want of a handler.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cxloop.core import jobs
from cxloop.surveys import dispatch, distribution, triggers
from cxloop.surveys.collect import EVENT


def _completed(_session: Session, job: jobs.Job) -> dict[str, Any]:
    return {"response_id": job.payload.get("response_id"), "consumers": []}


def register() -> None:
    """Register the handlers of survey jobs."""
    jobs.register(EVENT)(_completed)
    jobs.register(distribution.RUN)(dispatch.run)
    jobs.register(distribution.POLL)(triggers.poll)
