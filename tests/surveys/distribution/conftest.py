"""Distribution tests: the app's email channel pointed at a real SMTP server on loopback, SMS at
the fake Twilio-style API, and helpers that make customers, audiences and distributions through
the public API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core import clock, config, jobs
from cxloop.core.db import unit_of_work
from cxloop.profiles.ingest.models import Source
from cxloop.surveys.models_distribution import Invitation
from tests.factories import World, make_source, post_records
from tests.surveys.channels.conftest import (
    Handler,
    Received,
    SlowHandler,
    SmtpServer,
    free_port,
)
from tests.surveys.channels.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.surveys.channels.fake_twilio import start as start_twilio

CALLBACK = "http://testserver/api/v1/hooks/sms/status"
URL = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A loopback SMTP server the app's email channel sends to."""
    yield from _serve_mail(monkeypatch, Handler())


@pytest.fixture
def slow_mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A loopback SMTP server that takes 0.1 s per message (batches take a while)."""
    yield from _serve_mail(monkeypatch, SlowHandler(delay=0.1))


def _serve_mail(monkeypatch: pytest.MonkeyPatch, handler: Handler) -> Iterator[SmtpServer]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    for key, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(controller.port),
        "SMTP_STARTTLS": "false",
        "SMTP_FROM": "surveys@cx.example",
        "SMTP_BOUNCE_ADDRESS": "bounces@cx.example",
        "SMTP_TIMEOUT_SECONDS": "5",
    }.items():
        monkeypatch.setenv(f"CXLOOP_{key}", value)
    config.get_settings.cache_clear()
    try:
        yield SmtpServer(controller.port, handler)
    finally:
        controller.stop()


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    """The fake Twilio-style API, configured as the app's SMS channel."""
    fake = FakeTwilio()
    server, thread = start_twilio(fake)
    for key, value in {
        "SMS_BASE_URL": fake.base_url,
        "SMS_ACCOUNT_SID": ACCOUNT_SID,
        "SMS_AUTH_TOKEN": AUTH_TOKEN,
        "SMS_FROM": "+15005550006",
        "SMS_STATUS_CALLBACK_URL": CALLBACK,
    }.items():
        monkeypatch.setenv(f"CXLOOP_{key}", value)
    config.get_settings.cache_clear()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def frozen() -> Iterator[list[datetime]]:
    """A settable clock: ``frozen[0]`` is now (restored after the test)."""
    now = [datetime.now(UTC).replace(microsecond=0)]
    clock.set_clock(lambda: now[0])
    try:
        yield now
    finally:
        clock.set_clock(None)


GIVEN = [
    "Anong",
    "Boonmee",
    "Chaiya",
    "Daeng",
    "Ekkachai",
    "Fah",
    "Kanya",
    "Lamai",
    "Malee",
    "Niran",
    "Orathai",
    "Pranee",
    "Rattana",
    "Somsak",
    "Thida",
    "Udom",
    "Wichai",
    "Yupin",
    "Arthit",
    "Busaba",
    "Chanida",
    "Duangjai",
    "Jirawat",
    "Kamol",
    "Montri",
    "Nattaya",
    "Panya",
    "Ratchanee",
    "Sakda",
    "Tawee",
    "Usa",
    "Vichit",
    "Warunee",
    "Yodsak",
    "Apinya",
    "Banjong",
    "Chalerm",
    "Dusit",
    "Kesinee",
    "Lamduan",
    "Mongkol",
    "Naree",
    "Phairoj",
    "Ruangrit",
    "Sunee",
    "Thanom",
    "Wipa",
    "Yaowalak",
]
FAMILY = [
    "Srisuk",
    "Wongsa",
    "Chaiprasit",
    "Kittisak",
    "Boonyarat",
    "Thongdee",
    "Pongpan",
    "Rattanakul",
    "Suwannarat",
    "Intharakul",
    "Jaidee",
    "Phromma",
    "Sangthong",
    "Kaewmanee",
    "Charoenrat",
    "Ruangsri",
    "Thammasat",
    "Bunnag",
    "Siriwat",
    "Pattanapong",
    "Limsakul",
    "Wattanachai",
    "Saengchan",
    "Phetkaew",
    "Yimsiri",
    "Kongkaew",
    "Nakprasert",
    "Chantarasook",
    "Sukprasert",
    "Wiriyakul",
    "Muangthai",
    "Daoruang",
    "Tangsiri",
    "Ekthong",
    "Hirunrat",
    "Inkaew",
    "Klinsukhon",
    "Leelawat",
    "Maneerat",
    "Noinuan",
    "Ounjai",
    "Pradit",
]


