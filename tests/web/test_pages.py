"""The web pages: login with CSRF, languages, redirects, security headers, forms."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.factories import PASSWORD, World, make_source

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: TestClient, world: World, role: str = "admin", lang: str | None = None) -> str:
    """Log in through the form; return the session's CSRF token."""
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token, "the login form carries a CSRF token"
    r = client.post(
        "/login",
        data={
            "email": world.emails[role],
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/customers",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/customers"
    cookie = r.headers.get("set-cookie", "")
    assert (
        "cxloop_session=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=lax" in cookie.replace("Lax", "lax")
    )
    home = client.get("/" + (f"?lang={lang}" if lang else ""))
    m = CSRF.search(home.text)
    assert m
    return m.group(1)


def test_pages_need_a_login(client: TestClient, world: World) -> None:
    for path in ("/", "/customers", "/sources", "/identity/review", "/admin/users", "/audit"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=")


def test_wrong_password_and_missing_csrf(client: TestClient, world: World) -> None:
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login",
        data={"email": world.emails["admin"], "password": "nope-nope-nope", "csrf_token": token},
    )
    assert r.status_code == 401
    assert "incorrect" in r.text.lower()
    r = client.post(
        "/login",
        data={"email": world.emails["admin"], "password": PASSWORD, "csrf_token": "forged"},
    )
    assert r.status_code == 403


def test_open_redirect_is_refused(client: TestClient, world: World) -> None:
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login",
        data={
            "email": world.emails["admin"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_forms_without_the_session_csrf_token_are_refused(client: TestClient, world: World) -> None:
    token = login(client, world)
    r = client.post("/settings/api-keys", data={"name": "x"})
    assert r.status_code == 403
    r = client.post("/settings/api-keys", data={"name": "x", "csrf_token": token})
    assert r.status_code == 200
    assert "cxk_" in r.text


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "Customers"), ("zh-Hant", "客戶"), ("zh-Hans", "客户"), ("th", "ลูกค้า")],
)
def test_every_page_in_four_languages(
    client: TestClient, world: World, lang: str, text: str
) -> None:
    login(client, world)
    for path in (
        "/",
        "/customers",
        "/sources",
        "/identity/review",
        "/identity/settings",
        "/admin/users",
        "/audit",
        "/settings/api-keys",
    ):
        r = client.get(path, params={"lang": lang})
        assert r.status_code == 200, (path, r.text[:300])
        assert f'<html lang="{lang}">' in r.text
        assert text in r.text, (path, lang)


def test_security_headers(client: TestClient, world: World) -> None:
    r = client.get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"


def test_error_pages_use_the_error_shape(client: TestClient, world: World) -> None:
    login(client, world)
    r = client.get("/customers/999999")
    assert r.status_code == 404
    assert "customer.not_found" in r.text
    assert "<html" in r.text


def test_upload_through_the_web_form(client: TestClient, world: World) -> None:
    make_source(world, "crm")
    token = login(client, world)
    data = b"id,full_name,email\nW1,Ann Lee,ann@example.com\nW2,Bad,not-an-email\n"
    r = client.post(
        "/sources/crm/upload",
        data={"entity": "customer", "csrf_token": token},
        files={"file": ("people.csv", data, "text/csv")},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "not-an-email" in r.text  # the rejected row is shown with its reason
    assert re.search(r"/api/v1/batches/\d+/rejected\.csv", r.text)


def test_api_docs_are_served_without_a_cdn(client: TestClient) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert "cdn." not in r.text and "/static/swagger/swagger-ui-bundle.js" in r.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/customers/{profile_id}" in spec["paths"]
