"""A survey definition: its shape (pydantic), the rules a valid one follows, its estimated time.

Pure: no database. A definition is stored as one JSON document per survey version, so the
version a response answered is exactly what the respondent saw. ``check`` returns every problem
at once, each naming the field (``questions[2].text``) and the reason.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxloop.core.errors import Invalid
from cxloop.core.i18n import LANGUAGES
from cxloop.core.params import Text

QuestionType = Literal["nps", "csat", "ces", "rating", "single", "multiple", "text"]
Lang = Literal["en", "zh-Hant", "zh-Hans", "th"]
LangText = dict[Lang, Text]
Key = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]

SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SCALE_TYPES = ("nps", "csat", "ces", "rating")
CHOICE_TYPES = ("single", "multiple")
# Seconds a respondent needs per question, from the usual survey-methodology rules of thumb:
# a scale is read and tapped in ~7 s, a choice list needs reading its options, and an open
# answer is typed on a phone (a sentence or two).
SECONDS = {
    "nps": 7,
    "csat": 6,
    "ces": 6,
    "rating": 6,
    "single": 8,
    "multiple": 12,
    "text": 30,
}
INTRO_SECONDS = 5
WARN_QUESTIONS = 5
WARN_OPEN = 3
# Piping: ``{{name}}`` or ``{{name|fallback}}``; only these names exist, nothing is evaluated.
PIPE_FIELDS = ("first_name", "last_name", "full_name", "product", "tier", "location")
PLACEHOLDER = re.compile(r"\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}")


class Condition(BaseModel):
    """Show a question only if an earlier answer matches: equals, in, or a range."""

    model_config = ConfigDict(extra="forbid")

    question: Key
    op: Literal["equals", "in", "range"]
    value: int | Text | None = None
    values: list[int | Text] | None = Field(default=None, max_length=100)
    min: int | None = None
    max: int | None = None


class Choice(BaseModel):
    """One option of a choice question."""

    model_config = ConfigDict(extra="forbid")

    key: Key
    text: LangText


class Question(BaseModel):
    """One question of a survey."""

    model_config = ConfigDict(extra="forbid")

    key: Key
    type: QuestionType
    text: LangText
    required: bool = True
    choices: list[Choice] = Field(default_factory=list, max_length=50)
    scale_min: int | None = Field(default=None, ge=0, le=10)
    scale_max: int | None = Field(default=None, ge=1, le=10)
    low_label: LangText | None = None
    high_label: LangText | None = None
    max_length: int = Field(default=2000, ge=1, le=10_000)
    show_if: Condition | None = None

    def scale(self) -> tuple[int, int]:
        """The lowest and highest score of a scale question."""
        if self.type in SCALES:
            return SCALES[self.type]
        return (
            self.scale_min if self.scale_min is not None else 1,
            self.scale_max if self.scale_max is not None else 5,
        )


class Definition(BaseModel):
    """Everything a respondent sees: texts in every offered language and the questions."""

    model_config = ConfigDict(extra="forbid")

    languages: list[Lang] = Field(min_length=1, max_length=len(LANGUAGES))
    default_language: Lang
    title: LangText
    intro: LangText | None = None
    thank_you: LangText
    questions: list[Question] = Field(min_length=1, max_length=50)


def parse(data: Any, prefix: str = "") -> Definition:
    """A checked definition from plain data, else ``Invalid`` listing every field and reason."""
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "field": _field(prefix, err.get("loc", ())),
                "reason": str(err.get("msg", "invalid")),
            }
            for err in exc.errors()
        ]
        raise invalid_errors(errors) from exc
    errors = [{"field": prefix + f, "reason": r} for f, r in problems(definition)]
    if errors:
        raise invalid_errors(errors)
    return definition


def _field(prefix: str, loc: tuple[Any, ...] | list[Any]) -> str:
    out = prefix.rstrip(".")
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(definition)"


def invalid_errors(errors: list[dict[str, str]]) -> Invalid:
    """The error listing every field and reason of a definition."""
    message = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:10])
    if len(errors) > 10:
        message += f" (and {len(errors) - 10} more)"
    return Invalid("survey.invalid", message, {"errors": errors})


def problems(d: Definition) -> list[tuple[str, str]]:
    """Every rule a parsed definition breaks, as ``(field, reason)``."""
    out: list[tuple[str, str]] = []
    if d.default_language not in d.languages:
        out.append(("default_language", f"{d.default_language!r} is not one of the languages"))
    if len(set(d.languages)) != len(d.languages):
        out.append(("languages", "a language is listed twice"))
    offered = ", ".join(d.languages)

    def texts(field: str, value: LangText | None, required: bool = True) -> None:
        if value is None:
            if required:
                out.append((field, "is required"))
            return
        for want in d.languages:
            if not (value.get(want) or "").strip():
                out.append(
                    (field, f"the {want!r} text is missing (the survey is offered in {offered})")
                )
        for extra in value:
            if extra not in d.languages:
                out.append(
                    (field, f"has a {extra!r} text but the survey is not offered in {extra!r}")
                )
        for lang, text in value.items():
            for reason in placeholder_problems(text):
                out.append((f"{field}.{lang}", reason))

    texts("title", d.title)
    texts("intro", d.intro, required=False)
    texts("thank_you", d.thank_you)
    seen: dict[str, Question] = {}
    for i, q in enumerate(d.questions):
        at = f"questions[{i}]"
        if q.key in seen:
            out.append((f"{at}.key", f"{q.key!r} is used by an earlier question"))
        texts(f"{at}.text", q.text)
        texts(f"{at}.low_label", q.low_label, required=False)
        texts(f"{at}.high_label", q.high_label, required=False)
        out += _shape_problems(at, q, texts)
        if q.show_if is not None:
            out += [(f"{at}.show_if.{f}", r) for f, r in _condition_problems(q.show_if, seen)]
        seen[q.key] = q
    return out


def _shape_problems(at: str, q: Question, texts: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if q.type in CHOICE_TYPES:
        if len(q.choices) < 2:
            out.append((f"{at}.choices", f"a {q.type} choice question needs at least 2 choices"))
        keys = [c.key for c in q.choices]
        if len(set(keys)) != len(keys):
            out.append((f"{at}.choices", "two choices have the same key"))
        for j, c in enumerate(q.choices):
            texts(f"{at}.choices[{j}].text", c.text)
    elif q.choices:
        out.append((f"{at}.choices", f"a {q.type} question has no choices"))
    if q.type == "rating":
        low, high = q.scale()
        if high <= low:
            out.append((f"{at}.scale_max", "must be greater than scale_min"))
    elif q.scale_min is not None or q.scale_max is not None:
        reason = "only rating questions have a configurable scale"
        if q.type in SCALES:
            reason += f" ({q.type.upper()} is {SCALES[q.type][0]}–{SCALES[q.type][1]})"
        out.append((f"{at}.scale_min", reason))
    return out


def _condition_problems(c: Condition, earlier: dict[str, Question]) -> list[tuple[str, str]]:
    source = earlier.get(c.question)
    if source is None:
        return [("question", f"{c.question!r} is not an earlier question")]
    if source.type == "text":
        return [("question", "skip logic cannot depend on an open text answer")]
    valid: set[Any]
    if source.type in CHOICE_TYPES:
        valid = {ch.key for ch in source.choices}
        if c.op == "range":
            return [("op", "range applies to scale questions, not choices")]
    else:
        low, high = source.scale()
        valid = set(range(low, high + 1))
    if c.op == "equals":
        if c.value is None or c.value not in valid or isinstance(c.value, bool):
            return [("value", f"must be one of the answers of {c.question!r}")]
    elif c.op == "in":
        if not c.values or any(v not in valid or isinstance(v, bool) for v in c.values):
            return [("values", f"must list answers of {c.question!r}")]
    else:
        low, high = source.scale()
        if c.min is None and c.max is None:
            return [("min", "a range needs min, max or both")]
        if (c.min if c.min is not None else low) > (c.max if c.max is not None else high):
            return [("max", "must not be below min")]
    return []


def placeholder_problems(text: str) -> list[str]:
    """Reasons a text's ``{{...}}`` placeholders are not acceptable."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        if m.group(1) not in PIPE_FIELDS:
            out.append(
                f"unknown placeholder {{{{{m.group(1)}}}}} (known: {', '.join(PIPE_FIELDS)})"
            )
    return out


