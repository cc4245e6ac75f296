"""The widget settings page: plain CSRF-protected forms for keys, origins and revoking."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.factories import World, make_source
from tests.surveys.helpers import create_survey
from tests.web.test_pages import login

PAGE = "/settings/widget"


def test_settings_page_creates_keys_and_edits_origins(client: TestClient, world: World) -> None:
    survey = create_survey(client, world, "Checkout")
    make_source(world, "webshop", "web")
    csrf = login(client, world, "analyst", lang="en")
    page = client.get(PAGE)
    assert page.status_code == 200 and "No widget keys yet." in page.text
    assert "Website and app widget" in client.get("/surveys").text  # linked from the list

    no_csrf = client.post(PAGE, data={"name": "Shop", "surveys": [str(survey["id"])]})
    assert no_csrf.status_code == 403
    bad = client.post(PAGE, data={"csrf_token": csrf, "name": "Shop", "surveys": [str(survey["id"])],
                                  "origins": "https://shop.example\nhttps://*.shop.example"})  # fmt: skip
    assert bad.status_code == 422 and "origins[1]" in bad.text
    assert "No widget keys yet." in bad.text  # nothing was saved

    r = client.post(PAGE, data={"csrf_token": csrf, "name": "Shop", "channel": "app",
                                "surveys": [str(survey["id"])], "customer_source": "webshop",
                                "origins": "HTTPS://Shop.Example/\n"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    page = client.get(PAGE).text
    key = re.search(r'data-testid="public-key">(pk_\w+)<', page)
    assert key and "<code>https://shop.example</code>" in page
    assert "Checkout" in page and "webshop" in page
    embed = re.search(r'data-testid="embed">([^<]+)<', page)
    assert embed and f'data-key="{key.group(1)}"' in html.unescape(embed.group(1))

    [k] = client.get("/api/v1/widget/keys", headers=world.headers()).json()
    assert k["channel"] == "app" and k["customer_source_id"] is not None
    base = f"{PAGE}/{k['id']}"
    r = client.post(f"{base}/origins", data={"csrf_token": csrf, "origin": "http://localhost:3000"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    wrong = client.post(f"{base}/origins", data={"csrf_token": csrf, "origin": "localhost"})
    assert wrong.status_code == 422 and "is not an origin" in wrong.text
    client.post(
        f"{base}/origins/remove", data={"csrf_token": csrf, "origin": "https://shop.example"}
    )
    [k] = client.get("/api/v1/widget/keys", headers=world.headers()).json()
    assert k["origins"] == ["http://localhost:3000"]
    client.post(f"{base}/revoke", data={"csrf_token": csrf})
    [k] = client.get("/api/v1/widget/keys", headers=world.headers()).json()
    assert k["revoked_at"] is not None
    assert "revoked" in client.get(PAGE).text


def test_settings_page_is_for_survey_managers(client: TestClient, world: World) -> None:
    login(client, world, "agent")
    assert client.get(PAGE).status_code == 403
    assert "/settings/widget" not in client.get("/surveys").text
