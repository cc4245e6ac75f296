"""The 360 page and the review queue in the browser-facing HTML."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import World
from tests.identity.conftest import load, profile_of, resolve_unsure
from tests.web.test_pages import login


def test_360_page_shows_identity_products_timeline_and_why(
    client: TestClient, world: World
) -> None:
    load(client, world)
    michael = profile_of(client, world, "C2")
    login(client, world, "admin")
    page = client.get(f"/customers/{michael['id']}").text
    assert "Michael Turner" in page or "TURNER, MICHAEL J" in page
    assert "USD 199.00" in page  # monthly spend of the active products
    assert page.count('class="ch-') == 3  # three contacts in the timeline
    assert "MOVE-1" in page and "× 3" in page  # the repeat-contact warning
    assert "Why were these records joined?" in page
    assert re.search(r"×\d", page)  # Bayes factors of the comparisons


def test_review_queue_approve_from_the_page(client: TestClient, world: World) -> None:
    load(client, world)
    h = world.headers()
    resolve_unsure(client, world)
    token = login(client, world, "analyst")
    page = client.get("/identity/review")
    assert page.status_code == 200
    ids = re.findall(r'action="/identity/links/(\d+)/approve"', page.text)
    assert ids
    r = client.post(
        f"/identity/links/{ids[0]}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    link = client.get(f"/api/v1/identity/links/{ids[0]}", headers=h).json()
    assert link["status"] == "approved"
    assert link["record_a"]["profile_id"] == link["record_b"]["profile_id"]
    # a forged form (no token) changes nothing
    if len(ids) > 1:
        r = client.post(f"/identity/links/{ids[1]}/reject", data={}, follow_redirects=False)
        assert r.status_code == 403
        assert (
            client.get(f"/api/v1/identity/links/{ids[1]}", headers=h).json()["status"] == "pending"
        )


def test_agents_do_not_see_the_review_queue(client: TestClient, world: World) -> None:
    login(client, world, "agent")
    assert client.get("/identity/review").status_code == 403
    assert "/identity/review" not in client.get("/").text
