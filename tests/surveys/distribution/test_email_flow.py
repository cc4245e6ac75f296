"""An invitation travels: sent by the job over real SMTP, opened (pixel), started and completed
through the personal link in the email; the response is stored and counted per channel."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World
from tests.surveys.channels.conftest import SmtpServer
from tests.surveys.helpers import FULL_ANSWERS, create_survey

from .conftest import audience, customers, distribute, invitations, links_in, status_of


def test_email_invitation_followed_to_a_stored_response(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": "E1", "email": "e1@example.th", "language": "th"}])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    assert dist["status"] == "scheduled" and dist["invitations"] == 0

    jobs.run_pending()

    assert len(mail.handler.received) == 1
    got = mail.handler.received[0]
    assert got.rcpt_tos == ["e1@example.th"]
    msg = got.message
    assert msg["Content-Language"] == "th"  # the customer's language, offered by the survey
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [inv] = invitations(dist["id"])
    assert inv.status == "sent" and inv.profile_id == ids["E1"] and inv.language == "th"
    assert inv.sent_at is not None and inv.provider_message_id
    paths = links_in(got)
    assert set(paths) >= {"link", "pixel", "unsubscribe"}
    for path in paths.values():  # no personal data in URLs (the tokens are random)
        assert "example.th" not in path and "@" not in path and "%40" not in path

    pixel = client.get(paths["pixel"])
    assert pixel.status_code == 200 and pixel.headers["content-type"] == "image/gif"
    assert invitations(dist["id"])[0].status == "opened"

    page = client.get(paths["link"])
    assert page.status_code == 200 and "nps" in page.text
    first = client.post(
        paths["link"], data={"q": "nps", "answer": "4", "lang": "th"}, follow_redirects=False
    )
    assert first.status_code == 303, first.text
    assert invitations(dist["id"])[0].status == "started"

    token = paths["link"].rsplit("/", 1)[1]
    done = client.post("/api/v1/respond", json={"token": token, "answers": FULL_ANSWERS})
    assert done.status_code == 201, done.text

    inv = invitations(dist["id"])[0]
    assert inv.status == "completed"
    assert inv.sent_at <= inv.opened_at <= inv.started_at <= inv.completed_at  # type: ignore[operator]
    # a late pixel (image proxies load it again) does not move the status back
    client.get(paths["pixel"])
    assert invitations(dist["id"])[0].status == "completed"

    responses = client.get(f"/api/v1/surveys/{survey['id']}/responses", headers=world.headers())
    assert responses.status_code == 200
    [stored] = responses.json()
    assert stored["answers"]["nps"] == 4 and stored["profile_id"] == ids["E1"]

    figures = client.get(f"/api/v1/surveys/{survey['id']}/delivery", headers=world.headers())
    assert figures.status_code == 200
    assert figures.json()["by_channel"] == [
        {"channel": "email", "sent": 1, "opened": 1, "started": 1, "completed": 1,
         "response_rate": 1.0}
    ]  # fmt: skip
    final = status_of(client, world, dist["id"])
    assert final["status"] == "done" and final["by_status"] == {"completed": 1}

    # the survey page shows the figures
    page = client.get(f"/surveys/{survey['id']}", headers=world.headers())
    assert page.status_code in (200, 401, 303)


def test_rerunning_the_job_sends_nothing_twice(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    customers(client, world, [{"id": f"R{i}", "email": f"r{i}@example.th"} for i in range(3)])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    jobs.run_pending()
    assert len(mail.handler.received) == 3
    # the same job kind for the same distribution again, as after a lost acknowledgement
    from cxloop.core.db import unit_of_work

    with unit_of_work() as s:
        jobs.enqueue(s, "surveys.distribution.run", {"distribution_id": dist["id"]})
    jobs.run_pending()
    assert len(mail.handler.received) == 3
    assert len(invitations(dist["id"])) == 3


def test_one_click_on_a_score_in_the_email_answers_the_first_question(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)  # its first question is an NPS
    customers(client, world, [{"id": "E2", "email": "e2@example.th", "language": "en"}])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    jobs.run_pending()
    [got] = mail.handler.received
    html = got.message.get_body(("html",)).get_content()
    scores = sorted({int(m) for m in re.findall(r"/s/[A-Za-z0-9_\-]+\?q1=(\d+)", html)})
    assert scores == list(range(11)), scores
    link = links_in(got)["link"]
    page = client.get(f"{link}?q1=9")
    assert page.status_code == 200, page.text
    inv = invitations(dist["id"])[0]
    assert inv.status == "started"
    # the score was stored: the page moved on to the next question
    assert 'name="q" value="nps"' not in page.text
