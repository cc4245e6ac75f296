"""Error codes of the profile domain."""

from __future__ import annotations

from cxloop.core.errors import Conflict, Invalid, NotFound


def profile_not_found(ref: object) -> NotFound:
    """No such profile visible to the caller."""
    return NotFound("customer.not_found", f"Customer {ref} not found.", {"id": str(ref)})


def link_not_found(ref: object) -> NotFound:
    """No such match link visible to the caller."""
    return NotFound("identity.link_not_found", f"Match link {ref} not found.", {"id": str(ref)})


def merge_not_found(ref: object) -> NotFound:
    """No such merge visible to the caller."""
    return NotFound("identity.merge_not_found", f"Merge {ref} not found.", {"id": str(ref)})


def record_not_found(ref: object) -> NotFound:
    """No such source record visible to the caller."""
    return NotFound(
        "identity.record_not_found", f"Source record {ref} not found.", {"id": str(ref)}
    )


def already_decided(status: str) -> Conflict:
    """The link was decided already."""
    return Conflict(
        "identity.already_decided", f"This match was already {status}.", {"status": status}
    )


def already_undone() -> Conflict:
    """The merge was undone already."""
    return Conflict("identity.already_undone", "This merge was already undone.")


def not_mergeable(reason: str) -> Conflict:
    """Two profiles cannot be merged."""
    return Conflict("identity.not_mergeable", reason)


def invalid(field: str, reason: str, problem: str = "invalid") -> Invalid:
    """An identity setting or request field is invalid; ``problem`` is a stable reason code."""
    return Invalid(
        "identity.invalid",
        f"{field}: {reason}",
        {"field": field, "reason": reason, "problem": problem},
    )
