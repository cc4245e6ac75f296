"""Whole responses through survey links, written in groups (group commit).

Written one by one, a submission costs a dozen statements and most of its time is spent in the
ORM and the round trips, not in the database. So requests hand their submission to one writer
thread per process, which takes everything queued so far (up to ``MAX_GROUP``) and writes it in
one transaction with one statement per table; each request is answered only after that commit,
so a 201 still means stored. Every check of the one-by-one path applies to each submission: a bad
one gets its own error and the others are written. If a whole group fails (a race with a web
respondent on PostgreSQL, say), its submissions are written again one by one through
``collect.submit_with_link``, the reference path, in transactions of their own.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cxloop.core import clock, jobs
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError
from cxloop.journeys import service as journeys
from cxloop.surveys import collect, errors, links, tracking
from cxloop.surveys.links import LinkState
from cxloop.surveys.logic import Answer, AnswerError, check_complete
from cxloop.surveys.models import SurveyLink, SurveyResponse
from cxloop.text import service as text_service

log = logging.getLogger(__name__)
MAX_GROUP = 64


@dataclass(frozen=True)
class Submission:
    """A whole response as a respondent sent it with their link."""

    token: str
    answers: dict[str, Any]
    language: str | None = None
    accept_language: str | None = None
    ip: str | None = None


@dataclass(frozen=True)
class Stored:
    """A stored, completed response."""

    id: int
    status: str
    language: str


Outcome = Stored | AppError


@dataclass
class _Ready:
    index: int
    state: LinkState
    language: str
    answers: dict[str, Answer]
    response: SurveyResponse | None = None


def _checked(state: LinkState, sub: Submission) -> _Ready | AppError:
    try:
        answers = check_complete(state.definition, sub.answers)
        collect.limit(state, sub.ip)
    except AnswerError as exc:
        return errors.invalid(f"answers.{exc.field}", exc.reason, "survey.answer_invalid")
    except AppError as exc:
        return exc
    language = links.respondent_language(
        state.definition, sub.language, None, state.link, sub.accept_language
    )
    return _Ready(-1, state, language, answers)  # check_complete refused hidden answers


def write_group(session: Session, subs: list[Submission]) -> list[Outcome]:
    """Write submissions in the caller's transaction; one outcome per submission, in order."""
    out: list[Outcome | None] = [None] * len(subs)
    rows = links.link_rows(session, [s.token for s in subs])
    ready: list[_Ready] = []
    claimed: set[int] = set()
    for i, sub in enumerate(subs):
        try:
            state = links.check_link(rows.get(sub.token))
        except AppError as exc:
            out[i] = exc
            continue
        if state.personal and state.link.id in claimed:  # the same link twice in one group
            out[i] = errors.link_used()
            continue
        item = _checked(state, sub)
        if isinstance(item, AppError):
            out[i] = item
            continue
        item.index = i
        ready.append(item)
        if state.personal:
            claimed.add(state.link.id)
    resumed = _started(session, claimed)
    fresh = [r for r in ready if not (r.state.personal and r.state.link.id in resumed)]
    won = _claim(session, {r.state.link.id for r in fresh if r.state.personal})
    for r in fresh:
        if r.state.personal and r.state.link.id not in won:
            out[r.index] = errors.link_used()
    written = [r for r in fresh if out[r.index] is None]
    _write(session, written)
    for r in written:
        assert r.response is not None
        out[r.index] = Stored(r.response.id, r.response.status, r.response.language)
    for r in ready:
        if r.state.personal and r.state.link.id in resumed:  # a web respondent began it: rare
            out[r.index] = _resume(session, r, subs[r.index])
    return [o if o is not None else errors.link_invalid() for o in out]


def _started(session: Session, link_ids: set[int]) -> set[int]:
    """Personal links whose response a web respondent already started."""
    if not link_ids:
        return set()
    found = session.scalars(
        select(SurveyResponse.single_use_link_id).where(
            SurveyResponse.single_use_link_id.in_(link_ids)
        )
    )
    return {i for i in found if i is not None}


def _claim(session: Session, link_ids: set[int]) -> set[int]:
    """Mark personal links used in one UPDATE; the ones this transaction won."""
    if not link_ids:
        return set()
    won = session.scalars(
        update(SurveyLink)
        .where(SurveyLink.id.in_(link_ids), SurveyLink.used_at.is_(None))
        .values(used_at=clock.now())
        .returning(SurveyLink.id)
        .execution_options(synchronize_session=False)
    )
    return set(won)


