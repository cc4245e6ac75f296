"""Who is acting: passed to every service so that writes are attributed and audited."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a service (a user, an API key, the system or a customer)."""

    workspace_id: int
    kind: str  # user | api_key | system | webhook | customer
    id: int | None = None
    role: str = "system"
    permissions: frozenset[str] = field(default_factory=frozenset)
    label: str = ""

    def can(self, permission: str) -> bool:
        """Whether this actor holds ``permission``."""
        return permission in self.permissions

    @property
    def ref(self) -> str:
        """A short reference such as ``user:12`` for logs and the audit trail."""
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind


def system_actor(workspace_id: int, label: str = "system") -> Actor:
    """An actor for jobs and CLI commands run by the operator, with every permission."""
    from cxloop.core.permissions import ALL_PERMISSIONS

    return Actor(workspace_id, "system", None, "system", ALL_PERMISSIONS, label)
