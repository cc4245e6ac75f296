"""Turning the builder's plain HTML form fields into definition data (and back). Pure.

Choices are edited as lines ``key | text in language 1 | text in language 2 …`` (in the order
of the survey's languages); skip logic as question + operator + value (``7`` for equals,
``a, b`` for in, ``0-6`` for a range).
"""

from __future__ import annotations

from typing import Any

from cxloop.core.errors import Invalid
from cxloop.core.params import parse_int
from cxloop.surveys.definition import CHOICE_TYPES


def _bad(field: str, reason: str) -> Invalid:
    return Invalid(
        "survey.invalid", f"{field}: {reason}", {"errors": [{"field": field, "reason": reason}]}
    )


def _whole(field: str, raw: str) -> int:
    value = parse_int(raw)
    if value is None:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise _bad(field, f"{shown!r} is not a whole number of at most 18 digits")
    return value


def _int(field: str, raw: str) -> int | None:
    raw = raw.strip()
    return _whole(field, raw) if raw else None


def _scalar(field: str, raw: str) -> int | str:
    """A number when it is written as one (``7``, ``-1``), else the text (a choice key)."""
    raw = raw.strip()
    return _whole(field, raw) if raw.lstrip("-").isdigit() else raw


def question_from_form(form: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """A question's definition data from the builder's form fields."""
    qtype = str(form.get("type", "")).strip()
    q: dict[str, Any] = {
        "key": str(form.get("key", "")).strip(),
        "type": qtype,
        "required": form.get("required") in ("on", "true", "1"),
        "text": {lang: str(form.get(f"text_{lang}", "")).strip() for lang in languages},
    }
    if qtype in CHOICE_TYPES:
        choices = []
        for n, line in enumerate(str(form.get("choices", "")).splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != len(languages) + 1:
                raise _bad(
                    f"choices line {n}",
                    f"needs a key and {len(languages)} texts separated by | "
                    f"({', '.join(languages)})",
                )
            choices.append({"key": parts[0], "text": dict(zip(languages, parts[1:], strict=True))})
        q["choices"] = choices
    if qtype == "rating":
        q["scale_min"] = _int("scale_min", str(form.get("scale_min", "")))
        q["scale_max"] = _int("scale_max", str(form.get("scale_max", "")))
    if qtype == "text":
        length = _int("max_length", str(form.get("max_length", "")))
        if length is not None:
            q["max_length"] = length
    source = str(form.get("show_question", "")).strip()
    if source:
        op = str(form.get("show_op", "equals")).strip()
        raw = str(form.get("show_value", ""))
        cond: dict[str, Any] = {"question": source, "op": op}
        if op == "in":
            cond["values"] = [_scalar("show_value", v) for v in raw.split(",") if v.strip()]
        elif op == "range":
            low, sep, high = raw.replace("..", "-").partition("-")
            if not sep:
                raise _bad("show_value", "a range is written low-high, e.g. 0-6")
            cond["min"], cond["max"] = _int("show_value", low), _int("show_value", high)
        else:
            cond["value"] = _scalar("show_value", raw)
        q["show_if"] = cond
    return {k: v for k, v in q.items() if v is not None}


def choices_text(q: dict[str, Any], languages: list[str]) -> str:
    """The choices of a question as the builder's textarea shows them."""
    return "\n".join(
        " | ".join([c["key"], *(c["text"].get(lang, "") for lang in languages)])
        for c in q.get("choices", [])
    )


def condition_value(cond: dict[str, Any] | None) -> str:
    """A condition's value as the builder's text field shows it."""
    if not cond:
        return ""
    if cond.get("op") == "in":
        return ", ".join(str(v) for v in cond.get("values") or [])
    if cond.get("op") == "range":
        low, high = cond.get("min"), cond.get("max")
        return f"{'' if low is None else low}-{'' if high is None else high}"
    return str(cond.get("value", ""))
