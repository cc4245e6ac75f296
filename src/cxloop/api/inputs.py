"""Refuse text no column can store, and files where text belongs, before any handler runs.

PostgreSQL text cannot hold U+0000 and SQLite truncates at it in places, so a NUL anywhere in
a request is answered with a 422 naming where it was. JSON bodies are covered field by field
by the ``Text`` type (``cxloop.core.params``); uploaded files are not touched here, because
ingest rejects such rows one by one and keeps the rest.

A lone UTF-16 surrogate (U+D800..U+DFFF) is not valid Unicode: no encoder writes it, so once
stored it made every later read a server error. Python's JSON parser, which FastAPI uses for
request bodies, accepts one as ``"\\ud800"`` or as its UTF-8-style bytes, and a multipart form
may name a charset (UTF-7) that decodes to one. URLs and URL-encoded forms cannot carry one:
they are decoded as UTF-8 with replacement characters.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.params import File
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile

from cxloop.core.errors import Invalid, request_invalid

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_NUL = "contains a NUL character (\\u0000), which cannot be stored"
_SURROGATE = re.compile("[\ud800-\udfff]")
# what a body must hold for the JSON parser to produce a surrogate: an escape of one, or the
# three bytes a UTF-8 encoder would have written for one (decoded with "surrogatepass")
_SURROGATE_HINT = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def _refuse(where: str, reason: str, place: str | None = None) -> Invalid:
    return request_invalid(where, reason, **({} if place is None else {"in": place}))


def _lone_surrogate(text: str) -> str | None:
    """Why ``text`` cannot be stored when it holds an unpaired surrogate, else None."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    escape = f"\\u{ord(found.group()):04x}"
    return f"contains an unpaired UTF-16 surrogate ({escape}), which is not valid Unicode"


def _printable(text: str) -> str:
    """``text`` with NULs dropped and surrogates spelled as escapes (an error must be JSON)."""
    return text.replace("\x00", "").encode("utf-8", "backslashreplace").decode("utf-8")


async def check_request(request: Request) -> None:
    """Raise a 422 when the URL or body holds a NUL or a lone surrogate, or a form a stray file."""
    if "\x00" in request.url.path:
        raise _refuse("path", _NUL)
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise _refuse(f"query.{_printable(key)}", _NUL)
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(_FORM_TYPES):
        await _check_form(request)
    elif _parsed_as_json(request, content_type):
        await _check_json(request)


async def _check_form(request: Request) -> None:
    form = await request.form()
    files: set[str] | None = None
    for key, item in form.multi_items():
        where = f"form.{_printable(key)}"
        if isinstance(item, UploadFile):
            files = _file_fields(request) if files is None else files
            if key not in files:
                raise _refuse(where, "is a file, but this field takes text")
            name = item.filename or ""
            reason = _NUL if "\x00" in name else _lone_surrogate(name)
            if reason is not None:
                raise _refuse(where, f"its file name {reason}")
            continue
        if "\x00" in key or "\x00" in item:
            raise _refuse(where, _NUL)
        reason = _lone_surrogate(key + item)
        if reason is not None:
            raise _refuse(where, reason)


def _file_fields(request: Request) -> set[str]:
    """The form fields the matched route declares as files (``File()`` parameters)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return set()
    names: set[str] = set()
    pending: list[Dependant] = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(f.alias for f in dependant.body_params if isinstance(f.field_info, File))
        pending.extend(dependant.dependencies)
    return names


def _parsed_as_json(request: Request, content_type: str) -> bool:
    """Whether FastAPI parsed this request's body with Python's JSON parser.

    Endpoints that read the raw body parse it with orjson or pydantic, which refuse lone
    surrogates themselves (and answer with their own headers, such as the widget's CORS).
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return False
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def _check_json(request: Request) -> None:
    body = await request.body()
    utf8 = b"\x00" not in body[:4] and body[:2] not in (b"\xff\xfe", b"\xfe\xff")
    if utf8 and _SURROGATE_HINT.search(body) is None:
        return
    try:
        value = await request.json()  # FastAPI's own parse, cached by Starlette
    except (ValueError, RecursionError):
        return  # not parsed by FastAPI after all (a form route sent JSON): nothing to store
    found = _find_surrogate(value)
    if found is not None:
        raise _refuse(found[0], found[1], "body")


def _find_surrogate(value: Any) -> tuple[str, str] | None:
    """Where a string or object key holds a lone surrogate, and why; None when none does."""
    # iterative: a body may nest as deep as the parser allowed, beyond the recursion limit
    pending: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            reason = _lone_surrogate(item)
            if reason is not None:
                return ".".join(path) or "body", reason
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                place = (*path, _printable(key))
                reason = _lone_surrogate(key)
                if reason is not None:
                    return ".".join(place), reason
                pending.append((child, place))
        elif isinstance(item, list):
            pending.extend((child, (*path, str(i))) for i, child in reversed(list(enumerate(item))))
    return None