def _write(session: Session, items: list[_Ready]) -> None:
    """Insert the responses, answers, interactions and jobs of the group."""
    if not items:
        return
    t = clock.now()
    for r in items:
        link = r.state.link
        r.response = SurveyResponse(
            workspace_id=link.workspace_id,
            survey_id=link.survey_id,
            version_id=r.state.version.id,
            link_id=link.id,
            single_use_link_id=link.id if r.state.personal else None,
            resume_hash=None,
            profile_id=link.profile_id,
            channel=link.channel,
            location=link.location,
            language=r.language,
            status="completed",
            passed=[],
            started_at=t,
            updated_at=t,
            completed_at=t,
        )
    session.add_all([r.response for r in items if r.response is not None])
    session.flush()  # one INSERT … RETURNING for the group: the ids name the interactions
    answer_rows: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    events: list[tuple[int | None, dict[str, Any]]] = []
    for r in items:
        assert r.response is not None
        answer_rows += collect.answer_rows(r.response, r.state.definition, r.answers, t)
        survey = (r.state.survey_name, r.state.source_id)
        interaction, event = collect.completion(
            r.response, r.state.version, r.state.definition, r.answers, survey,
            collect.customer_of(r.state.link),
        )  # fmt: skip
        r.response.interaction_external_id = interaction["external_id"]
        interactions.append(interaction)
        events.append((r.response.workspace_id, event))
    collect.insert_answers(session, answer_rows)
    journeys.record_interactions(session, interactions)
    with_text: dict[int, list[int]] = {}
    for r, values in zip(items, interactions, strict=True):
        if values["text"] and r.response is not None:  # each open answer analysed on its own
            with_text.setdefault(r.response.workspace_id, []).append(r.response.id)
    for workspace_id, response_ids in with_text.items():
        text_service.queue_enrichment(session, workspace_id, response_ids=response_ids)
    jobs.enqueue_many(session, collect.EVENT, events)
    tracking.responses_completed(session, [r.state.link.id for r in items if r.state.personal])


def _resume(session: Session, r: _Ready, sub: Submission) -> Outcome:
    """Complete a personal link's response begun on the web, through the reference path."""
    try:
        with session.begin_nested():
            response = collect.submit_with_link(session, r.state, sub.answers, r.language, sub.ip)
    except AnswerError as exc:
        return errors.invalid(f"answers.{exc.field}", exc.reason, "survey.answer_invalid")
    except AppError as exc:
        return exc
    return Stored(response.id, response.status, response.language)


def write_alone(sub: Submission) -> Outcome:
    """Write one submission in a transaction of its own through the reference path."""
    try:
        with unit_of_work() as session:
            state = links.open_link(session, sub.token)
            language = links.respondent_language(
                state.definition, sub.language, None, state.link, sub.accept_language
            )
            response = collect.submit_with_link(session, state, sub.answers, language, sub.ip)
            return Stored(response.id, response.status, response.language)
    except AnswerError as exc:
        return errors.invalid(f"answers.{exc.field}", exc.reason, "survey.answer_invalid")
    except AppError as exc:
        return exc


class GroupWriter:
    """The process's writer thread for whole responses through links."""

    def __init__(self, max_group: int = MAX_GROUP) -> None:
        self.max_group = max_group
        self._queue: queue.SimpleQueue[tuple[Submission, Future[Outcome]]] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, sub: Submission) -> Future[Outcome]:
        """Queue a submission; the future resolves after its group commits."""
        future: Future[Outcome] = Future()
        self._queue.put((sub, future))
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="cxloop-survey-writer", daemon=True
                    )
                    self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < self.max_group:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(group)
            except BaseException as exc:  # never leave a submitter waiting, never stop
                log.exception("the survey writer failed on a group")
                for _sub, future in group:
                    if not future.done():
                        future.set_exception(exc)

    def _write(self, group: list[tuple[Submission, Future[Outcome]]]) -> None:
        subs = [s for s, _ in group]
        outcomes: list[Outcome]
        try:
            with unit_of_work() as session:
                outcomes = write_group(session, subs)
        except Exception:
            log.warning("a group of %d responses failed; writing them one by one", len(subs))
            outcomes = []
            for sub, future in group:
                try:
                    outcomes.append(write_alone(sub))
                except Exception as exc:  # answered as a server error, the rest still written
                    future.set_exception(exc)
                    outcomes.append(exc)  # type: ignore[arg-type]
        for (_sub, future), outcome in zip(group, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


WRITER = GroupWriter()
