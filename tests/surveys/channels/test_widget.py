"""The website widget: public keys, the CORS policy, the answer schema, and widget.js itself,
driven in Chromium from one loopback origin against an answer endpoint on another."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cxloop.core.i18n import LANGUAGES
from cxloop.surveys.channels.widget import (
    WidgetAnswer,
    allowed_origin,
    embed_snippet,
    is_public_key,
    new_public_key,
    normalize_origin,
    preflight_headers,
    response_headers,
    widget_texts,
)

WIDGET_JS = Path(__file__).resolve().parents[3] / "src" / "cxloop" / "web" / "static" / "widget.js"
SHOP = "https://shop.example"
KEY = "pk_" + "A1b2C3d4" * 3


# --- keys -----------------------------------------------------------------------------------


def test_public_keys() -> None:
    keys = {new_public_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(is_public_key(k) for k in keys)
    assert is_public_key(KEY)
    for bad in ("", "pk_short", KEY + "x", "sk_" + KEY[3:], KEY[:-1] + "!", f" {KEY}"):
        assert not is_public_key(bad), bad


def test_embed_snippet() -> None:
    assert embed_snippet("https://cx.example/", KEY) == (
        f'<script src="https://cx.example/static/widget.js" data-key="{KEY}" async></script>'
    )
    with pytest.raises(ValueError, match="public key"):
        embed_snippet("https://cx.example", '"><script>')


# --- CORS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example/", "https://shop.example"),
        ("https://shop.example:443", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("https://例子.測試", "https://xn--fsqu00a.xn--g6w251d"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("https://*.shop.example", None),
        ("https://shop.example/path", None),
        ("https://shop.example?x=1", None),
        ("https://user@shop.example", None),
        ("ftp://shop.example", None),
        ("shop.example", None),
        ("https://shop.example:99999", None),
        ("null", None),
    ],
)
def test_normalize_origin(value: str, origin: str | None) -> None:
    assert normalize_origin(value) == origin


def test_allowed_origin_is_an_exact_match() -> None:
    allowed = ["https://shop.example", "https://例子.測試", "http://localhost:3000"]
    assert allowed_origin("https://shop.example", allowed) == "https://shop.example"
    assert allowed_origin("https://xn--fsqu00a.xn--g6w251d", allowed) is not None
    assert allowed_origin("http://localhost:3000", allowed) == "http://localhost:3000"
    for other in (
        "http://shop.example",  # scheme differs
        "https://shop.example:444",  # port differs
        "https://evil.shop.example",  # subdomain
        "https://shop.example.evil",  # suffix
        "https://evilshop.example",
        "http://localhost:3001",
        "null",  # sandboxed iframes, file: pages
        "",
        None,
    ):
        assert allowed_origin(other, allowed) is None, other
    assert allowed_origin(SHOP, []) is None
    # only a browser's own serialisation is echoed back (never with the default port)
    assert allowed_origin("https://shop.example:443", allowed) is None
    assert allowed_origin("https://shop.example/x", allowed) is None
    assert allowed_origin(SHOP, ["*"]) is None  # a wildcard is never honoured


def test_preflight_answer() -> None:
    headers = preflight_headers(SHOP, [SHOP], "POST", "content-type")
    assert headers == {
        "Access-Control-Allow-Origin": SHOP,
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    }
    assert "Access-Control-Allow-Credentials" not in headers
    assert preflight_headers(SHOP, [SHOP], "post", None) is not None
    assert preflight_headers("https://other.example", [SHOP], "POST", "content-type") is None
    assert preflight_headers(SHOP, [SHOP], "DELETE", "content-type") is None
    assert preflight_headers(SHOP, [SHOP], "POST", "content-type, authorization") is None


def test_response_headers_always_vary_on_origin() -> None:
    assert response_headers(SHOP, [SHOP]) == {"Vary": "Origin", "Access-Control-Allow-Origin": SHOP}
    assert response_headers("https://other.example", [SHOP]) == {"Vary": "Origin"}


# --- the answer -----------------------------------------------------------------------------


def answer(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"key": KEY, "survey": "s1", "customer": "c-42", "score": 9}
    values.update(overrides)
    return values


def test_answer_schema_accepts_a_widget_post() -> None:
    got = WidgetAnswer.model_validate_json(
        json.dumps(answer(comment="  服務很好 👍  ", lang="zh-Hant", page="https://shop.example/x"))
    )
    assert (got.score, got.comment, got.lang) == (9, "服務很好 👍", "zh-Hant")


@pytest.mark.parametrize(
    "bad",
    [
        {"score": 11},
        {"score": -1},
        {"score": "9"},
        {"score": 9.5},
        {"key": "pk_nope"},
        {"survey": ""},
        {"survey": "../x"},
        {"comment": "x" * 2001},
        {"comment": "a\x00b"},
        {"lang": "fr"},
        {"admin": True},
    ],
)
def test_answer_schema_refuses(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        WidgetAnswer.model_validate_json(json.dumps(answer(**bad)))


# --- widget.js ------------------------------------------------------------------------------


def test_widget_js_carries_the_catalog_texts() -> None:
    source = WIDGET_JS.read_text("utf-8")
    block = re.search(r"/\* texts:begin \*/(.*?)/\* texts:end \*/", source, re.S)
    assert block is not None
    expected = {lang: widget_texts(lang) for lang in LANGUAGES}
    assert json.loads(block.group(1)) == expected, (
        "regenerate the texts block of widget.js:\n"
        + json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True)
    )


def test_widget_js_is_small_and_self_contained() -> None:
    source = WIDGET_JS.read_text("utf-8")
    assert len(source.encode()) < 16_000
    for forbidden in (
        "innerHTML",
        "eval(",
        "document.write",
        "import ",
        "require(",
        "http://",
        "document.cookie",
    ):
        assert forbidden not in source, forbidden


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_widget_js_syntax() -> None:
    subprocess.run(["node", "--check", str(WIDGET_JS)], check=True, capture_output=True)


# --- in a real browser ----------------------------------------------------------------------

CHROMIUM = os.environ.get("CXLOOP_CHROMIUM", "/usr/bin/chromium")


def serve(handle: Callable[[BaseHTTPRequestHandler, str], None]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self, "GET")

        def do_POST(self) -> None:
            handle(self, "POST")

        def do_OPTIONS(self) -> None:
            handle(self, "OPTIONS")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def reply(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    h.send_response(status)
    for name, value in headers.items():
        h.send_header(name, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


class Endpoint:
    """The answer endpoint as the merge will wire it, on its own origin, using widget.py."""

    def __init__(self) -> None:
        self.allowed: list[str] = []
        self.preflights: list[dict[str, str]] = []
        self.answers: list[WidgetAnswer] = []

    def __call__(self, h: BaseHTTPRequestHandler, method: str) -> None:
        origin = h.headers.get("Origin")
        if method == "GET" and h.path == "/static/widget.js":
            reply(
                h, 200, WIDGET_JS.read_bytes(), {"Content-Type": "text/javascript; charset=utf-8"}
            )
        elif method == "OPTIONS" and h.path == "/answers":
            self.preflights.append({k.lower(): v for k, v in h.headers.items()})
            headers = preflight_headers(
                origin,
                self.allowed,
                h.headers.get("Access-Control-Request-Method"),
                h.headers.get("Access-Control-Request-Headers"),
            )
            reply(h, 204 if headers else 403, b"", headers or {"Vary": "Origin"})
        elif method == "POST" and h.path == "/answers":
            headers = response_headers(origin, self.allowed)
            if "Access-Control-Allow-Origin" not in headers:
                reply(h, 403, b"{}", headers)
                return
            raw = h.rfile.read(int(h.headers.get("Content-Length", "0")))
            self.answers.append(WidgetAnswer.model_validate_json(raw))
            reply(h, 201, b'{"ok": true}', {**headers, "Content-Type": "application/json"})
        else:
            reply(h, 404, b"", {})


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            headless=True,
        )
        yield b
        b.close()


@pytest.fixture
def site(browser: Any) -> Iterator[tuple[Any, Endpoint, str]]:
    """A customer's page on one origin embedding the widget from the cxloop origin."""
    endpoint = Endpoint()
    api, api_url = serve(endpoint)

    def page(h: BaseHTTPRequestHandler, method: str) -> None:
        html = (
            '<!DOCTYPE html><html lang="en"><head><title>Shop</title>'
            "<script>window.cxloop = window.cxloop || function () {"
            "(window.cxloop.q = window.cxloop.q || []).push(arguments); };</script>"
            f'<script src="{api_url}/static/widget.js" data-key="{KEY}"'
            f' data-endpoint="{api_url}/answers" async></script>'
            '</head><body><button id="buy">Buy</button></body></html>'
        )
        reply(h, 200, html.encode(), {"Content-Type": "text/html; charset=utf-8"})

    shop, shop_url = serve(page)
    context = browser.new_context(locale="en-US")
    pg = context.new_page()
    try:
        yield pg, endpoint, shop_url
    finally:
        context.close()
        for server in (api, shop):
            server.shutdown()
            server.server_close()


