"""Error codes of the auth domain."""

from __future__ import annotations

from cxloop.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated


def bad_credentials() -> Unauthenticated:
    """Login failed; the message does not say which part was wrong."""
    return Unauthenticated("auth.bad_credentials", "Email or password is incorrect.")


def locked() -> Unauthenticated:
    """Too many failed logins."""
    return Unauthenticated("auth.locked", "Too many failed attempts; try again in a few minutes.")


def not_authenticated() -> Unauthenticated:
    """No or invalid credentials."""
    return Unauthenticated(
        "auth.required",
        "Authentication required: send 'Authorization: Bearer <api key>' or log in.",
    )


def forbidden(permission: str) -> Forbidden:
    """The caller lacks a permission."""
    return Forbidden(
        "auth.forbidden",
        f"Your role does not allow this (needs '{permission}').",
        {"permission": permission},
    )


def csrf_failed() -> Forbidden:
    """Missing or wrong CSRF token on a cookie-authenticated unsafe request."""
    return Forbidden("auth.csrf", "The form expired or its security token is missing; reload.")


def user_exists(email: str) -> Conflict:
    """A user with this email exists in the workspace."""
    return Conflict("user.exists", f"A user with email {email!r} already exists.", {"email": email})


def user_not_found(ref: object) -> NotFound:
    """No such user in the caller's workspace."""
    return NotFound("user.not_found", f"User {ref} not found.", {"id": str(ref)})


def workspace_not_found(ref: object) -> NotFound:
    """No such workspace."""
    return NotFound("workspace.not_found", f"Workspace {ref} not found.", {"workspace": str(ref)})


def invalid(field: str, reason: str) -> Invalid:
    """A field of an auth request is invalid."""
    return Invalid("auth.invalid", f"{field}: {reason}", {"field": field, "reason": reason})


def apikey_not_found(ref: object) -> NotFound:
    """No such API key visible to the caller."""
    return NotFound("apikey.not_found", f"API key {ref} not found.", {"id": str(ref)})
