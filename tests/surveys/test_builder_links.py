"""The builder's links section without JavaScript: personal links for a customer found by
search or number (shown once), revoke buttons, and QR downloads decoded back to the link."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cxloop.core.config import get_settings
from tests.factories import World
from tests.surveys.channels.test_qr import decode, rasterise_svg, read_png
from tests.surveys.helpers import create_survey, make_customer
from tests.web.test_pages import login

NEW_LINK = re.compile(r'data-testid="new-link">([^<]+)<')


def _path(url: str) -> str:
    return "/s/" + url.rsplit("/s/", 1)[1]


def test_personal_links_by_search_or_number_and_revoke(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world, "C7")
    csrf = login(client, world, "agent", lang="en")  # agents send links
    url = f"/surveys/{survey['id']}"

    found = client.get(url, params={"profile_q": "c7@example.th"})
    assert found.status_code == 200
    assert f'name="profile_id" value="{pid}"' in found.text and "Somchai Jaidee" in found.text
    assert "No customer found." in client.get(url, params={"profile_q": "nobody-here"}).text

    made = client.post(f"{url}/links", data={"csrf_token": csrf, "kind": "personal",
                                             "profile_id": str(pid)})  # fmt: skip
    assert made.status_code == 200, made.text
    link = NEW_LINK.search(made.text)
    assert link and "qr-form" not in made.text  # personal links are not printed
    page = client.get(_path(link.group(1)))
    assert page.status_code == 200 and '<html lang="th">' in page.text  # the customer's language
    assert f'<a href="/customers/{pid}">#{pid}</a>' in client.get(url).text

    bad = client.post(f"{url}/links", data={"csrf_token": csrf, "kind": "personal",
                                            "profile_id": "12a"})  # fmt: skip
    assert bad.status_code == 422 and "profile_id" in bad.text
    unknown = client.post(f"{url}/links", data={"csrf_token": csrf, "kind": "personal",
                                                "profile_id": "987654"})  # fmt: skip
    assert unknown.status_code == 404 and not NEW_LINK.search(unknown.text)
    assert client.post(f"{url}/links", data={"kind": "personal", "profile_id": str(pid)}).status_code == 403  # fmt: skip

    [row] = client.get("/api/v1/audit?entity_type=survey_link", headers=world.headers()).json()
    link_id = row["entity_id"]
    assert client.post(f"{url}/links/{link_id}/revoke").status_code == 403  # no CSRF token
    r = client.post(f"{url}/links/{link_id}/revoke", data={"csrf_token": csrf},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert client.get(_path(link.group(1))).status_code == 404
    assert "revoked" in client.get(url).text


def test_qr_downloads_decode_to_the_link(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    csrf = login(client, world, "analyst", lang="en")
    url = f"/surveys/{survey['id']}"
    made = client.post(f"{url}/links", data={"csrf_token": csrf, "kind": "kiosk",
                                             "location": "Siam Paragon"})  # fmt: skip
    link = NEW_LINK.search(made.text)
    assert link and 'data-testid="qr-form"' in made.text
    form = re.search(r'action="(/surveys/\d+/links/(\d+)/qr)"', made.text)
    token = re.search(r'name="token" value="([^"]+)"', made.text)
    assert form and token
    link_url = link.group(1)
    assert link_url == get_settings().base_url.rstrip("/") + "/s/" + token.group(1)

    png = client.post(form.group(1), data={"csrf_token": csrf, "token": token.group(1),
                                           "location": "counter-2", "format": "png"})  # fmt: skip
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert 'filename="survey-' in png.headers["content-disposition"]
    assert decode(read_png(png.content)) == [f"{link_url}?loc=counter-2"]
    svg = client.post(form.group(1), data={"csrf_token": csrf, "token": token.group(1),
                                           "format": "svg"})  # fmt: skip
    assert svg.headers["content-type"].startswith("image/svg+xml")
    image, _root = rasterise_svg(svg.content)
    assert decode(image) == [link_url]

    wrong = client.post(form.group(1), data={"csrf_token": csrf, "token": "x" * 43})
    assert wrong.status_code == 422 and "token" in wrong.text
    bad_tag = client.post(form.group(1), data={"csrf_token": csrf, "token": token.group(1),
                                               "location": "store 12"})  # fmt: skip
    assert bad_tag.status_code == 422 and "location" in bad_tag.text
    assert client.post(form.group(1), data={"token": token.group(1)}).status_code == 403

    # the API: the same image for a caller holding the token; managers only
    api = f"/api/v1/surveys/{survey['id']}/links/{form.group(2)}/qr"
    body = {"token": token.group(1), "location": "store-12", "scale": 4}
    r = client.post(api, json=body, headers=world.headers("analyst"))
    assert r.status_code == 200 and decode(read_png(r.content)) == [f"{link_url}?loc=store-12"]
    assert client.post(api, json=body, headers=world.headers("agent")).status_code == 403
    bad = client.post(api, json={**body, "location": "a/b"}, headers=world.headers())
    assert bad.status_code == 422
    assert bad.json()["error"]["data"]["errors"][0]["field"] == "location"
    client.post(f"{url}/links/{form.group(2)}/revoke", data={"csrf_token": csrf})
    assert client.post(api, json=body, headers=world.headers()).status_code == 404


def test_qr_of_a_personal_link_is_refused(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world)
    r = client.post(f"/api/v1/surveys/{survey['id']}/links",
                    json={"kind": "personal", "profile_id": pid}, headers=world.headers())  # fmt: skip
    qr = client.post(f"/api/v1/surveys/{survey['id']}/links/{r.json()['id']}/qr",
                     json={"token": r.json()["token"]}, headers=world.headers())  # fmt: skip
    assert qr.status_code == 422 and "personal" in qr.json()["error"]["message"]
