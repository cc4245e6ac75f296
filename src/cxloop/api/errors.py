"""One error shape for every API failure: ``{"error": {"code", "message", "data"}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cxloop.core.errors import AppError

log = logging.getLogger("cxloop.api")

_HTTP_CODES = {
    400: "request.bad",
    401: "auth.required",
    403: "auth.forbidden",
    404: "route.not_found",
    405: "route.method_not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    429: "request.rate_limited",
}


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "")


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The field errors of a request validation failure, JSON-safe."""
    out = []
    for err in exc.errors():
        out.append(
            {
                "field": _location(err.get("loc", ())),
                "in": str(err.get("loc", ("",))[0]),
                "reason": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return out


def error_body(code: str, message: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error document."""
    return {"error": {"code": code, "message": message, "data": data or {}}}


def install(app: FastAPI, html_renderer: Any | None = None) -> None:
    """Register the handlers; ``html_renderer(request, status, body)`` renders web pages."""

    def respond(request: Request, status: int, body: dict[str, Any]) -> Response:
        if html_renderer is not None and not request.url.path.startswith("/api/"):
            rendered: Response | None = html_renderer(request, status, body)
            if rendered is not None:
                return rendered
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return respond(request, exc.status_code, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = validation_details(exc)
        first = details[0] if details else {"field": "", "reason": "invalid"}
        message = f"{first['field'] or 'request'}: {first['reason']}"
        if len(details) > 1:
            message += f" (and {len(details) - 1} more)"
        return respond(request, 422, error_body("request.invalid", message, {"errors": details}))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, f"http.{exc.status_code}")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return respond(request, exc.status_code, error_body(code, message))

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # Inputs are validated before they reach the database; this is the last line of
        # defence, so the caller gets a 422 rather than a 500. Only the error class and
        # SQLSTATE are logged, because the driver's message may quote the value.
        log.warning(
            "database refused a value on %s %s: %s %s",
            request.method,
            request.url.path,
            type(exc.orig).__name__,
            getattr(exc.orig, "sqlstate", "") or "",
        )
        message = "A value in this request cannot be stored (a NUL character or out of range)."
        return respond(request, 422, error_body("request.unstorable", message))

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> Response:
        text = str(exc.orig).lower()
        if "database is busy" not in text and "database is locked" not in text:
            return await _unexpected(request, exc)
        # SQLite's one writer was held past the wait (a long upload): try again shortly
        log.warning("database busy on %s %s", request.method, request.url.path)
        message = "The database is busy with another write; try again in a few seconds."
        response = respond(request, 503, error_body("server.busy", message))
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(
            request,
            500,
            error_body("server.error", "An unexpected error occurred; it has been logged."),
        )
