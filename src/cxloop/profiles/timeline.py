"""The customer's timeline in the 360 view: interactions with their analysed free text."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cxloop.journeys import queries as journeys
from cxloop.surveys import queries_answers as survey_answers
from cxloop.text import queries as text_queries
from cxloop.text import queries_answers as text_answers


def customer_timeline(
    session: Session,
    ws_id: int,
    refs: list[tuple[int, str]],
    sources: dict[int, str],
    pii: bool,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Interactions, newest first; free text as written only for roles with the PII permission.

    A survey response's text is analysed answer by answer: its item lists the open answers with
    their own sentiment and themes, and its sentiment is theirs if they agree, else ``mixed``.
    """
    items = journeys.timeline(session, ws_id, refs, limit=100)
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
