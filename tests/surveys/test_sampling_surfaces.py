"""The sampling planner through the API, the CLI and the page."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cxloop.cli.main import app as cli
from tests.factories import World
from tests.web.test_pages import login

ERROR = re.compile(r'data-testid="sampling-error">(.*?)</p>', re.S)


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
    [err] = r.json()["error"]["data"]["errors"]
    assert err["field"] == "margin" and "did you mean 0.05?" in err["reason"]
    r = client.post(
        "/api/v1/sampling/margin", json={"responses": 100, "population": 50}, headers=h
    )  # each value is in range, together they are not: the planner's own check
    err = r.json()["error"]
    assert r.status_code == 422 and err["code"] == "sampling.invalid"
    assert err["data"]["field"] == "population" and "smaller than the 100" in err["data"]["reason"]
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


# ----------------------------------------------- the documented ranges of every numeric input

VALID = {
    "sample-size": {"margin": 0.05},
    "margin": {"responses": 400},
    "nps-margin": {"promoters": 0.5, "detractors": 0.2, "responses": 400},
    "nps-sample-size": {"margin": 5},
    "stratified": {"strata": [{"name": "A", "population": 1000}, {"name": "B"}], "total": 400},
}
VALID["stratified"]["strata"][1]["population"] = 3000  # type: ignore[index]


def _named(r: Any) -> set[str]:
    """The fields a 422 names, whichever check refused the input."""
    assert r.status_code == 422, r.text
    data = r.json()["error"]["data"]
    return {e["field"] for e in data["errors"]} if "errors" in data else {data["field"]}


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


@pytest.mark.parametrize("endpoint", sorted(VALID))
def test_confidence_outside_its_range_names_the_field(
    client: TestClient, world: World, endpoint: str
) -> None:
    url, h = f"/api/v1/sampling/{endpoint}", world.headers()
    for confidence in (0.9999999999999999, 1e-300, 0.3, 0.99995, 95):
        r = client.post(url, json={**VALID[endpoint], "confidence": confidence}, headers=h)
        assert _named(r) == {"confidence"}, (confidence, r.text)
    for confidence in (0.5, 0.9999):  # both ends are allowed and give finite figures
        r = client.post(url, json={**VALID[endpoint], "confidence": confidence}, headers=h)
        assert r.status_code == 200, r.text
        assert _finite(r.json()) and r.json()["confidence"] == confidence


def test_percentages_still_get_the_fraction_hint(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/sampling/sample-size",
        json={"confidence": 95, "margin": 0.05},
        headers=world.headers(),
    )
    assert _named(r) == {"confidence"} and "did you mean 0.95?" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("sample-size", {"population": 10**24}, "population"),
        ("nps-sample-size", {"population": 10**24}, "population"),
        ("margin", {"population": 10**24}, "population"),
        ("nps-margin", {"population": 10**24}, "population"),
        ("nps-margin", {"responses": 10**13}, "responses"),
        ("nps-margin", {"promoters": 1e300, "passives": 1, "detractors": 1}, "promoters"),
        ("nps-margin", {"passives": 10**24}, "passives"),
        ("stratified", {"total": 10**24}, "total"),
        ("sample-size", {"response_rate": 1e-300}, "response_rate"),
        ("sample-size", {"margin": 1e-300}, "margin"),
        ("nps-sample-size", {"margin": 1e-300}, "margin"),
        ("nps-sample-size", {"margin": 250}, "margin"),
    ],
)
def test_numbers_beyond_their_range_name_the_field(
    client: TestClient, world: World, endpoint: str, body: dict[str, Any], field: str
) -> None:
    r = client.post(
        f"/api/v1/sampling/{endpoint}", json={**VALID[endpoint], **body}, headers=world.headers()
    )
    assert _named(r) == {field}, r.text


def test_a_count_with_thousands_of_digits_names_the_field(client: TestClient, world: World) -> None:
    h = {**world.headers(), "Content-Type": "application/json"}
    r = client.post(
        "/api/v1/sampling/margin", content='{"responses": ' + "9" * 4000 + "}", headers=h
    )
    assert _named(r) == {"responses"}
    stratum = '{"name": "A", "population": ' + "9" * 4000 + "}"
    r = client.post(
        "/api/v1/sampling/stratified", content=f'{{"strata": [{stratum}], "total": 5}}', headers=h
    )
    assert _named(r) == {"strata.0.population"}


def test_the_largest_allowed_counts_give_finite_figures(client: TestClient, world: World) -> None:
    h, big = world.headers(), 10**12
    for endpoint, body in [
        (
            "sample-size",
            {"margin": 1e-6, "confidence": 0.9999, "population": big, "response_rate": 0.0001},
        ),
        ("margin", {"responses": big, "population": big}),
        ("nps-margin", {"promoters": big, "passives": big, "detractors": big}),
        ("nps-sample-size", {"margin": 0.0001, "population": big, "response_rate": 0.0001}),
        (
            "stratified",
            {
                "strata": [{"name": "A", "population": big, "minimum": big}],
                "total": big,
                "response_rate": 0.0001,
            },
        ),
        (
            "stratified",
            {
                "strata": [{"name": "A", "population": big}, {"name": "B", "share": 0}],
                "margin": 1e-6,
            },
        ),
    ]:
        r = client.post(f"/api/v1/sampling/{endpoint}", json=body, headers=h)
        assert r.status_code in (200, 422), r.text
        assert r.status_code == 422 or _finite(r.json()), (endpoint, r.text)


def test_the_cli_names_the_field_of_a_number_out_of_range() -> None:
    run = CliRunner().invoke
    r = run(
        cli, ["sample-size", "proportion", "--margin", "0.05", "--confidence", "0.9999999999999999"]
    )
    assert r.exit_code == 1 and "confidence" in r.stderr, r.output
    r = run(cli, ["sample-size", "margin", "--responses", "9" * 25])
    assert r.exit_code == 1 and "responses" in r.stderr, r.output
    r = run(cli, ["sample-size", "nps", "--margin", "5", "--population", "9" * 25])
    assert r.exit_code == 1 and "population" in r.stderr, r.output


def test_the_page_names_the_field_of_a_number_out_of_range(
    client: TestClient, world: World
) -> None:
    login(client, world, "agent")
    base = {"calc": "proportion", "margin": "5"}
    for params, field in [
        ({"confidence": "99.99999999999999"}, "confidence"),
        ({"population": "9" * 5000}, "population"),
        ({"population": "lots"}, "population"),
        ({"response_rate": "abc"}, "response_rate"),
    ]:
        page = client.get("/sampling", params={**base, **params})
        assert page.status_code == 422, page.text
        error = ERROR.search(page.text)
        assert error and field in error.group(1), (params, error)
    rows = [f"A,{'9' * 5000}", "A,10,lots", "A,10%,,x%", "A,1e999%"]
    for row in rows:
        page = client.get("/sampling", params={"calc": "strata", "strata": row, "total": "5"})
        assert page.status_code == 422, (row, page.text)
    page = client.get("/sampling", params={"calc": "nps", "nps_margin": "x"})
    assert page.status_code == 422 and "nps_margin" in (ERROR.search(page.text) or [""])[0]


IN_RANGE = {
    "confidence": st.floats(0.5, 0.9999),
    "population": st.none() | st.integers(1, 10**12),
    "response_rate": st.none() | st.floats(0.0001, 1.0),
}
BODIES = st.one_of(
    st.fixed_dictionaries(
        {"margin": st.floats(1e-6, 1.0, exclude_max=True), "proportion": st.floats(0.0, 1.0)},
        optional=IN_RANGE,
    ).map(lambda b: ("sample-size", b)),
    st.fixed_dictionaries(
        {"responses": st.integers(1, 10**12), "proportion": st.floats(0.0, 1.0)},
        optional={k: IN_RANGE[k] for k in ("confidence", "population")},
    ).map(lambda b: ("margin", b)),
    st.fixed_dictionaries(
        {
            "promoters": st.integers(0, 10**12),
            "passives": st.integers(0, 10**12),
            "detractors": st.integers(0, 10**12),
        },
        optional={k: IN_RANGE[k] for k in ("confidence", "population")},
    ).map(lambda b: ("nps-margin", b)),
    st.fixed_dictionaries(
        {"margin": st.floats(1e-4, 200.0, exclude_max=True)}, optional=IN_RANGE
    ).map(lambda b: ("nps-sample-size", b)),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(BODIES)
def test_any_values_in_the_documented_ranges_plan_or_say_which_field_conflicts(
    client: TestClient, world: World, case: tuple[str, dict[str, Any]]
) -> None:
    endpoint, body = case
    r = client.post(f"/api/v1/sampling/{endpoint}", json=body, headers=world.headers())
    if r.status_code == 422:  # e.g. a population smaller than the responses
        assert r.json()["error"]["code"] == "sampling.invalid" and _named(r), r.text
    else:
        assert r.status_code == 200 and _finite(r.json()), r.text
