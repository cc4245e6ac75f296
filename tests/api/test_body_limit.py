"""The body size limit reads the declared length without trusting it to be a small number."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import World


def test_a_declared_length_of_thousands_of_digits_is_too_large(
    client: TestClient, world: World
) -> None:
    for declared in ("9" * 5000, "9" * 19):
        r = client.post(
            "/api/v1/sampling/margin",
            content=b'{"responses": 100}',
            headers={**world.headers(), "Content-Type": "application/json",
                     "Content-Length": declared},
        )  # fmt: skip
        assert r.status_code == 413, r.text
        assert r.json()["error"]["code"] == "request.too_large"
