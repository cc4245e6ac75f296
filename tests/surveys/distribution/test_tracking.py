"""After sending: SMS with a 429 then success and a signed status callback; trigger-based sends
that fire once; reminders only to who has not completed nor unsubscribed; one-click
unsubscribe; bounce reports; other workspaces see nothing; bad input never gives a 500."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from cxloop.core import jobs
from cxloop.core.db import unit_of_work
from cxloop.surveys.channels.sms import signature
from tests.factories import World
from tests.surveys.channels.conftest import SmtpServer
from tests.surveys.channels.fake_twilio import AUTH_TOKEN, RATE_LIMITED_ONCE, FakeTwilio
from tests.surveys.channels.test_bounces import dsn
from tests.surveys.helpers import FULL_ANSWERS, create_survey

from .conftest import (
    CALLBACK,
    audience,
    customers,
    distribute,
    email,
    invitations,
    links_in,
    records,
    status_of,
)


def test_sms_rate_limited_then_sent_then_delivered(
    client: TestClient, world: World, sms: FakeTwilio, frozen: list[datetime]
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": "S1", "phone": RATE_LIMITED_ONCE, "country": "US"}])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["sms"]
    )
    jobs.run_pending()
    [inv] = invitations(dist["id"])
    assert (inv.profile_id, inv.status, inv.reason) == (ids["S1"], "deferred", "provider")
    assert inv.error_code == "twilio.20429" and inv.attempts == 1
    assert inv.next_attempt_at == frozen[0] + timedelta(seconds=7)  # the provider's Retry-After

    frozen[0] += timedelta(seconds=9)
    jobs.run_pending()
    [inv] = invitations(dist["id"])
    assert inv.status == "sent" and inv.attempts == 2 and inv.provider_message_id.startswith("SM")
    assert len(sms.requests) == 2
    body = sms.requests[-1].form["Body"][0]
    assert "/s/" in body
    hook = sms.requests[-1].form["StatusCallback"][0]
    assert hook.startswith(CALLBACK) and f"inv-{inv.id}" in hook

    form = {
        "MessageSid": inv.provider_message_id,
        "MessageStatus": "delivered",
        "To": RATE_LIMITED_ONCE,
    }
    path = "/api/v1/hooks/sms/status" + hook[len(CALLBACK) :]
    forged = client.post(path, data=form, headers={"X-Twilio-Signature": "AAAA"})
    assert forged.status_code == 403 and "delivered" not in forged.text
    assert invitations(dist["id"])[0].status == "sent"
    ok = client.post(
        path, data=form, headers={"X-Twilio-Signature": signature(hook, form, AUTH_TOKEN)}
    )
    assert ok.status_code == 204, ok.text
    assert invitations(dist["id"])[0].status == "delivered"
    unknown = CALLBACK + "?invitation=inv-999999"
    missing = client.post(
        "/api/v1/hooks/sms/status?invitation=inv-999999",
        data=form,
        headers={"X-Twilio-Signature": signature(unknown, form, AUTH_TOKEN)},
    )
    assert missing.status_code == 404
    for odd in ("inv-%C2%B2", "inv-" + "9" * 5000):  # signed, but no invitation id
        url = CALLBACK + "?invitation=" + odd
        odd_hook = client.post(
            "/api/v1/hooks/sms/status?invitation=" + odd,
            data=form,
            headers={"X-Twilio-Signature": signature(url, form, AUTH_TOKEN)},
        )
        assert odd_hook.status_code == 404, odd_hook.text


def test_trigger_fires_once_per_interaction(
    client: TestClient, world: World, mail: SmtpServer, frozen: list[datetime]
) -> None:
    survey = create_survey(client, world)
    ids = customers(
        client, world, [{"id": "T1", "email": email(1)}, {"id": "T2", "email": email(2)}]
    )
    dist = distribute(
        client, world, survey["id"], channels=["email"], mode="trigger",
        trigger={"channel": "phone", "type": "support", "delay_hours": 1},
    )  # fmt: skip
    now = frozen[0]
    calls = [
        {"id": "CALL-1", "customer_id": "T1", "channel": "phone", "type": "support",
         "started_at": (now - timedelta(minutes=40)).isoformat(),
         "ended_at": (now - timedelta(minutes=30)).isoformat()},
        {"id": "CALL-2", "customer_id": "T2", "channel": "chat", "type": "support",
         "started_at": (now - timedelta(minutes=40)).isoformat(),
         "ended_at": (now - timedelta(minutes=30)).isoformat()},
    ]  # fmt: skip
    records(client, world, "interaction", calls)
    jobs.run_pending()
    assert invitations(dist["id"]) == []  # not yet: one hour after the call ended
    frozen[0] += timedelta(minutes=32)  # the next poll is due, and the call ended > 1 h ago
    jobs.run_pending()
    [inv] = invitations(dist["id"])
    assert inv.profile_id == ids["T1"] and inv.status == "sent"
    assert inv.occurrence.endswith(":CALL-1")
    # the trigger fires again over the same events (a poll repeated after a crash) and the
    # same interaction arrives again: nothing new
    from cxloop.surveys.models_distribution import Distribution

    with unit_of_work() as s:
        d = s.get(Distribution, dist["id"])
        assert d is not None
        d.trigger_cursor = now - timedelta(days=1)
        jobs.enqueue(s, "surveys.distribution.poll", {"distribution_id": dist["id"]})
    records(client, world, "interaction", calls)
    jobs.run_pending()
    assert len(invitations(dist["id"])) == 1
    assert len(mail.handler.received) == 1
    assert status_of(client, world, dist["id"])["status"] == "active"


def test_reminders_only_to_those_who_did_not_complete_nor_unsubscribe(
    client: TestClient, world: World, mail: SmtpServer, frozen: list[datetime]
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": f"M{i}", "email": email(i)} for i in range(3)])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"],
        reminders=[2],
    )  # fmt: skip
    jobs.run_pending()
    by_rcpt = {r.rcpt_tos[0]: links_in(r) for r in mail.handler.received}
    assert len(by_rcpt) == 3
    done = client.post(
        "/api/v1/respond",
        json={"token": by_rcpt[email(0)]["link"].rsplit("/", 1)[1], "answers": FULL_ANSWERS},
    )
    assert done.status_code == 201
    # one-click unsubscribe (RFC 8058): a POST with List-Unsubscribe=One-Click, no page
    one_click = client.post(
        by_rcpt[email(1)]["unsubscribe"],
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200 and 'data-testid="unsubscribed"' in one_click.text
    again = client.get(by_rcpt[email(1)]["unsubscribe"])
    assert again.status_code == 200 and 'data-testid="unsubscribed"' in again.text
    assert client.get("/u/not-a-token").status_code == 404

    frozen[0] += timedelta(days=2, seconds=5)
    jobs.run_pending()
    reminded = [r.rcpt_tos[0] for r in mail.handler.received[3:]]
    assert reminded == [email(2)]
    # the reminder carries the same personal link
    assert links_in(mail.handler.received[3])["link"] == by_rcpt[email(2)]["link"]
    got = {i.profile_id: i for i in invitations(dist["id"])}
    assert got[ids["M2"]].reminders_sent == 1 and got[ids["M0"]].reminders_sent == 0
    assert got[ids["M1"]].unsubscribed_at is not None

    # and the unsubscribed customer is skipped next time
    later = distribute(
        client, world, survey["id"], segment_id=audience(client, world, "Again"),
        channels=["email"],
    )  # fmt: skip
    client.put(
        "/api/v1/survey-rules", json={"min_days_between_surveys": 0}, headers=world.headers()
    )
    jobs.run_pending()
    assert {i.profile_id: i.reason for i in invitations(later["id"])}[ids["M1"]] == "unsubscribed"


def test_bounce_report_marks_the_invitation_and_the_address(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": "B1", "email": email(1)}])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    jobs.run_pending()
    tag = str(mail.handler.received[0].message["X-Cxloop-Invitation"])
    report = dsn(tag="unrelated", header_tag=tag)
    agent = client.post("/api/v1/survey-bounces", content=report, headers=world.headers("agent"))
    assert agent.status_code == 403
    forged = dsn(tag="unrelated", header_tag=tag[:-1] + ("0" if tag[-1] != "0" else "1"))
    r = client.post("/api/v1/survey-bounces", content=forged, headers=world.headers())
    assert r.status_code == 200 and r.json() == {
        "matched": False,
        "invitation_id": None,
        "status": None,
    }
    r = client.post("/api/v1/survey-bounces", content=report, headers=world.headers())
    assert r.status_code == 200, r.text
    assert r.json()["matched"] is True and r.json()["status"] == "bounced"
    [inv] = invitations(dist["id"])
    assert inv.status == "bounced" and inv.bounced_at is not None and inv.error_code

    client.put(
        "/api/v1/survey-rules", json={"min_days_between_surveys": 0}, headers=world.headers()
    )
    again = distribute(
        client, world, survey["id"], segment_id=audience(client, world, "Again"), channels=["email"]
    )
    jobs.run_pending()
    [second] = invitations(again["id"])
    assert (second.profile_id, second.status, second.reason) == (
        ids["B1"],
        "skipped",
        "bounced_before",
    )
    assert len(mail.handler.received) == 1


def test_smtp_bounce_at_send_time_counts(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    customers(client, world, [{"id": "N1", "email": "nouser@example.org"}])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email"]
    )
    jobs.run_pending()
    [inv] = invitations(dist["id"])
    assert inv.status == "bounced" and inv.error_code == "smtp.550"


def test_other_workspaces_get_404(
    client: TestClient, world: World, rival: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    customers(client, world, [{"id": "X1", "email": email(1)}])
    seg = audience(client, world)
    dist = distribute(client, world, survey["id"], segment_id=seg, channels=["email"])
    h = rival.headers()
    assert client.get(f"/api/v1/distributions/{dist['id']}", headers=h).status_code == 404
    assert (
        client.get(f"/api/v1/distributions/{dist['id']}/invitations", headers=h).status_code == 404
    )
    assert client.get(f"/api/v1/distributions/{dist['id']}/links", headers=h).status_code == 404
    assert client.post(f"/api/v1/distributions/{dist['id']}/cancel", headers=h).status_code == 404
    assert client.get(f"/api/v1/segments/{seg}", headers=h).status_code == 404
    assert client.get(f"/api/v1/surveys/{survey['id']}/delivery", headers=h).status_code == 404
    body = {"segment_id": seg, "channels": ["email"]}
    assert (
        client.post(
            f"/api/v1/surveys/{survey['id']}/distributions", json=body, headers=h
        ).status_code
        == 404
    )
    rival_survey = create_survey(client, rival)
    r = client.post(f"/api/v1/surveys/{rival_survey['id']}/distributions", json=body, headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "segment.not_found"
    assert client.get("/api/v1/segments", headers=h).json() == []


def test_bad_input_is_a_clear_4xx(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    seg = audience(client, world)
    url = f"/api/v1/surveys/{survey['id']}/distributions"
    h = world.headers()
    cases = [
        ({"segment_id": seg, "channels": []}, "channels"),
        ({"segment_id": seg, "channels": ["fax"]}, "channels"),
        ({"segment_id": seg, "channels": ["email", "email"]}, "channels"),
        ({"segment_id": seg, "channels": ["email"], "mode": "scheduled"}, "scheduled_at"),
        ({"segment_id": seg, "channels": ["email"], "mode": "scheduled",
          "scheduled_at": "2030-01-01T09:00:00"}, "scheduled_at"),
        ({"segment_id": seg, "channels": ["email"], "reminders": [7, 3]}, "reminders"),
        ({"channels": ["email"]}, "segment_id"),
        ({"segment_id": seg, "channels": ["email"], "mode": "trigger"}, "trigger"),
        ({"segment_id": seg, "channels": ["email"], "name": "a\x00b"}, "name"),
        ({"segment_id": 2**63, "channels": ["email"]}, "segment_id"),
    ]  # fmt: skip
    for body, field in cases:
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text, (body, r.text)
    assert (
        client.post(url, json={"segment_id": 999, "channels": ["email"]}, headers=h).status_code
        == 404
    )
    bad_rules = [{"quiet_hours": "25:00-08:00"}, {"default_timezone": "Mars/Olympus"},
                 {"min_days_between_surveys": -1}]  # fmt: skip
    for body in bad_rules:
        r = client.put("/api/v1/survey-rules", json=body, headers=h)
        assert r.status_code == 422, r.text
    r = client.post(
        "/api/v1/segments", json={"name": "x", "filters": {"regions": ["Thailand"]}}, headers=h
    )
    assert r.status_code == 422 and "regions" in r.text
    assert (
        client.post("/api/v1/segments", json={"name": "All", "filters": {}}, headers=h).status_code
        == 409
    )
    assert client.post("/api/v1/survey-bounces", content=b"", headers=h).status_code == 422
    r = client.post("/api/v1/survey-bounces", content=b"\xff\xfe not mail", headers=h)
    assert r.status_code == 200 and r.json()["matched"] is False
    unreadable = b"Content-Type: multipart/report; report-type*\n\nx\n"
    r = client.post("/api/v1/survey-bounces", content=unreadable, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "report.unreadable", r.text
    assert r.json()["error"]["data"]["errors"][0]["field"] == "body"
    assert client.post("/api/v1/hooks/sms/status", data={"a": "b"}).status_code == 404  # SMS off
    pixel = client.get("/o/whatever.gif")
    assert pixel.status_code == 200 and pixel.headers["content-type"] == "image/gif"
    assert client.get(f"/api/v1/distributions/{2**63}", headers=h).status_code == 422
    assert (
        client.get("/api/v1/distributions/1/invitations?status=nope", headers=h).status_code == 422
    )
    # pages: a bad form shows the error, not a 500
    page = client.get(f"/surveys/{survey['id']}", headers=h)
    assert page.status_code < 500
