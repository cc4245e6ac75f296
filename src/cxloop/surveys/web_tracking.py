"""Public pages of invitations (deliberately public: the token in the URL is the credential).

- ``/o/{token}.gif``: the tracking pixel of an invitation email; always the same 1x1 image,
  known token or not, so it tells nothing to whoever calls it; no personal data in the URL.
- ``/u/{token}``: unsubscribe from surveys on the invitation's channel; ``GET`` asks, ``POST``
  does it — also the one-click ``List-Unsubscribe-Post`` of RFC 8058, which needs no page.
"""

from __future__ import annotations

import base64
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from cxloop.core.db import unit_of_work
from cxloop.core.i18n import negotiate, normalize_language, translate
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import outbound, tracking
from cxloop.web.render import render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Token = Annotated[str, Path(min_length=1, max_length=100)]
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
TOKENS_IN_PATH = re.compile(r"(/[ou]/)[^/?#\s\"]+")


@router.get("/o/{token}.gif")
def pixel(token: Token) -> Response:
    """The 1x1 image of an invitation email; loading it marks the invitation opened."""
    with unit_of_work() as session:
        tracking.opened(session, token)
    return Response(
        PIXEL,
        media_type="image/gif",
        headers={"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"},
    )


def _page(request: Request, lang: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    return render(request, "surveys/unsubscribe.html", {"lang": lang, "t": t, **ctx}, status)


def _show(request: Request, token: str, confirm: bool) -> Response:
    with unit_of_work() as session:
        inv = tracking.for_unsubscribe(session, token)
        lang = negotiate(request.headers.get("accept-language"), request.query_params.get("lang"))
        if inv is None:
            return _page(request, lang, {"invalid": True, "token": ""}, 404)
        lang = normalize_language(inv.language) or lang
        channel = inv.channel or "all"
        ctx = {
            "token": token,
            "company": outbound.company_name(session, inv.workspace_id),
            "channel_label": translate(lang, f"unsubscribe.channel_{channel}"),
            "done": confirm or inv.unsubscribed_at is not None,
        }
        if confirm:
            tracking.unsubscribe(session, inv)
        return _page(request, lang, ctx)


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: Token, request: Request) -> Response:
    """Ask the customer to confirm (a link scanner's GET changes nothing)."""
    return _show(request, token, confirm=False)


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(token: Token, request: Request) -> Response:
    """Stop surveys on this channel (the page's button, or a mail client's one-click POST)."""
    return _show(request, token, confirm=True)
