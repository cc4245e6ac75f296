"""The sampling planner through the API, the CLI and the page."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxloop.cli.main import app as cli
from tests.factories import World
from tests.web.test_pages import login


def test_api_sample_size_with_population_and_response_rate(
    client: TestClient, world: World
) -> None:
    r = client.post(
        "/api/v1/sampling/sample-size",
        json={"margin": 0.05, "population": 9000, "response_rate": 0.2},
        headers=world.headers("agent"),
    )
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["n0_rounded"] == 385
    assert plan["sample_size"] in (368, 369)  # Krejcie & Morgan print 368 for N = 9000
    assert plan["invitations"]["invitations"] == -(-plan["sample_size"] * 5 // 1)


def test_api_errors_name_the_field(client: TestClient, world: World) -> None:
    h = world.headers()
    r = client.post("/api/v1/sampling/sample-size", json={"margin": 5}, headers=h)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "sampling.invalid"
    assert err["data"]["field"] == "margin" and "0.05" in err["data"]["reason"]
    r = client.post(
        "/api/v1/sampling/stratified",
        json={
            "strata": [{"name": "A", "share": 0.5}, {"name": "B", "share": 0.4}],
            "total": 100,
            "method": "shares",
        },
        headers=h,
    )
    assert r.status_code == 422 and "add up to 1" in r.json()["error"]["message"]
    assert client.post("/api/v1/sampling/margin", json={"responses": 100}).status_code == 401


def test_api_the_key_accounts_own_proportions(client: TestClient, world: World) -> None:
    body = {
        "strata": [
            {"name": "Enterprise", "share": 0.15, "minimum": 100, "response_rate": 0.3},
            {"name": "Mid-market", "share": 0.35, "response_rate": 0.2},
            {"name": "SMB", "share": 0.5, "response_rate": 0.12},
        ],
        "method": "shares",
        "margin": 0.05,
    }
    plan = client.post("/api/v1/sampling/stratified", json=body, headers=world.headers()).json()
    assert plan["overall_margin"] <= 0.05
    by = {s["name"]: s for s in plan["strata"]}
    assert by["Enterprise"]["responses"] >= 100
    assert sum(s["responses"] for s in plan["strata"]) == plan["total"]
    assert plan["invitations"] == sum(s["invitations"]["invitations"] for s in plan["strata"])


def test_nps_margin_from_counts(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/sampling/nps-margin",
        json={"promoters": 50, "passives": 30, "detractors": 20},
        headers=world.headers(),
    ).json()
    assert r["nps"] == 30.0
    assert 10 < r["margin"] < 20


def test_cli(tmp_path: Path) -> None:
    run = CliRunner().invoke
    r = run(cli, ["sample-size", "proportion", "--margin", "0.03"])
    assert r.exit_code == 0 and "responses needed: 1,068" in r.stdout
    r = run(cli, ["sample-size", "proportion", "--margin", "3"])
    assert r.exit_code == 1 and "0.03" in r.stderr
    r = run(cli, ["sample-size", "nps", "--margin", "5", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["sample_size"] > 1000
    strata = tmp_path / "strata.csv"
    strata.write_text(
        "name,share,minimum,response_rate\nEnterprise,0.15,100,0.3\nSMB,0.85,,0.1\n",
        encoding="utf-8",
    )
    r = run(cli, ["sample-size", "strata", str(strata), "--total", "400", "--method", "shares"])
    assert r.exit_code == 0, r.stderr
    assert "Enterprise: 100" in r.stdout and "SMB: 300" in r.stdout


def test_page_in_percentages_and_errors(client: TestClient, world: World) -> None:
    login(client, world, "agent")
    page = client.get(
        "/sampling",
        params={"calc": "proportion", "margin": "5", "confidence": "95", "population": "9000"},
    )
    assert page.status_code == 200
    assert 'data-testid="sampling-result"' in page.text
    assert "369" in page.text or "368" in page.text
    bad = client.get("/sampling", params={"calc": "proportion", "margin": "0"})
    assert bad.status_code == 422 and 'data-testid="sampling-error"' in bad.text
    junk = client.get("/sampling", params={"calc": "strata", "strata": "A,lots", "total": "10"})
    assert junk.status_code == 422
    strata = client.get(
        "/sampling",
        params={
            "calc": "strata",
            "strata": "Enterprise,15%,100,30%\nMid,35%,,20%\nSMB,50%,,12%",
            "method": "shares",
            "margin": "5",
        },
    )
    assert strata.status_code == 200 and "Enterprise" in strata.text
