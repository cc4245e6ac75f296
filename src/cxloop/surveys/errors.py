"""Error codes of surveys."""

from __future__ import annotations

from cxloop.core.errors import AppError, Conflict, Forbidden, Invalid, NotFound, RateLimited


def survey_not_found(ref: object) -> NotFound:
    """No such survey visible to the caller."""
    return NotFound("survey.not_found", f"Survey {ref} not found.", {"id": str(ref)})


def version_not_found(survey_id: int, number: object) -> NotFound:
    """No such version of the survey."""
    return NotFound(
        "survey.version_not_found",
        f"Survey {survey_id} has no version {number}.",
        {"id": str(survey_id), "version": str(number)},
    )


def response_not_found(ref: object) -> NotFound:
    """No such response visible to the caller."""
    return NotFound("survey.response_not_found", f"Response {ref} not found.", {"id": str(ref)})


def link_invalid() -> NotFound:
    """The token matches no link (same answer for revoked ones, so tokens cannot be probed)."""
    return NotFound("survey.link_invalid", "This survey link is not valid.", {})


def link_expired() -> AppError:
    """The link's time is over."""
    return AppError("survey.link_expired", "This survey link has expired.", {}, 410)


def link_used() -> Conflict:
    """A single-use link already has its completed response."""
    return Conflict("survey.link_used", "This survey has already been answered with this link.")


def survey_closed() -> AppError:
    """The survey no longer takes responses."""
    return AppError("survey.closed", "This survey is closed.", {}, 410)


def not_active(status: str) -> Conflict:
    """Links and responses need an active survey."""
    return Conflict(
        "survey.not_active",
        f"The survey is {status}; publish it first.",
        {"status": status},
    )


def bad_status(current: str, wanted: str) -> Conflict:
    """A status change that is not allowed."""
    return Conflict(
        "survey.status",
        f"A {current} survey cannot become {wanted}.",
        {"status": current, "wanted": wanted},
    )


def invalid(field: str, reason: str, code: str = "survey.invalid") -> Invalid:
    """One field is not acceptable."""
    return Invalid(code, f"{field}: {reason}", {"errors": [{"field": field, "reason": reason}]})


def idempotency_conflict() -> Conflict:
    """The key was used before with a different request."""
    return Conflict(
        "survey.idempotency_conflict",
        "This Idempotency-Key was already used with a different request body.",
    )


def rate_limited(seconds: int) -> RateLimited:
    """Too many responses from one address on a public link."""
    return RateLimited(
        "survey.rate_limited",
        f"Too many responses from your address; try again in {seconds} s.",
        {"retry_after": seconds},
    )


def widget_key_not_found(ref: object) -> NotFound:
    """No such widget key in the caller's workspace."""
    return NotFound("widget.key_not_found", f"Widget key {ref} not found.", {"id": str(ref)})


def widget_key_invalid() -> Forbidden:
    """The public key is unknown or revoked."""
    return Forbidden("widget.key_invalid", "This widget key is not valid.", {})


def widget_origin_not_allowed(origin: str | None) -> Forbidden:
    """The page's origin is not one of the key's allowed origins (or none was sent)."""
    return Forbidden(
        "widget.origin_not_allowed",
        "This site is not allowed to send answers with this widget key.",
        {"origin": origin or ""},
    )


def widget_survey_not_allowed(survey: str) -> Forbidden:
    """The key does not collect for this survey."""
    return Forbidden(
        "widget.survey_not_allowed",
        f"This widget key does not collect answers for survey {survey}.",
        {"survey": survey},
    )
