"""Files that cannot be read as they are: a wrong encoding, broken bytes, odd CSV quoting.

Never a server error: a declared encoding that is not one is a 422 naming the field, bytes that
cannot be decoded cost only their row (named line, field and byte), a header that cannot be read
is a file error naming the column, and a file that cannot be read to its end ends its batch as
failed with the reason, keeping what was read before (accepted + rejected = received).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import World, make_source

HEADER = "external_id,full_name\n"


def upload(client: TestClient, world: World, data: bytes, **form: str) -> Any:
    return client.post(
        "/api/v1/sources/crm/files",
        files={"file": ("f.csv", data, "application/octet-stream")},
        data={"entity": "customer", **form},
        headers=world.headers(),
    )


def batches(client: TestClient, world: World) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = client.get("/api/v1/batches", headers=world.headers()).json()
    return out


def rows(n: int, start: int = 1) -> str:
    return "".join(f"X{i},Person {i}\n" for i in range(start, start + n))


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        (b'external_id;full_name\nx1;Ann "Jo" Lee\nx2;Bo\n', 2),  # a quote in a plain field
        (b'a;b"\n1;2"\n', 0),  # no id column: rejected, not a crash
    ],
)
def test_csv_quoting_the_writer_would_not_repeat_is_read(
    client: TestClient, world: World, data: bytes, accepted: int
) -> None:
    make_source(world, "crm")
    r = upload(client, world, data)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["status"] == "done", rep
    assert rep["accepted"] == accepted and rep["accepted"] + rep["rejected"] == rep["received"]
