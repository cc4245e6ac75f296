"""Declaring and changing sources: time zones and field mappings are checked before they are saved."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cxloop.profiles.ingest.validation import Validator
from tests.factories import World, make_source, post_records
from tests.web.test_pages import login


def create(client: TestClient, world: World, **fields: Any) -> Any:
    return client.post(
        "/api/v1/sources",
        json={"name": "crm", "kind": "crm", **fields},
        headers=world.headers(),
    )


def refused(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["data"]["field"] == field, error
    message: str = error["message"]
    return message


@pytest.mark.parametrize("tz", ["x" * 70_000, "x" * 65, "America", "Mars/Base", "", "../etc"])
def test_a_time_zone_that_is_not_one_is_a_422(client: TestClient, world: World, tz: str) -> None:
    assert "IANA time zone" in refused(create(client, world, timezone=tz), "timezone")
    assert create(client, world, timezone="Asia/Taipei").status_code == 201
    r = client.patch("/api/v1/sources/crm", json={"timezone": tz}, headers=world.headers())
    refused(r, "timezone")
    kept = client.get("/api/v1/sources/crm", headers=world.headers()).json()
    assert kept["timezone"] == "Asia/Taipei"


def test_a_preference_with_a_time_zone_directory_is_rejected_by_field(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    rows = [
        {"customer_id": "C1", "timezone": "America"},
        {"customer_id": "C2", "timezone": "Asia/Taipei"},
    ]
    rep = post_records(client, world, "crm", "preference", rows).json()
    assert (rep["accepted"], rep["rejected"]) == (1, 1), rep
    assert rep["errors"][0]["errors"][0]["field"] == "timezone"


def test_a_mapping_onto_a_field_the_entity_lacks_is_a_422_listing_the_fields(
    client: TestClient, world: World
) -> None:
    r = create(client, world, field_mapping={"customer": {"cid": "nonsense"}})
    message = refused(r, "field_mapping.customer.cid")
    assert "'nonsense'" in message and "external_id, full_name" in message
    # a holding field is not a customer field: each entity has its own mapping
    r = create(client, world, field_mapping={"customer": {"sku": "product_code"}})
    refused(r, "field_mapping.customer.sku")
    assert create(client, world, field_mapping={"holding": {"sku": "product_code"}}).is_success
    r = client.patch(
        "/api/v1/sources/crm",
        json={"field_mapping": {"order": {"total_due": "amount", "x": "monthly_amount"}}},
        headers=world.headers(),
    )
    refused(r, "field_mapping.order.x")
    kept = client.get("/api/v1/sources/crm", headers=world.headers()).json()
    assert kept["field_mapping"] == {"holding": {"sku": "product_code"}}


def test_a_mapping_onto_an_alias_is_saved_as_its_field_and_used(
    client: TestClient, world: World
) -> None:
    mapping = {"customer": {"cust_no": "ID", "mail": "email", "mobile": "Phone"}}
    r = create(client, world, field_mapping=mapping)
    assert r.status_code == 201, r.text
    expected = {"cust_no": "external_id", "mail": "emails", "mobile": "phones"}
    assert r.json()["field_mapping"] == {"customer": expected}
    rows = [{"cust_no": "B1", "mail": "b1@example.com"}]  # an email is all it has
    rep = post_records(client, world, "crm", "customer", rows).json()
    assert (rep["accepted"], rep["rejected"]) == (1, 0), rep


def test_a_mapping_saved_onto_an_alias_before_is_read_as_its_field() -> None:
    validator = Validator("customer", {"cust_no": "external_id", "mail": "email"})
    canon, errors = validator.validate({"cust_no": "B1", "mail": "b1@example.com"})
    assert errors == [] and canon is not None
    assert canon.values["emails"] == ["b1@example.com"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("E-mail", "e_mail"),
        ("E-mail", "Ｅ－ｍａｉｌ"),  # full width: the same column once normalised (NFKC)
        ("Mobile", " MOBILE"),  # the same target too: still two keys for one column
        ("cust.no", "Cust No"),
    ],
)
def test_mapping_keys_that_name_the_same_column_are_a_422_naming_both(
    client: TestClient, world: World, first: str, second: str
) -> None:
    # column names are matched normalised, so only one of the two could ever apply
    mapping = {"customer": {first: "emails", "mobile_no": "phones", second: "phones"}}
    message = refused(
        create(client, world, field_mapping=mapping), f"field_mapping.customer.{second}"
    )
    assert repr(first) in message and repr(second) in message, message
    r = create(client, world, field_mapping=mapping)
    assert r.json()["error"]["code"] == "ingest.invalid"
    assert r.json()["error"]["data"]["keys"] == [first, second]
    # the same column under two entities is fine: each entity has its own mapping
    fine = {"customer": {first: "emails"}, "consent": {second: "customer_id"}}
    assert create(client, world, field_mapping=fine).status_code == 201
    r = client.patch(
        "/api/v1/sources/crm",
        json={"field_mapping": mapping},
        headers=world.headers(),
    )
    refused(r, f"field_mapping.customer.{second}")
    kept = client.get("/api/v1/sources/crm", headers=world.headers()).json()
    assert kept["field_mapping"] == {
        "customer": {first: "emails"},
        "consent": {second: "customer_id"},
    }


def test_the_web_mapping_form_refuses_two_keys_for_one_column(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    token = login(client, world)
    r = client.post(
        "/sources/crm/mapping",
        data={
            "csrf_token": token,
            "trust_rank": "3",
            "mapping": '{"customer": {"E-mail": "emails", "e_mail": "phones"}}',
        },
    )
    assert r.status_code == 422, r.text
    assert "E-mail" in r.text and "e_mail" in r.text
    kept = client.get("/api/v1/sources/crm", headers=world.headers()).json()
    assert kept["field_mapping"] == {} and kept["trust_rank"] != 3
