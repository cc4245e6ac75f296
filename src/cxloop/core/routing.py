"""The route class of every router: a synchronous endpoint commits its unit of work itself.

FastAPI runs a synchronous endpoint in a worker thread, then validates its response in another
worker thread, and only then leaves the request's dependencies (where the unit of work would
commit). A request holding SQLite's write lock (or PostgreSQL row locks) would wait there for a
free thread while every thread waits for that lock: a burst of writes beyond the thread pool
deadlocked. So the endpoint's own thread commits as soon as the endpoint returns; the unit of
work's commit at the end then finds nothing left to do.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from cxloop.core.db import commit_now


def _commit_after(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(endpoint, "_cx_commits", False) or inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                commit_now(value)
        return result

    run._cx_commits = True  # type: ignore[attr-defined]
    return run


class UnitOfWorkRoute(APIRoute):
    """An APIRoute whose synchronous endpoint commits the request's session in its own thread."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _commit_after(endpoint), **kwargs)
