"""Which customers have an open issue: a small extension point.

Today the journeys' issue keys decide (``journeys.queries.open_issue_refs``); the closed loop's
cases can replace it by registering another ``OpenIssues``.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from cxloop.journeys import queries as journeys

Ref = tuple[int, str]


class OpenIssues(Protocol):
    """Finds the customers (by their records) who have an unresolved issue."""

    def open_refs(
        self, session: Session, workspace_id: int, refs: list[Ref], days: int
    ) -> set[Ref]:
        """The records among ``refs`` whose customer has an open issue."""
        ...


class JourneyIssues:
    """An issue key whose latest interaction did not resolve it (see journeys.queries)."""

    def open_refs(
        self, session: Session, workspace_id: int, refs: list[Ref], days: int
    ) -> set[Ref]:
        """The records among ``refs`` with an unresolved issue key in the last ``days``."""
        return journeys.open_issue_refs(session, workspace_id, refs, days)


_current: OpenIssues = JourneyIssues()


def use(finder: OpenIssues) -> None:
    """Replace how open issues are found (the closed loop's cases will)."""
    global _current
    _current = finder


def finder() -> OpenIssues:
    """The open-issue finder in use."""
    return _current