@pytest.mark.browser
def test_widget_answer_reaches_the_endpoint_across_origins(site: tuple[Any, Endpoint, str]) -> None:
    pg, endpoint, shop_url = site
    endpoint.allowed = [shop_url]
    pg.goto(shop_url)
    pg.wait_for_function("typeof window.cxloop === 'function' && !window.cxloop.q")
    pg.focus("#buy")
    pg.evaluate("window.cxloop('show', {survey: 's1', customer: 'c-42', lang: 'zh-TW'})")

    dialog = pg.get_by_role("dialog", name=widget_texts("zh-Hant")["question"])
    dialog.wait_for()
    dialog.get_by_role("button", name=widget_texts("zh-Hant")["submit"]).click()
    assert dialog.get_by_role("status").inner_text() == widget_texts("zh-Hant")["choose"]
    dialog.get_by_text("9", exact=True).click()
    assert dialog.get_by_role("radio", name="9").is_checked()
    dialog.get_by_label(widget_texts("zh-Hant")["comment"]).fill("服務很好 👍")
    dialog.get_by_role("button", name=widget_texts("zh-Hant")["submit"]).click()
    pg.get_by_role("dialog", name=widget_texts("zh-Hant")["thanks"]).wait_for()

    [got] = endpoint.answers
    assert (got.key, got.survey, got.customer, got.score) == (KEY, "s1", "c-42", 9)
    assert (got.comment, got.lang) == ("服務很好 👍", "zh-Hant")
    assert got.page == shop_url + "/"
    [preflight] = endpoint.preflights
    assert preflight["origin"] == shop_url
    assert preflight["access-control-request-method"] == "POST"
    assert "cookie" not in preflight


