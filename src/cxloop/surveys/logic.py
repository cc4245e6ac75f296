"""Answering a definition: checking one answer, skip logic, progress and the scores. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxloop.surveys.definition import CHOICE_TYPES, SCALE_TYPES, Condition, Definition, Question

Answer = int | str | list[str]


class AnswerError(ValueError):
    """An answer that does not fit its question (``field`` names the question)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def coerce(q: Question, raw: Any) -> Answer | None:
    """The answer to ``q`` from JSON or a form value; None for a skipped optional question."""
    if raw is None or raw == "" or raw == []:
        return None
    if q.type in SCALE_TYPES:
        if isinstance(raw, bool):
            raise AnswerError(q.key, "must be a whole number")
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            raise AnswerError(q.key, "must be a whole number") from None
        low, high = q.scale()
        if not low <= value <= high:
            raise AnswerError(q.key, f"must be between {low} and {high}")
        return value
    if q.type in CHOICE_TYPES:
        keys = {c.key for c in q.choices}
        values = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, str) for v in values):
            raise AnswerError(q.key, "choices are given by their keys")
        unknown = [v for v in values if v not in keys]
        if unknown:
            raise AnswerError(q.key, f"unknown choice {unknown[0]!r} (choices: {', '.join(keys)})")
        if q.type == "single":
            if len(values) != 1:
                raise AnswerError(q.key, "takes exactly one choice")
            return str(values[0])
        return [c.key for c in q.choices if c.key in set(values)]  # the definition's order
    if not isinstance(raw, str):
        raise AnswerError(q.key, "must be text")
    text = raw.strip()
    if "\x00" in text:
        raise AnswerError(q.key, "contains a NUL character, which cannot be stored")
    if len(text) > q.max_length:
        raise AnswerError(q.key, f"is longer than {q.max_length} characters")
    return text or None


def matches(c: Condition, answer: Answer | None) -> bool:
    """Whether an earlier answer satisfies a condition (no answer never does)."""
    if answer is None:
        return False
    given = answer if isinstance(answer, list) else [answer]
    if c.op == "equals":
        return c.value in given
    if c.op == "in":
        return any(v in (c.values or []) for v in given)
    if not isinstance(answer, int):
        return False
    return (c.min is None or answer >= c.min) and (c.max is None or answer <= c.max)


def visible(d: Definition, answers: dict[str, Answer]) -> list[Question]:
    """The questions shown given the answers so far (conditions point only backwards)."""
    shown: list[Question] = []
    shown_keys: set[str] = set()
    for q in d.questions:
        c = q.show_if
        if c is None or (c.question in shown_keys and matches(c, answers.get(c.question))):
            shown.append(q)
            shown_keys.add(q.key)
    return shown


@dataclass(frozen=True)
class Progress:
    """Where a respondent is: the next question, how many are done of how many are shown."""

    next: Question | None
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Share of the shown questions already answered, in whole percent."""
        return round(100 * self.done / self.total) if self.total else 100


def progress(d: Definition, answers: dict[str, Answer], seen: set[str]) -> Progress:
    """The first shown question not yet answered (or passed, if optional) and the count."""
    shown = visible(d, answers)
    done = sum(1 for q in shown if q.key in answers or q.key in seen)
    nxt = next((q for q in shown if q.key not in answers and q.key not in seen), None)
    return Progress(nxt, done, len(shown))


def check_complete(d: Definition, answers: dict[str, Any]) -> dict[str, Answer]:
    """A whole response checked at once: coerced answers of the shown questions only."""
    unknown = [k for k in answers if k not in {q.key for q in d.questions}]
    if unknown:
        raise AnswerError(unknown[0], "is not a question of this survey version")
    clean: dict[str, Answer] = {}
    for q in d.questions:
        if q.key not in answers:
            continue
        value = coerce(q, answers[q.key])
        if value is not None:
            clean[q.key] = value
    shown = visible(d, clean)
    shown_keys = {q.key for q in shown}
    hidden = [k for k in clean if k not in shown_keys]
    if hidden:
        raise AnswerError(hidden[0], "is hidden by the skip logic for these answers")
    for q in shown:
        if q.required and q.key not in clean:
            raise AnswerError(q.key, "is required")
    return clean


def scores(d: Definition, answers: dict[str, Answer]) -> dict[str, Any]:
    """Scores for the journey and later maths: each scale answer, and the NPS category."""
    out: dict[str, Any] = {}
    for q in d.questions:
        value = answers.get(q.key)
        if q.type in SCALE_TYPES and isinstance(value, int):
            out[q.key] = {"type": q.type, "value": value, "scale": list(q.scale())}
            if q.type == "nps":
                out[q.key]["category"] = (
                    "promoter" if value >= 9 else "passive" if value >= 7 else "detractor"
                )
    return out


def open_text(d: Definition, answers: dict[str, Answer]) -> str | None:
    """The open-text answers joined (blank line between), for text analytics."""
    parts = [str(answers[q.key]) for q in d.questions if q.type == "text" and answers.get(q.key)]
    return "\n\n".join(parts) or None
