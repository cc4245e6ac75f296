"""Resolving a survey link's token into what the respondent may answer (reads only).

A token is a credential: it is hashed before any lookup and never logged. Unknown and revoked
tokens get the same answer, so the API cannot be used to probe which tokens existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.core import clock
from cxloop.core.crypto import sha256_hex
from cxloop.core.i18n import normalize_language
from cxloop.surveys import access, errors
from cxloop.surveys.definition import Definition
from cxloop.surveys.logic import Answer
from cxloop.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
    SurveyVersion,
)


@dataclass
class LinkState:
    """A valid link with its survey, the version it answers and that version's definition."""

    link: SurveyLink
    survey_name: str
    source_id: int
    version: SurveyVersion
    definition: Definition

    @property
    def personal(self) -> bool:
        """Whether the link is single-use for one customer."""
        return self.link.kind == "personal"


def open_link(session: Session, secret: str, allow_used: bool = False) -> LinkState:
    """The link of a token, else a clear error: invalid (404), expired or closed (410),
    already answered (409, unless ``allow_used`` — the thank-you page)."""
    if not secret or len(secret) > 200:
        raise errors.link_invalid()
    row = session.execute(
        select(SurveyLink, Survey.status, Survey.name, Survey.source_id, SurveyVersion)
        .join(Survey, Survey.id == SurveyLink.survey_id)
        .join(
            SurveyVersion,
            SurveyVersion.id == func.coalesce(SurveyLink.version_id, Survey.current_version_id),
        )
        .where(SurveyLink.token_hash == sha256_hex(secret))
    ).first()
    if row is None:
        raise errors.link_invalid()
    link, status, name, source_id, version = row
    if link.revoked_at is not None or status == "draft" or source_id is None:
        raise errors.link_invalid()
    if link.kind == "personal" and link.used_at is not None and not allow_used:
        raise errors.link_used()
    if status == "closed":
        raise errors.survey_closed()
    if link.expires_at is not None and link.expires_at <= clock.now():
        raise errors.link_expired()
    return LinkState(link, name, source_id, version, access.definition_of(version))


def response_for(session: Session, state: LinkState, resume: str | None) -> SurveyResponse | None:
    """The response in progress: the personal link's one, or the browser's on a public link."""
    if state.personal:
        return session.scalar(
            select(SurveyResponse).where(SurveyResponse.single_use_link_id == state.link.id)
        )
    if not resume or len(resume) > 200:
        return None
    return session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.resume_hash == sha256_hex(resume),
            SurveyResponse.link_id == state.link.id,
            SurveyResponse.status == "partial",
        )
    )


def stored_answers(session: Session, response: SurveyResponse | None) -> dict[str, Answer]:
    """The answers saved so far, by question key."""
    if response is None:
        return {}
    rows = session.execute(
        select(SurveyAnswer.question_key, SurveyAnswer.value).where(
            SurveyAnswer.response_id == response.id
        )
    )
    return dict(rows.all())


def respondent_language(
    d: Definition,
    explicit: str | None,
    response: SurveyResponse | None,
    link: SurveyLink,
    accept_language: str | None,
) -> str:
    """The language to show: the switcher's choice, the response's, the customer's profile
    language, the browser's first offered language, else the survey's default."""
    for candidate in (explicit, response.language if response else None, link.language):
        lang = normalize_language(candidate)
        if lang in d.languages:
            return lang
    if accept_language:
        ranked = []
        for i, part in enumerate(accept_language.split(",")[:20]):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            ranked.append((-weight, i, tag))
        for _w, _i, tag in sorted(ranked):
            lang = normalize_language(tag)
            if lang in d.languages:
                return lang
    return d.default_language
