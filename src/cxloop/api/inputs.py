"""Refuse NUL characters in URLs and form fields before any handler can try to store them.

PostgreSQL text cannot hold U+0000 and SQLite truncates at it in places, so a NUL anywhere in
a request is answered with a 422 naming where it was. JSON bodies are covered field by field
by the ``Text`` type (``cxloop.core.params``); uploaded files are not touched here, because
ingest rejects such rows one by one and keeps the rest.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from cxloop.core.errors import Invalid

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(where: str) -> Invalid:
    reason = "contains a NUL character (\\u0000), which cannot be stored"
    return Invalid(
        "request.invalid",
        f"{where}: {reason}",
        {"errors": [{"field": where, "reason": reason}]},
    )


async def reject_nul(request: Request) -> None:
    """Raise a 422 when the path, a query parameter or a form field holds a NUL."""
    if "\x00" in request.url.path:
        raise _refuse("path")
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise _refuse(f"query.{key.replace(chr(0), '')}")
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(_FORM_TYPES):
        form = await request.form()
        for key, item in form.multi_items():
            if isinstance(item, UploadFile):
                continue
            if "\x00" in key or "\x00" in item:
                raise _refuse(f"form.{key.replace(chr(0), '')}")
