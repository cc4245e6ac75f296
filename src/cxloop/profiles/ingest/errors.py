"""Error codes of ingest."""

from __future__ import annotations

from cxloop.core.errors import Conflict, Invalid, NotFound, TooLarge, Unauthenticated


def source_not_found(ref: object) -> NotFound:
    """No such source in the caller's workspace."""
    return NotFound("source.not_found", f"Source {ref!r} not found.", {"source": str(ref)})


def source_exists(name: str) -> Conflict:
    """A source with this name exists."""
    return Conflict("source.exists", f"A source named {name!r} already exists.", {"name": name})


def invalid(field: str, reason: str, **data: object) -> Invalid:
    """A field of a request is invalid."""
    return Invalid(
        "ingest.invalid", f"{field}: {reason}", {"field": field, "reason": reason, **data}
    )


def file_problem(reason: str, line: int | None) -> Invalid:
    """The file cannot be read as a whole."""
    where = f"line {line}: " if line else ""
    return Invalid("ingest.file", f"{where}{reason}", {"line": line, "reason": reason})


def too_many_records(count: int, limit: int) -> TooLarge:
    """A REST batch holds more records than allowed."""
    return TooLarge(
        "ingest.too_many_records",
        f"The batch has {count:,} records; the limit is {limit:,}. Split it or upload a file.",
        {"count": count, "limit": limit},
    )


def batch_not_found(ref: object) -> NotFound:
    """No such batch visible to the caller."""
    return NotFound("batch.not_found", f"Batch {ref} not found.", {"batch": str(ref)})


def rejected_not_found(ref: object) -> NotFound:
    """No such rejected record visible to the caller."""
    return NotFound("rejected.not_found", f"Rejected record {ref} not found.", {"id": str(ref)})


def signature(reason: str) -> Unauthenticated:
    """A webhook signature is missing, wrong or outside the time window."""
    return Unauthenticated("webhook.signature", f"Webhook rejected: {reason}.", {"reason": reason})


def batch_in_progress(batch_id: int, key: str) -> Conflict:
    """A batch with this idempotency key is being stored right now (a retry came too soon)."""
    return Conflict(
        "batch.in_progress",
        f"Batch {batch_id} (idempotency key {key!r}) is still being stored: send it again "
        f"once it has finished, or read its report at /api/v1/batches/{batch_id}.",
        {"batch": batch_id},
    )
