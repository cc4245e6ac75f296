"""Each rule, checked at send time, skips (or defers) a customer and is counted with its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from cxloop.core import jobs
from tests.factories import World
from tests.surveys.channels.conftest import SmtpServer
from tests.surveys.helpers import create_survey

from .conftest import audience, customers, distribute, email, invitations, records, status_of


def _by_profile(dist_id: int) -> dict[int, tuple[str, str | None]]:
    return {i.profile_id: (i.status, i.reason) for i in invitations(dist_id)}


def test_each_rule_skips_with_its_reason(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    rows = [{"id": f"U{i}", "email": email(i)} for i in range(8)]
    rows[5] = {"id": "U5"}  # no address at all
    ids = customers(client, world, rows)
    recent = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    records(client, world, "consent", [
        {"customer_id": "U1", "channel": "email", "purpose": "surveys", "granted": False},
        {"customer_id": "U7", "channel": "all", "purpose": "surveys", "granted": False},
    ])  # fmt: skip
    records(client, world, "interaction", [
        {"id": "T1", "customer_id": "U2", "channel": "phone", "type": "support",
         "started_at": recent, "issue_key": "ISS-9", "outcome": "escalated"},
        {"id": "T2", "customer_id": "U0", "channel": "phone", "type": "support",
         "started_at": recent, "ended_at": recent, "issue_key": "ISS-1", "outcome": "resolved"},
    ])  # fmt: skip
    records(client, world, "preference", [
        {"customer_id": "U4", "preferred_channels": ["sms"]},
    ])  # fmt: skip
    seg = audience(client, world)
    # U3 was surveyed a week ago by another distribution (only U3 in that audience)
    only_u3 = audience(client, world, "U3 only", tiers=["gold"])
    records(client, world, "customer", [{"id": "U3", "email": email(3), "tier": "gold",
                                          "full_name": "Daeng Kittisak"}])  # fmt: skip
    jobs.run_pending()
    first = distribute(client, world, survey["id"], segment_id=only_u3, channels=["email"])
    jobs.run_pending()
    assert _by_profile(first["id"]) == {ids["U3"]: ("sent", None)}

    dist = distribute(client, world, survey["id"], segment_id=seg, channels=["email"])
    jobs.run_pending()
    got = _by_profile(dist["id"])
    assert got[ids["U0"]] == ("sent", None)  # a resolved issue does not block
    assert got[ids["U1"]] == ("skipped", "consent_withdrawn")
    assert got[ids["U2"]] == ("skipped", "open_issue")
    assert got[ids["U3"]] == ("skipped", "frequency")
    assert got[ids["U4"]] == ("skipped", "channel_not_preferred")
    assert got[ids["U5"]] == ("skipped", "no_address")
    assert got[ids["U6"]] == ("sent", None)
    assert got[ids["U7"]] == ("skipped", "consent_withdrawn")  # the "all" channel counts
    figures = status_of(client, world, dist["id"])
    assert figures["skipped"] == {
        "consent_withdrawn": 2, "open_issue": 1, "frequency": 1, "channel_not_preferred": 1,
        "no_address": 1,
    }  # fmt: skip
    assert sorted(r.rcpt_tos[0] for r in mail.handler.received) == sorted(
        [email(3), email(0), email(6)]
    )


def test_preferred_channel_is_used_when_the_distribution_allows_it(
    client: TestClient, world: World, mail: SmtpServer
) -> None:
    survey = create_survey(client, world)
    ids = customers(client, world, [{"id": "P1", "email": email(1), "phone": "+66812345678"}])
    records(client, world, "preference", [{"customer_id": "P1", "preferred_channels": ["web"]}])
    dist = distribute(
        client, world, survey["id"], segment_id=audience(client, world), channels=["email", "web"]
    )
    jobs.run_pending()
    [inv] = invitations(dist["id"])
    assert (inv.profile_id, inv.channel, inv.status) == (ids["P1"], "web", "sent")
    links = client.get(f"/api/v1/distributions/{dist['id']}/links", headers=world.headers())
    assert links.status_code == 200 and links.json()[0]["url"].startswith("http")
    assert mail.handler.received == []


def test_quiet_hours_defer_in_the_customers_own_time_zone(
    client: TestClient, world: World, mail: SmtpServer, frozen: list[datetime]
) -> None:
    survey = create_survey(client, world)
    ids = customers(
        client, world, [{"id": "Q1", "email": email(1)}, {"id": "Q2", "email": email(2)}]
    )
    records(client, world, "preference", [
        {"customer_id": "Q1", "quiet_hours": "21:00-08:00", "timezone": "Asia/Bangkok"},
        {"customer_id": "Q2", "quiet_hours": "21:00-08:00", "timezone": "America/New_York"},
    ])  # fmt: skip
    seg = audience(client, world)
    # 15:00 UTC: 22:00 in Bangkok (quiet), 11:00 (EDT) or 10:00 (EST) in New York (not quiet)
    frozen[0] = (frozen[0] + timedelta(days=1)).replace(hour=15, minute=0, second=0)
    dist = distribute(client, world, survey["id"], segment_id=seg, channels=["email"])
    jobs.run_pending()
    got = {i.profile_id: i for i in invitations(dist["id"])}
    assert got[ids["Q2"]].status == "sent"
    bangkok = got[ids["Q1"]]
    assert (bangkok.status, bangkok.reason) == ("deferred", "quiet_hours")
    assert bangkok.next_attempt_at == frozen[0].replace(hour=1) + timedelta(days=1)  # 08:00 ICT
    assert status_of(client, world, dist["id"])["deferred"] == {"quiet_hours": 1}
    assert len(mail.handler.received) == 1

    frozen[0] = bangkok.next_attempt_at + timedelta(seconds=2)
    jobs.run_pending()
    assert {i.status for i in invitations(dist["id"])} == {"sent"}
    assert len(mail.handler.received) == 2
    assert status_of(client, world, dist["id"])["status"] == "done"
