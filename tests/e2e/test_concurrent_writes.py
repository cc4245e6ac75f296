"""Many authenticated write requests at once over real HTTP all succeed (no lock held while a
request waits for a worker thread), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from sqlalchemy import func, select

from cxloop.auth.models import ApiKey
from cxloop.core.db import unit_of_work
from tests.e2e.conftest import Server, run_async
from tests.factories import World

N = 80  # more than the server's 40 worker threads


async def _burst(url: str, key: str) -> list[int]:
    limits = httpx.Limits(max_connections=N, max_keepalive_connections=N)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120, headers=headers) as c:
        start = asyncio.Event()

        async def one(i: int) -> int:
            await start.wait()
            r = await c.post("/api/v1/api-keys", json={"name": f"burst-{i}"})
            return r.status_code

        tasks = [asyncio.create_task(one(i)) for i in range(N)]
        await asyncio.sleep(0.2)
        start.set()
        return await asyncio.gather(*tasks)


def test_a_burst_of_writes_beyond_the_thread_pool(live_server: Server, world: World) -> None:
    codes = Counter(run_async(_burst(live_server.url, world.keys["admin"])))
    assert codes == {201: N}, codes
    with unit_of_work(write=False) as s:
        names = s.scalars(select(ApiKey.name).where(ApiKey.name.like("burst-%"))).all()
        assert len(set(names)) == N
        assert s.scalar(select(func.count()).select_from(ApiKey)) >= N
