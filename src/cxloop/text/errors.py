"""Error codes of the text domain."""

from __future__ import annotations

from cxloop.core.errors import Conflict, Invalid, NotFound


def theme_not_found(ref: object) -> NotFound:
    """No such theme in the caller's workspace."""
    return NotFound("text.theme_not_found", f"Theme {ref} not found.", {"id": str(ref)})


def enrichment_not_found(ref: object) -> NotFound:
    """No such analysed comment in the caller's workspace."""
    return NotFound("text.comment_not_found", f"Comment {ref} not found.", {"id": str(ref)})


def theme_inactive(ref: object, status: str) -> Conflict:
    """The theme was merged away and cannot be changed any more."""
    return Conflict(
        "text.theme_merged",
        f"Theme {ref} was merged into another theme; change that one instead.",
        {"id": str(ref), "status": status},
    )


def invalid(field: str, reason: str) -> Invalid:
    """One field of the request is not acceptable."""
    return Invalid(
        "text.invalid", f"{field}: {reason}", {"errors": [{"field": field, "reason": reason}]}
    )


def too_few_labels(have: int, need: int, classes: int) -> Invalid:
    """Retraining needs more labelled comments (and both thumbs up and down)."""
    return Invalid(
        "text.too_few_labels",
        f"Retraining needs at least {need} labelled comments with at least two different "
        f"sentiments; this workspace has {have} labelled comments in {classes} sentiment(s). "
        "Label more comments with thumbs up or down first.",
        {"labels": have, "needed": need, "sentiments": classes},
    )