def pipe(text: str, values: dict[str, str]) -> str:
    """Substitute ``{{field}}`` / ``{{field|fallback}}`` with plain values (never evaluated)."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in PIPE_FIELDS:
            return m.group(0)  # not a placeholder (definitions refuse them anyway)
        value = values.get(m.group(1), "")
        return value if value else (m.group(2) or "").strip()

    return PLACEHOLDER.sub(sub, text)


def estimate(d: Definition) -> dict[str, Any]:
    """Seconds to complete (every question shown) and the builder's warnings (never blocking)."""
    seconds = INTRO_SECONDS + sum(SECONDS[q.type] for q in d.questions)
    open_count = sum(1 for q in d.questions if q.type == "text")
    warnings = []
    if len(d.questions) > WARN_QUESTIONS:
        warnings.append(
            {
                "code": "survey.many_questions",
                "count": len(d.questions),
                "limit": WARN_QUESTIONS,
                "message": f"{len(d.questions)} questions: surveys above {WARN_QUESTIONS} "
                "lose respondents",
            }
        )
    if open_count > WARN_OPEN:
        warnings.append(
            {
                "code": "survey.many_open",
                "count": open_count,
                "limit": WARN_OPEN,
                "message": f"{open_count} open questions: above {WARN_OPEN} respondents tire",
            }
        )
    return {"seconds": seconds, "minutes": round(seconds / 60, 1), "warnings": warnings}
