"""50 concurrent submissions of one single-use survey link over real HTTP: exactly one is
stored, the other 49 are answered 409 (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from sqlalchemy import func, select

from cxloop.core.db import unit_of_work
from cxloop.journeys import queries as _journeys  # noqa: F401  (models registered)
from cxloop.journeys.models import Interaction
from cxloop.surveys.models import SurveyAnswer, SurveyResponse
from tests.e2e.conftest import Server, run_async
from tests.factories import World
from tests.surveys.helpers import FULL_ANSWERS, create_survey, make_customer, personal_link

N = 50


async def _race(url: str, token: str) -> list[int]:
    limits = httpx.Limits(max_connections=N, max_keepalive_connections=N)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        start = asyncio.Event()

        async def one() -> int:
            await start.wait()
            r = await client.post("/api/v1/respond", json={"token": token, "answers": FULL_ANSWERS})
            return r.status_code

        tasks = [asyncio.create_task(one()) for _ in range(N)]
        await asyncio.sleep(0.2)
        start.set()
        return await asyncio.gather(*tasks)


def test_one_single_use_link_submitted_50_times_at_once(live_server: Server, world: World) -> None:
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        survey = create_survey(client, world)  # type: ignore[arg-type]
        pid = make_customer(client, world)  # type: ignore[arg-type]
        link = personal_link(client, world, survey["id"], pid)  # type: ignore[arg-type]
    codes = Counter(run_async(_race(live_server.url, link["token"])))
    assert codes == {201: 1, 409: N - 1}, codes
    with unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 1
        assert s.scalar(select(func.count()).select_from(SurveyAnswer)) == len(FULL_ANSWERS)
        assert s.scalar(select(func.count()).select_from(Interaction)) == 1
    assert link["token"] not in live_server.log.read_text()
