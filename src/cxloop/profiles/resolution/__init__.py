"""Identity resolution: normalisation, exact keys, Splink scoring and non-chaining clustering."""

from cxloop.profiles.resolution.engine import AUTO_THRESHOLD, REVIEW_THRESHOLD, resolve_full
from cxloop.profiles.resolution.incremental import resolve_incremental
from cxloop.profiles.resolution.normalize import (
    NameKeys,
    normalize_address,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    parse_birth_date,
)
from cxloop.profiles.resolution.records import (
    Link,
    ResolutionRecord,
    ResolutionResult,
    build_record,
    frame_to_records,
    records_to_frame,
)

__all__ = [
    "AUTO_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Link",
    "NameKeys",
    "ResolutionRecord",
    "ResolutionResult",
    "build_record",
    "frame_to_records",
    "normalize_address",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_postcode",
    "parse_birth_date",
    "records_to_frame",
    "resolve_full",
    "resolve_incremental",
]
