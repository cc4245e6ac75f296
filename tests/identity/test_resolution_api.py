"""Identity resolution end to end: who is joined, who is kept apart, and why."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import World, post_records
from tests.identity.conftest import profile_of


def _sources(view: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(r["source"], r["external_id"]) for r in view["records"]}


def test_same_person_across_scripts_and_formats_is_one_profile(
    client: TestClient, loaded: World
) -> None:
    chen = profile_of(client, loaded, "C1")
    assert _sources(chen) == {("crm", "C1"), ("billing", "B1"), ("support", "S1")}
    somchai = profile_of(client, loaded, "C6")
    assert _sources(somchai) == {("crm", "C6"), ("billing", "B6")}
    michael = profile_of(client, loaded, "C2")
    assert _sources(michael) == {("crm", "C2"), ("billing", "B2"), ("support", "S2")}


def test_household_members_and_namesakes_stay_apart(client: TestClient, loaded: World) -> None:
    laura = profile_of(client, loaded, "C3")
    assert _sources(laura) == {("crm", "C3")}
    wang_a, wang_b = profile_of(client, loaded, "C4"), profile_of(client, loaded, "C5")
    assert wang_a["id"] != wang_b["id"]


def test_every_join_is_explained(client: TestClient, loaded: World) -> None:
    chen = profile_of(client, loaded, "C1")
    links = client.get(f"/api/v1/customers/{chen['id']}/links", headers=loaded.headers()).json()
    assert links, "the records of a profile must be joined by explained links"
    for link in links:
        assert link["method"]
        assert 0.0 <= link["probability"] <= 1.0
        assert link["comparison"], link
        assert link["record_a"]["profile_id"] == link["record_b"]["profile_id"] == chen["id"]


def test_the_records_of_the_360_view_name_their_profile(client: TestClient, loaded: World) -> None:
    michael = profile_of(client, loaded, "C2")
    assert len(michael["records"]) == 3
    assert {r["profile_id"] for r in michael["records"]} == {michael["id"]}


def test_golden_record_keeps_provenance(client: TestClient, loaded: World) -> None:
    michael = profile_of(client, loaded, "C2")
    name = michael["golden"]["full_name"]
    assert name["source"] == "billing"  # trust rank 1 wins by default for names
    assert name["rule"] == "most_trusted"
    assert {a["source"] for a in name["alternatives"]} >= {"crm"}
    assert michael["golden"]["email"]["value"] == "michael.turner@example.com"


def test_the_360_view_has_products_spend_timeline_and_consent(
    client: TestClient, loaded: World
) -> None:
    michael = profile_of(client, loaded, "C2")
    assert michael["monthly_spend"] == [{"currency": "USD", "amount_minor": 19900}]
    assert {p["product_name"] for p in michael["products"]} == {"TV Premium", "Fibre 1G", "DSL"}
    assert michael["tenure_months"] >= 12 * 15
    assert [i["agent"] for i in michael["timeline"]] == ["C", "B", "A"]
    assert michael["timeline"][0]["minutes"] == 20.0
    consents = {(c["channel"], c["purpose"]): c["granted"] for c in michael["consents"]}
    assert consents == {("email", "marketing"): False, ("all", "surveys"): True}
    for placeholder in ("cases", "feedback", "churn_risk"):
        assert placeholder in michael


def test_a_new_record_joins_its_profile_incrementally(client: TestClient, loaded: World) -> None:
    from cxloop.core import jobs

    before = profile_of(client, loaded, "C1")
    rep = post_records(client, loaded, "support", "customer", [
        {"id": "S9", "full_name": "陳威廷", "phone": "+886-912-345-678", "email": "weiting@example.tw"}
    ]).json()  # fmt: skip
    assert rep["resolution_job_id"]
    jobs.run_pending()
    after = profile_of(client, loaded, "S9")
    assert after["id"] == before["id"]
    assert ("support", "S9") in _sources(after)


def test_a_record_that_names_another_sources_id_is_joined_to_it(
    client: TestClient, loaded: World
) -> None:
    from cxloop.core import jobs

    rep = post_records(client, loaded, "billing", "customer", [
        {"id": "B7", "full_name": "L. Turner-Smith", "refs": "crm:C3", "country": "US"}
    ]).json()  # fmt: skip
    assert rep["accepted"] == 1, rep
    jobs.run_pending()
    laura = profile_of(client, loaded, "C3")
    assert {("crm", "C3"), ("billing", "B7")} <= _sources(laura)
    bad = post_records(
        client, loaded, "billing", "customer", [{"id": "B8", "full_name": "X", "refs": "C3"}]
    ).json()
    assert bad["rejected"] == 1 and bad["errors"][0]["errors"][0]["field"] == "refs"


def test_us_dates_are_month_first_elsewhere_day_first(client: TestClient, loaded: World) -> None:
    michael = profile_of(client, loaded, "C2")
    billing = next(r for r in michael["records"] if r["external_id"] == "B2")
    assert billing["birth_date"] == "1974-05-12"  # "05/12/1974" from a US record
    rep = post_records(client, loaded, "crm", "customer", [
        {"id": "C8", "full_name": "林小美", "birth_date": "05/12/1974", "country": "TW"}
    ]).json()  # fmt: skip
    assert rep["accepted"] == 1
    from cxloop.core import jobs

    jobs.run_pending()
    rec = next(r for r in profile_of(client, loaded, "C8")["records"] if r["external_id"] == "C8")
    assert rec["birth_date"] == "1974-12-05"
