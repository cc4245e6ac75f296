"""The one error type the domains raise; the API and web render it as one shape."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A failure with a stable machine code, a human message and optional details."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: str,
        data: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data or {}
        if status_code is not None:
            self.status_code = status_code

    def to_dict(self) -> dict[str, Any]:
        """The public error document ``{"error": {...}}``."""
        return {"error": {"code": self.code, "message": self.message, "data": self.data}}


class NotFound(AppError):
    """The record does not exist or is not visible to the caller (same answer on purpose)."""

    status_code = 404


class Conflict(AppError):
    """The request conflicts with the current state."""

    status_code = 409


class Invalid(AppError):
    """The input is not acceptable; ``data`` names the field(s) and reasons."""

    status_code = 422


class Unauthenticated(AppError):
    """No valid credentials were presented."""

    status_code = 401


class Forbidden(AppError):
    """The caller is known but lacks the permission."""

    status_code = 403


class TooLarge(AppError):
    """The request body or file exceeds a configured limit."""

    status_code = 413


class RateLimited(AppError):
    """Too many requests; retry later."""

    status_code = 429


def request_invalid(field: str, reason: str, **detail: str) -> Invalid:
    """A 422 shaped like a request validation error, for one field (``detail``: "in", ...)."""
    return Invalid(
        "request.invalid",
        f"{field}: {reason}",
        {"errors": [{"field": field, "reason": reason, **detail}]},
    )


def from_validation(exc: Exception, code: str = "request.invalid") -> Invalid:
    """An Invalid error naming each field and reason of a pydantic ValidationError."""
    errors_fn = getattr(exc, "errors", None)
    details: list[dict[str, str]] = []
    if callable(errors_fn):
        for err in errors_fn():
            field = ".".join(str(p) for p in err.get("loc", ())) or "(input)"
            details.append({"field": field, "reason": str(err.get("msg", "invalid"))})
    if not details:
        details.append({"field": "(input)", "reason": str(exc).splitlines()[0]})
    message = "; ".join(f"{d['field']}: {d['reason']}" for d in details)
    return Invalid(code, message, {"errors": details})
