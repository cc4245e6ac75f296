"""Audiences (saved segments) through the API, the pages and the CLI: create, read, change and
delete. Deleting is refused (409) while a distribution that is not finished uses the audience;
finished distributions are detached; the deletion is audited; other workspaces get 404."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cxloop.cli.main import app as cli
from cxloop.core import clock, jobs
from cxloop.core.audit import AuditEntry
from cxloop.core.db import unit_of_work
from tests.factories import World
from tests.surveys.helpers import create_survey
from tests.web.test_pages import login

from .conftest import audience, customers, distribute, email, status_of

runner = CliRunner()


def _delete(client: TestClient, world: World, seg: int, role: str = "analyst") -> Any:
    return client.delete(f"/api/v1/segments/{seg}", headers=world.headers(role))


def _deletions(seg: int) -> list[AuditEntry]:
    with unit_of_work(write=False) as s:
        rows = list(
            s.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "segment.delete", AuditEntry.entity_id == str(seg)
                )
            )
        )
        s.expunge_all()
        return rows


def test_delete_is_refused_while_a_distribution_uses_it_then_detaches_finished_ones(
    client: TestClient, world: World, rival: World
) -> None:
    survey = create_survey(client, world)
    customers(client, world, [{"id": "A1", "email": email(1)}])
    gold = audience(client, world, "Gold", tiers=["gold"])
    everyone = audience(client, world, "Everyone")
    later = (clock.now() + timedelta(days=2)).isoformat()
    planned = distribute(
        client, world, survey["id"], segment_id=gold, channels=["email"], mode="scheduled",
        scheduled_at=later,
    )  # fmt: skip
    handed = distribute(client, world, survey["id"], segment_id=everyone, channels=["web"])
    jobs.run_pending()
    assert status_of(client, world, handed["id"])["status"] == "done"
    trigger = distribute(
        client, world, survey["id"], segment_id=everyone, channels=["email"], mode="trigger",
        trigger={"channel": "phone", "delay_hours": 1},
    )  # fmt: skip

    for role in ("agent", "account_manager"):  # only surveys.manage may delete
        r = _delete(client, world, gold, role)
        assert r.status_code == 403 and "surveys.manage" in r.text, (role, r.text)
    assert _delete(client, rival, gold, "admin").status_code == 404  # not across workspaces
    assert client.get(f"/api/v1/segments/{gold}", headers=world.headers()).status_code == 200

    r = _delete(client, world, gold)  # a scheduled distribution will read it
    assert r.status_code == 409, r.text
    err = r.json()["error"]
    assert err["code"] == "segment.in_use" and err["data"]["distributions"] == [planned["id"]]
    assert "Gold" in err["message"] and str(planned["id"]) in err["message"]
    r = _delete(client, world, everyone)  # an active trigger reads it at every poll
    assert r.status_code == 409 and r.json()["error"]["data"]["distributions"] == [trigger["id"]]

    for dist in (planned, trigger):
        cancel = client.post(f"/api/v1/distributions/{dist['id']}/cancel", headers=world.headers())
        assert cancel.status_code == 200, cancel.text
    assert _delete(client, world, gold).status_code == 204
    assert _delete(client, world, everyone).status_code == 204
    assert _delete(client, world, gold).status_code == 404  # gone
    assert client.get(f"/api/v1/segments/{gold}", headers=world.headers()).status_code == 404
    assert client.get("/api/v1/segments", headers=world.headers()).json() == []
    for dist in (planned, handed, trigger):  # the history stays, without its audience
        after = status_of(client, world, dist["id"])
        assert after["segment_id"] is None and after["status"] in ("done", "cancelled"), after
    assert status_of(client, world, handed["id"])["invitations"] == 1
    [entry] = _deletions(everyone)
    assert entry.actor.startswith("api_key:") and entry.after is None  # the analyst's key
    assert entry.before == {
        "name": "Everyone", "filters": {}, "distributions": [handed["id"], trigger["id"]],
    }  # fmt: skip
    assert client.delete("/api/v1/segments/0", headers=world.headers()).status_code == 422
    assert client.delete("/api/v1/segments/1").status_code == 401


def test_audiences_through_the_pages(client: TestClient, world: World, rival: World) -> None:
    survey = create_survey(client, world)
    customers(client, world, [{"id": "P1", "email": email(1), "tier": "gold"}])
    r = client.post(
        "/api/v1/segments",
        json={"name": "Thai gold", "filters": {"tiers": ["gold"], "languages": ["th"],
              "consent": {"channel": "sms", "require": "granted"}}},
        headers=world.headers(),
    )  # fmt: skip
    seg = r.json()["id"]
    rival_seg = audience(client, rival, "Theirs")
    csrf = login(client, world, "analyst")

    page = client.get(f"/audiences/{seg}")  # the form holds the audience as it is
    assert page.status_code == 200
    assert 'value="Thai gold"' in page.text and 'value="gold"' in page.text
    assert 'value="th" checked' in page.text and 'value="en" checked' not in page.text
    assert 'value="sms" selected' in page.text and 'value="granted" selected' in page.text
    assert f'action="/audiences/{seg}"' in page.text
    assert client.get(f"/audiences/{rival_seg}").status_code == 404

    form = {"csrf_token": csrf, "name": "Gold", "tiers": "gold", "consent_channel": "sms",
            "consent_require": "granted"}  # fmt: skip
    preview = client.post(f"/audiences/{seg}", data={**form, "action": "preview"})
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.text
    bad = client.post(f"/audiences/{seg}", data={**form, "regions": "Thailand", "action": "save"})
    assert bad.status_code == 422 and "regions" in bad.text
    assert 'value="Thailand"' in bad.text  # what was typed is kept
    saved = client.post(
        f"/audiences/{seg}", data={**form, "action": "save"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    got = client.get(f"/api/v1/segments/{seg}", headers=world.headers()).json()
    assert got["name"] == "Gold" and got["filters"]["languages"] == []
    assert got["filters"]["consent"] == {"channel": "sms", "require": "granted"}

    later = (clock.now() + timedelta(days=1)).isoformat()
    distribute(client, world, survey["id"], segment_id=seg, channels=["email"], mode="scheduled",
               scheduled_at=later)  # fmt: skip
    refused = client.post(f"/audiences/{seg}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "not finished" in refused.text
    assert client.get(f"/api/v1/segments/{seg}", headers=world.headers()).status_code == 200
    spare = audience(client, world, "Spare")
    listing = client.get("/audiences")
    assert f'action="/audiences/{spare}/delete"' in listing.text
    gone = client.post(
        f"/audiences/{spare}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert gone.status_code == 303
    assert client.get(f"/api/v1/segments/{spare}", headers=world.headers()).status_code == 404
    no_csrf = client.post(f"/audiences/{seg}/delete", data={})
    assert no_csrf.status_code == 403
    assert client.post(f"/audiences/{rival_seg}/delete", data={"csrf_token": csrf}).status_code == (
        404
    )

    agent_client = TestClient(client.app)
    agent_csrf = login(agent_client, world, "agent")
    listing = agent_client.get("/audiences")  # may read, not change
    assert listing.status_code == 200 and "/delete" not in listing.text
    assert agent_client.get(f"/audiences/{seg}").status_code == 403
    denied = agent_client.post(f"/audiences/{seg}/delete", data={"csrf_token": agent_csrf})
    assert denied.status_code == 403


def test_audiences_through_the_cli(client: TestClient, world: World, tmp_path: Path) -> None:
    survey = create_survey(client, world)
    customers(client, world, [{"id": "L1", "email": email(1), "tier": "gold"},
                              {"id": "L2", "email": email(2), "tier": "silver"}])  # fmt: skip
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({"tiers": ["gold"]}))
    silver = tmp_path / "silver.json"
    silver.write_text(json.dumps({"tiers": ["silver", "gold"]}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"regions": ["Thailand"]}))

    def run(*args: str) -> tuple[int, str, str]:
        r = runner.invoke(cli, ["distribution", *args])
        return r.exit_code, r.stdout, r.stderr

    code, out, err = run("audience", "Gold", "--filters", str(gold))
    assert code == 0 and "saved: 1 customers now" in out, err
    seg = int(out.split()[1])
    code, out, _ = run("audiences")
    assert code == 0 and f"{seg}\tGold\t1 customers" in out
    code, out, err = run("audience-edit", str(seg), "--name", "Metal", "--filters", str(silver))
    assert code == 0 and f"audience {seg} saved: 2 customers now" in out, err
    code, out, _ = run("audiences")
    assert f"{seg}\tMetal\t2 customers" in out
    code, _out, err = run("audience-edit", str(seg), "--filters", str(bad))
    assert code == 1 and "regions" in err
    code, _out, err = run("audience-edit", str(seg))
    assert code == 1 and "nothing to change" in err

    later = (clock.now() + timedelta(days=1)).isoformat()
    dist = distribute(client, world, survey["id"], segment_id=seg, channels=["email"],
                      mode="scheduled", scheduled_at=later)  # fmt: skip
    code, _out, err = run("audience-delete", str(seg))
    assert code == 2 and "segment.in_use" in err and str(dist["id"]) in err
    client.post(f"/api/v1/distributions/{dist['id']}/cancel", headers=world.headers())
    code, out, err = run("audience-delete", str(seg))
    assert code == 0 and f"audience {seg} deleted" in out, err
    code, _out, err = run("audience-delete", str(seg))
    assert code == 2 and "segment.not_found" in err
    [entry] = _deletions(seg)
    assert (entry.actor, entry.actor_label) == ("system", "cli")


def test_renaming_to_a_name_in_use_is_a_conflict_that_changes_nothing(
    client: TestClient, world: World
) -> None:
    first = audience(client, world, "A", tiers=["gold"])
    second = audience(client, world, "B", tiers=["silver"])
    h = world.headers()
    before = client.get(f"/api/v1/segments/{second}", headers=h).json()
    for body in ({"name": "A"}, {"name": " A ", "filters": {"tiers": ["bronze"]}}):
        r = client.put(f"/api/v1/segments/{second}", json=body, headers=h)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "segment.name_taken"
        assert r.json()["error"]["data"] == {"name": "A"}
    assert client.get(f"/api/v1/segments/{second}", headers=h).json() == before
    assert client.get(f"/api/v1/segments/{first}", headers=h).json()["filters"]["tiers"] == ["gold"]
    r = client.put(f"/api/v1/segments/{second}", json={"name": "C"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "C"  # the session is still usable

    csrf = login(client, world, "analyst")
    page = client.post(
        f"/audiences/{second}", data={"csrf_token": csrf, "name": "A", "action": "save"}
    )
    assert page.status_code == 409 and "exists already" in page.text
    assert 'value="A"' in page.text  # what was typed is kept
    assert client.get(f"/api/v1/segments/{second}", headers=h).json()["name"] == "C"

    code = runner.invoke(cli, ["distribution", "audience-edit", str(second), "--name", "A"])
    assert code.exit_code != 0 and "segment.name_taken" in code.stderr, code.output
    assert client.get(f"/api/v1/segments/{second}", headers=h).json()["name"] == "C"
    taken = client.post("/audiences", data={"csrf_token": csrf, "name": "A", "action": "save"})
    assert taken.status_code == 409 and "exists already" in taken.text
