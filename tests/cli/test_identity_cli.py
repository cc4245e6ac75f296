"""``cxloop identity``: settings, the review queue, decisions and undo, on the test database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxloop.cli.main import app
from cxloop.profiles.survivorship import ATTRIBUTES
from tests.factories import World, make_source
from tests.identity.conftest import load

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def api_settings(client: TestClient, world: World) -> dict[str, Any]:
    """The settings as the API reports them."""
    data: dict[str, Any] = client.get("/api/v1/identity/settings", headers=world.headers()).json()
    return data


def test_settings_prints_the_defaults(world: World) -> None:
    code, out, _ = run("identity", "settings")
    assert code == 0
    assert "auto-merge threshold  0.95  (default 0.95)" in out
    assert "review threshold      0.7  (default 0.7)" in out
    assert "  phone         most_recent     (default)" in out
    assert "unique sources: (none)" in out
    code, out, _ = run("identity", "settings", "--json", "--workspace", "acme")
    conf = json.loads(out)
    assert [r["attribute"] for r in conf["rules"]] == list(ATTRIBUTES)
    assert conf["auto_threshold"] == 0.95 and conf["unique_sources"] == []


def test_set_changes_any_subset_and_is_audited(client: TestClient, world: World) -> None:
    make_source(world, "billing", "billing", trust_rank=1)
    code, out, err = run(
        "identity",
        "set",
        "--auto",
        "0.9",
        "--review",
        "0.6",
        "--rule",
        "phone=most_trusted",
        "--rule",
        "email=most_frequent",
        "--unique-source",
        "billing",
    )
    assert code == 0, err
    assert "auto-merge threshold  0.9  (default 0.95)" in out
    assert "  phone         most_trusted    (default: most_recent)" in out
    assert "unique sources: billing" in out
    conf = api_settings(client, world)
    assert (conf["auto_threshold"], conf["review_threshold"]) == (0.9, 0.6)
    assert conf["survivorship"] == {"phone": "most_trusted", "email": "most_frequent"}
    assert conf["unique_sources"] == ["billing"]
    # a subset leaves the rest alone
    code, _, err = run("identity", "set", "--review", "0.65")
    assert code == 0, err
    conf = api_settings(client, world)
    assert (conf["auto_threshold"], conf["review_threshold"]) == (0.9, 0.65)
    assert conf["unique_sources"] == ["billing"] and conf["survivorship"]["phone"] == "most_trusted"
    code, _, _ = run("identity", "set", "--no-unique-sources")
    assert code == 0 and api_settings(client, world)["unique_sources"] == []
    audit = client.get(
        "/api/v1/audit", params={"entity_type": "workspace"}, headers=world.headers()
    ).json()
    changes = [e for e in audit if e["action"] == "identity.settings"]
    assert len(changes) == 3 and {(e["actor"], e["actor_label"]) for e in changes} == {
        ("system", "cli")
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--auto", "1.5"], 2, "auto_threshold: must be between 0 and 1"),
        (["--review", "0"], 2, "review_threshold: must be between 0 and 1"),
        (["--review", "0.99"], 2, "review_threshold: must not be above auto_threshold"),
        (["--auto", "nan"], 2, "auto_threshold: must be between 0 and 1"),
        (["--auto", "high"], 2, "Invalid value for '--auto'"),
        (["--rule", "phone"], 1, "--rule 'phone': write ATTRIBUTE=RULE"),
        (["--rule", "phone=loudest"], 2, "survivorship.phone: unknown rule 'loudest'"),
        (["--rule", "shoe_size=most_recent"], 2, "survivorship.shoe_size: unknown attribute"),
        (["--unique-source", "nowhere"], 2, "Source 'nowhere' not found"),
        (["--unique-source", "9" * 5000], 2, "unique_sources: no source has a name or id"),
        (["--unique-source", "crm", "--no-unique-sources"], 1, "not both"),
        ([], 1, "nothing to change"),
    ],
)
def test_set_refuses_bad_values(
    client: TestClient, world: World, args: list[str], code: int, message: str
) -> None:
    make_source(world, "crm", "crm")
    before = api_settings(client, world)
    got, _out, err = run("identity", "set", *args)
    assert got == code
    assert message in " ".join(err.split()), err
    assert api_settings(client, world) == before


def test_review_approve_reject_and_undo(client: TestClient, world: World) -> None:
    load(client, world)
    code, _, err = run("identity", "set", "--auto", "0.9999999", "--review", "0.05")
    assert code == 0, err
    code, _, err = run("resolve", "--full")
    assert code == 0, err
    h = world.headers()
    queue = client.get("/api/v1/identity/review", params={"limit": 200}, headers=h)
    items = queue.json()
    code, out, err = run("identity", "review", "--limit", "500")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert len(lines) == int(queue.headers["x-total-count"]) >= 2
    assert f"of {len(lines)} pending" in err
    assert [int(line[0]) for line in lines] == [i["id"] for i in items]  # most likely first
    for line, item in zip(lines, items, strict=True):
        a, b = item["record_a"], item["record_b"]
        assert line[1] == f"{item['probability']:.3f}"
        assert line[2:] == [
            f"{a['full_name']} ({a['source']} {a['external_id']})",
            f"{b['full_name']} ({b['source']} {b['external_id']})",
            (item["review_reason"] or {}).get("message") or "-",
        ]

    # approving a pair of two customers merges them, and says how to undo it
    cross = next(i for i in items if i["record_a"]["profile_id"] != i["record_b"]["profile_id"])
    absorbed = {cross["record_a"]["profile_id"], cross["record_b"]["profile_id"]}
    code, out, err = run("identity", "approve", str(cross["id"]))
    assert code == 0, err
    assert out.startswith(f"match {cross['id']} approved: customer ")
    merge_id = out.split("(merge ")[1].split(";")[0]
    link = client.get(f"/api/v1/identity/links/{cross['id']}", headers=h).json()
    assert link["status"] == "approved"
    assert link["record_a"]["profile_id"] == link["record_b"]["profile_id"]
    code, _, err = run("identity", "approve", str(cross["id"]))
    assert code == 2 and "already approved" in err

    other = next(i for i in items if i["id"] != cross["id"])
    code, out, err = run("identity", "reject", str(other["id"]))
    assert code == 0 and out.startswith(f"match {other['id']} rejected"), err
    assert client.get(f"/api/v1/identity/links/{other['id']}", headers=h).json()["status"] == (
        "rejected"
    )
    assert len(run("identity", "review", "--limit", "500")[1].splitlines()) == len(lines) - 2

    code, out, err = run("identity", "undo", merge_id)
    assert code == 0, err
    assert out.startswith(f"merge {merge_id} undone: customer ")
    link = client.get(f"/api/v1/identity/links/{cross['id']}", headers=h).json()
    assert {link["record_a"]["profile_id"], link["record_b"]["profile_id"]} == absorbed
    code, _, err = run("identity", "undo", merge_id)
    assert code == 2 and "already undone" in err
    code, _, err = run("identity", "undo", "999999")
    assert code == 2 and "identity.merge_not_found" in err
    code, _, err = run("identity", "approve", "999999")
    assert code == 2 and "identity.link_not_found" in err