@pytest.mark.browser
def test_widget_from_an_origin_not_allowed_sends_nothing(site: tuple[Any, Endpoint, str]) -> None:
    pg, endpoint, shop_url = site
    endpoint.allowed = ["https://shop.example"]
    pg.goto(shop_url)
    pg.evaluate("document.dispatchEvent(new CustomEvent('cxloop:show', {detail: {survey: 's1'}}))")
    dialog = pg.get_by_role("dialog", name=widget_texts("en")["question"])
    dialog.get_by_text("3", exact=True).click()
    dialog.get_by_role("button", name="Send").click()
    dialog.get_by_text(widget_texts("en")["error"]).wait_for()
    assert endpoint.answers == []
    assert len(endpoint.preflights) == 1


@pytest.mark.browser
def test_widget_dialog_closes_with_escape_and_returns_focus(
    site: tuple[Any, Endpoint, str],
) -> None:
    pg, _endpoint, shop_url = site
    pg.goto(shop_url)
    pg.wait_for_function("typeof window.cxloop === 'function' && !window.cxloop.q")
    pg.focus("#buy")
    pg.evaluate("window.cxloop('show', {survey: 's1', lang: 'th', question: 'ชอบไหม <b>?</b>'})")
    dialog = pg.get_by_role("dialog", name="ชอบไหม <b>?</b>")  # shown as text, not markup
    dialog.wait_for()
    pg.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert pg.evaluate("document.activeElement.id") == "buy"
    # the dialog's "close" event (which removes the widget's host) is a queued task: it may
    # run just after the dialog leaves the accessibility tree
    pg.wait_for_function("document.querySelectorAll('[data-cxloop]').length === 0", timeout=5000)


