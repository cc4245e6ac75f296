"""Schemathesis: inputs generated from the OpenAPI document never cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from cxloop.api.app import create_app
from tests.factories import World, make_source, post_records

schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_causes_a_server_error(case, world: World, client) -> None:  # type: ignore[no-untyped-def]
    make_source_once(world, client)
    response = case.call(headers={"Authorization": f"Bearer {world.keys['admin']}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message", "data"} <= set(body["error"])


def make_source_once(world: World, client) -> None:  # type: ignore[no-untyped-def]
    """Give the generated requests something to hit: a source with a few records."""
    if world.secrets:
        return
    make_source(world, "crm")
    post_records(
        client,
        world,
        "crm",
        "customer",
        [{"id": "F1", "full_name": "Fuzz Target", "email": "f@example.com"}],
    )