def name(i: int) -> str:
    """A distinct name per number, so identity resolution keeps the customers apart."""
    return f"{GIVEN[i % len(GIVEN)]} {FAMILY[i % len(FAMILY)]}"


def email(i: int) -> str:
    """An address whose local part is far from every other one's (no 'typo' matches)."""
    return f"{GIVEN[i % len(GIVEN)].lower()}.{FAMILY[i % len(FAMILY)].lower()}@example.th"


def customers(client: TestClient, world: World, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Customers from CRM records (id → profile id), resolved into profiles."""
    if "crm" not in world.secrets:
        make_source(world, "crm", "crm")
    start = len(world.secrets.get("_names", ""))
    records = [{"full_name": name(start + i), "country": "TH", **r} for i, r in enumerate(rows)]
    world.secrets["_names"] = "x" * (start + len(rows))
    r = post_records(client, world, "crm", "customer", records)
    assert r.status_code in (200, 201), r.text
    jobs.run_pending()
    return profile_ids(world, [r["id"] for r in rows])


def profile_ids(world: World, refs: list[str]) -> dict[str, int]:
    """The profile of each CRM customer id."""
    from cxloop.profiles import queries as profiles

    with unit_of_work(write=False) as s:
        crm = s.scalar(
            select(Source.id).where(Source.workspace_id == world.workspace_id, Source.name == "crm")
        )
        assert crm is not None
        found = profiles.profiles_of_refs(s, world.workspace_id, [(crm, ref) for ref in refs])
    out = {ref: found[(crm, ref)] for ref in refs}
    assert len(set(out.values())) == len(refs), f"customers were merged: {out}"
    return out


def records(client: TestClient, world: World, entity: str, rows: list[dict[str, Any]]) -> None:
    """More CRM records (consent, preference, interaction, holding) about the customers."""
    r = post_records(client, world, "crm", entity, rows)
    assert r.status_code in (200, 201), r.text
    assert r.json().get("rejected", 0) == 0, r.text


def audience(client: TestClient, world: World, name: str = "All", **filters: Any) -> int:
    r = client.post(
        "/api/v1/segments", json={"name": name, "filters": filters}, headers=world.headers()
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def distribute(client: TestClient, world: World, survey_id: int, **body: Any) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/surveys/{survey_id}/distributions", json=body, headers=world.headers("analyst")
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def status_of(client: TestClient, world: World, dist_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/distributions/{dist_id}", headers=world.headers())
    assert r.status_code == 200, r.text
    return dict(r.json())


def invitations(dist_id: int) -> list[Invitation]:
    with unit_of_work(write=False) as s:
        rows = list(
            s.scalars(
                select(Invitation)
                .where(Invitation.distribution_id == dist_id)
                .order_by(Invitation.id)
            )
        )
        s.expunge_all()  # keep the loaded values after the read-only transaction ends
        return rows


def links_in(received: Received) -> dict[str, str]:
    """The survey link, pixel and unsubscribe paths of a received invitation email."""
    msg = received.message
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    found: dict[str, str] = {}
    for url in URL.findall(text) + URL.findall(markup):
        path = "/" + url.split("/", 3)[3].split("?", 1)[0]  # the one-click scores add ?q1=
        kind = path.split("/")[1]
        found.setdefault({"s": "link", "o": "pixel", "u": "unsubscribe"}.get(kind, kind), path)
    return found
