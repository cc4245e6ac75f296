"""The customer's timeline in the 360 view: interactions with their analysed free text, a page at
a time, with a keyset cursor over ``(started_at, id)`` to read the older ones."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor
from cxloop.core.errors import Invalid, request_invalid
from cxloop.core.params import MAX_ID, parse_int
from cxloop.core.permissions import PROFILES_PII
from cxloop.journeys import queries as journeys
from cxloop.profiles import access
from cxloop.profiles.ingest.fields import CHANNELS
from cxloop.profiles.ingest.models import Source
from cxloop.profiles.models import CustomerRecord
from cxloop.surveys import queries_answers as survey_answers
from cxloop.text import queries as text_queries
from cxloop.text import queries_answers as text_answers

PAGE_360 = 100
"""How many of the newest interactions the 360 view carries."""
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Cursor = tuple[datetime, int]
_CURSOR_TEXT = re.compile(r"[A-Za-z0-9_-]{1,100}")


def _invalid(field: str, reason: str) -> Invalid:
    """A 422 shaped like a request validation error, naming the query parameter."""
    return request_invalid(field, reason, **{"in": "query", "type": f"{field}_invalid"})


def encode_cursor(started_at: datetime, interaction_id: int) -> str:
    """The opaque cursor that reads the interactions older than this one."""
    raw = f"{started_at.isoformat()}~{interaction_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """``(started_at, id)`` of a cursor from :func:`encode_cursor`; a 422 naming ``before``."""
    reason = "is not a timeline cursor (pass a next_before value unchanged)"
    if not _CURSOR_TEXT.fullmatch(text):
        raise _invalid("before", reason)
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        at_text, sep, id_text = raw.decode("ascii").partition("~")
        at = datetime.fromisoformat(at_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _invalid("before", reason) from exc
    last_id = parse_int(id_text, digits=19) if sep else None
    if at.tzinfo is None or last_id is None or not 1 <= last_id <= MAX_ID:
        raise _invalid("before", reason)
    return at, last_id


def check_channel(channel: str | None) -> str | None:
    """The channel filter if it names a channel interactions can have; a 422 otherwise."""
    if channel is not None and channel not in CHANNELS:
        raise _invalid("channel", f"must be one of {', '.join(CHANNELS)}")
    return channel


def timeline_page(
    session: Session,
    ws_id: int,
    refs: list[tuple[int, str]],
    sources: dict[int, str],
    pii: bool,
    lang: str = "en",
    before: Cursor | None = None,
    limit: int = DEFAULT_LIMIT,
    channel: str | None = None,
) -> dict[str, Any]:
    """One page of interactions, newest first, with the total, whether more are older and the
    cursor to read them (``next_before``)."""
    rows = journeys.timeline(session, ws_id, refs, limit + 1, before, channel)
    has_more = len(rows) > limit
    items = _with_text(session, ws_id, rows[:limit], sources, pii, lang)
    last = items[-1] if has_more else None
    return {
        "items": items,
        "total": journeys.timeline_count(session, ws_id, refs, channel),
        "has_more": has_more,
        "next_before": encode_cursor(last["started_at"], last["id"]) if last else None,
    }


def profile_timeline(
    session: Session,
    actor: Actor,
    profile_id: int,
    before: str | None = None,
    limit: int = DEFAULT_LIMIT,
    channel: str | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """A page of one customer's timeline, checked and masked as the 360 view is."""
    cursor = decode_cursor(before) if before is not None else None
    channel = check_channel(channel)
    profile = access.get_profile(session, actor, profile_id)
    ws_id = actor.workspace_id
    records = select(CustomerRecord.source_id, CustomerRecord.external_id).where(
        CustomerRecord.profile_id == profile.id
    )
    refs = [(s, r) for s, r in session.execute(records)]
    names = select(Source.id, Source.name).where(Source.workspace_id == ws_id)
    sources = {row.id: row.name for row in session.execute(names)}
    pii = actor.can(PROFILES_PII)
    return timeline_page(session, ws_id, refs, sources, pii, lang, cursor, limit, channel)


def _with_text(
    session: Session,
    ws_id: int,
    items: list[dict[str, Any]],
    sources: dict[int, str],
    pii: bool,
    lang: str,
) -> list[dict[str, Any]]:
    """Interactions with their free text as written only for roles with the PII permission.

    A survey response's text is analysed answer by answer: its item lists the open answers with
    their own sentiment and themes, and its sentiment is theirs if they agree, else ``mixed``.
    """
    survey_sources = set(survey_answers.survey_source_ids(session, ws_id))
    response_of = {
        i["id"]: int(i["context"]["response_id"])
        for i in items
        if i["source_id"] in survey_sources and isinstance(i["context"].get("response_id"), int)
    }
    answers = text_answers.answers_of_responses(
        session, ws_id, list(response_of.values()), pii, lang
    )
    enriched = text_queries.for_subjects(
        session, ws_id, "interaction", [i["id"] for i in items if i["text"]]
    )
    for item in items:
        item["source"] = sources[item.pop("source_id")]
        found = enriched.get(item["id"])  # a survey response's, only from before answers
        said = answers.get(response_of[item["id"]], []) if item["id"] in response_of else None
        item["answers"] = said
        item["sentiment"] = text_answers.overall(said or []) or (found or {}).get("sentiment")
        item["text_redacted"] = bool(item["text"]) and not pii
        if not item["text"] or pii:
            continue
        if said:  # the redacted answers, joined as the interaction joins them
            item["text"] = "\n\n".join(a["text"] for a in said)
        else:
            item["text"] = found["redacted"] if found else text_queries.redacted_now(item["text"])
    return items
