"""Template rendering with the UI language, error pages, security headers, static files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import phonenumbers
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxloop import __version__
from cxloop.core.i18n import LANGUAGES, negotiate, translate
from cxloop.core.money import format_money

ROOT = Path(__file__).resolve().parent.parent
LANG_COOKIE = "cxloop_lang"


def _template_dirs() -> list[str]:
    dirs = [ROOT / "web" / "templates"]
    dirs += sorted(p for p in ROOT.glob("*/templates") if p.parent.name != "web")
    return [str(d) for d in dirs]


env = Environment(
    loader=ChoiceLoader([FileSystemLoader(_template_dirs())]),
    autoescape=select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def phone(value: str | None) -> str:
    """Show an E.164 number in international format (``+886 912 345 678``)."""
    if not value:
        return "—"
    try:
        num = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC timestamp for display."""
    if value is None:
        return "—"
    return value.strftime(fmt) + (" UTC" if "%H" in fmt else "")


env.filters["money"] = format_money
env.filters["when"] = when
env.filters["phone"] = phone
env.globals["LANGUAGES"] = LANGUAGES
env.globals["version"] = __version__


def ui_language(request: Request) -> str:
    """The page language: ?lang=, the language cookie, the user's setting, else the browser's."""
    user = getattr(request.state, "user", None)
    preferred = (
        request.query_params.get("lang")
        or request.cookies.get(LANG_COOKIE)
        or (user.language if user is not None else None)
    )
    return negotiate(request.headers.get("accept-language"), preferred)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a page in the request's UI language."""
    lang = ui_language(request)

    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    ctx = {
        "request": request,
        "lang": lang,
        "t": t,
        "user": getattr(request.state, "user", None),
        "actor": getattr(request.state, "actor", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "path": request.url.path,
    }
    ctx.update(context or {})
    html = env.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status)


def render_error_page(request: Request, status: int, body: dict[str, Any]) -> Response | None:
    """Render an API error object as a page (or send the visitor to log in)."""
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return render(request, "error.html", {"status": status, "error": body["error"]}, status)


_CSP = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    b"frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeaders:
    """ASGI middleware adding the security headers every response carries.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs each
    request through an extra task and memory stream, which cost more than a small write request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and add missing headers to the response's start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
        if not path.startswith("/api/docs"):
            extra += [(b"x-frame-options", b"DENY"), (b"content-security-policy", _CSP)]
        if not path.startswith(("/static/", "/api/docs", "/api/openapi.json")):
            extra.append((b"cache-control", b"no-store"))

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add_headers)


def mount_static(app: FastAPI) -> None:
    """Serve our own CSS and JavaScript (never a CDN)."""
    app.mount("/static", StaticFiles(directory=str(ROOT / "web" / "static")), name="static")