# --- against a real cxloop server -----------------------------------------------------------


@pytest.mark.browser
def test_widget_on_another_origin_answers_a_real_survey(
    browser: Any, world: Any, tmp_path: Path
) -> None:
    """The shop's page (one loopback origin) embeds widget.js from a running cxloop (another):
    the widget shows the survey's own Thai question, the answer crosses the real CORS policy and
    is stored as a response; the same page on an origin the key does not list stores nothing."""
    import httpx

    from tests.e2e.conftest import _stop, start_server
    from tests.surveys.helpers import create_survey, definition

    server = start_server(tmp_path)
    pages: list[Any] = []
    try:

        def shop_page(h: BaseHTTPRequestHandler, method: str) -> None:
            html = (
                '<!DOCTYPE html><html lang="th"><head><title>Shop</title>'
                f'<script src="{server.url}/static/widget.js" data-key="{key}" async></script>'
                "</head><body></body></html>"
            )
            reply(h, 200, html.encode(), {"Content-Type": "text/html; charset=utf-8"})

        shop, shop_url = serve(shop_page)
        other, other_url = serve(shop_page)
        pages += [shop, other]
        with httpx.Client(base_url=server.url, timeout=60) as api:
            d = definition()
            survey = create_survey(
                api,  # type: ignore[arg-type]
                world,
                "Checkout",
                questions=[d["questions"][0], d["questions"][-1]],
            )
            created = api.post(
                "/api/v1/widget/keys",
                json={"name": "Shop", "surveys": [survey["id"]], "origins": [shop_url]},
                headers=world.headers(),
            )
            assert created.status_code == 201, created.text
            key = created.json()["public_key"]

        thai_question = "คุณจะแนะนำเรามากน้อยเพียงใด"
        context = browser.new_context(locale="th-TH")
        pg = context.new_page()
        try:
            for url in (other_url, shop_url):
                pg.goto(url)
                pg.wait_for_function("typeof window.cxloop === 'function'")
                pg.evaluate(f"window.cxloop('show', {{survey: '{survey['id']}'}})")
                dialog = pg.get_by_role("dialog", name=widget_texts("th")["question"])
                if url == shop_url:  # the survey's own text, fetched across origins
                    dialog = pg.get_by_role("dialog", name=thai_question)
                dialog.get_by_text("9", exact=True).click()
                dialog.get_by_label(widget_texts("th")["comment"]).fill("ส่งของเร็วมาก")
                dialog.get_by_role("button", name=widget_texts("th")["submit"]).click()
                if url == other_url:
                    dialog.get_by_text(widget_texts("th")["error"]).wait_for()
                else:
                    pg.get_by_role("dialog", name=widget_texts("th")["thanks"]).wait_for()
        finally:
            context.close()

        with httpx.Client(base_url=server.url, timeout=60) as api:
            got = api.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers())
        [resp] = got.json()
        assert resp["answers"] == {"nps": 9, "comment": "ส่งของเร็วมาก"}
        assert (resp["channel"], resp["language"], resp["profile_id"]) == ("web", "th", None)
    finally:
        for srv in pages:
            srv.shutdown()
            srv.server_close()
        _stop(server)
