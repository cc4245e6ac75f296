"""Load the demo world into a workspace through the ordinary ingest and resolution paths."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from cxloop.auth import queries as auth_queries
from cxloop.auth import service as auth
from cxloop.auth.schemas import UserCreate
from cxloop.core import clock
from cxloop.core.actor import system_actor
from cxloop.core.config import get_settings
from cxloop.core.db import new_session, unit_of_work
from cxloop.core.errors import AppError
from cxloop.core.migrate import upgrade
from cxloop.core.tenancy import Workspace
from cxloop.profiles import resolve
from cxloop.profiles.demo import story
from cxloop.profiles.demo.world import SOURCES, build
from cxloop.profiles.ingest import service as ingest
from cxloop.profiles.ingest.parsing import rows_from_objects
from cxloop.profiles.ingest.schemas import SourceCreate
from cxloop.profiles.models import CustomerRecord, Profile
from cxloop.text import service as text_service

DEMO_PASSWORD = "cxloop-demo-2026"  # noqa: S105 - a demo on loopback; change it before exposing the server
DEMO_USERS = (
    ("admin", "Alex Admin", "en"),
    ("analyst", "陳怡君 (Analyst)", "zh-Hant"),
    ("agent", "王磊 (Agent)", "zh-Hans"),
    ("account_manager", "สมชาย (Account manager)", "th"),
)
ENTITY_ORDER = ("customer", "holding", "order", "interaction", "consent", "preference")


def demo_email(slug: str, role: str) -> str:
    """The login email of a demo user."""
    return f"{role.replace('_', '.')}@{slug}.cxloop.example"


def _workspace(slug: str) -> tuple[int, date]:
    with unit_of_work() as s:
        ws = s.scalar(select(Workspace).where(Workspace.slug == slug))
        if ws is None:
            ws = auth.create_workspace(s, slug, "Lumen Telecom (demo)", "US")
        settings = dict(ws.settings or {})
        anchor = settings.get("demo_anchor") or clock.now().date().isoformat()
        settings["demo_anchor"] = anchor
        ws.settings = settings
        s.flush()
        actor = system_actor(ws.id, "demo")
        for role, name, lang in DEMO_USERS:
            email = demo_email(slug, role)
            if auth_queries.user_by_email(s, ws.id, email) is None:
                auth.create_user(
                    s,
                    actor,
                    UserCreate(
                        email=email, name=name, role=role, password=DEMO_PASSWORD, language=lang
                    ),
                )
        for name, (kind, rank, tz, mapping) in SOURCES.items():
            try:
                ingest.get_source(s, actor, name)
            except AppError:  # not declared yet
                ingest.create_source(
                    s,
                    actor,
                    SourceCreate(
                        name=name,
                        kind=kind,
                        trust_rank=rank,
                        timezone=tz,
                        field_mapping={"customer": mapping} if mapping else {},
                    ),
                )
        return ws.id, date.fromisoformat(anchor)


def load_demo(slug: str = "demo", n_people: int = 5000, seed: int = 7) -> list[str]:
    """Create or refresh the demo workspace; return a summary to print."""
    upgrade()
    ws_id, anchor = _workspace(slug)
    world = build(n_people, seed, anchor)
    actor = system_actor(ws_id, "demo")
    totals = {"received": 0, "accepted": 0, "rejected": 0, "created": 0, "unchanged": 0}
    replayed = 0
    for entity in ENTITY_ORDER:
        for (source, ent), rows in sorted(world.rows.items()):
            if ent != entity:
                continue
            session = new_session(write=True)
            try:
                src = ingest.get_source(session, actor, source)
                key = f"demo:{seed}:{n_people}:{anchor.isoformat()}:{source}:{entity}"
                batch, done = ingest.open_batch(session, actor, src, entity, "demo", None, key)
                report = (
                    ingest.report(src, batch).model_copy(update={"replayed": True})
                    if done
                    else ingest.process(session, actor, src, batch, rows_from_objects(rows), True)
                )
                session.commit()
            finally:
                session.close()
            replayed += bool(report.replayed)
            for k in totals:
                totals[k] += getattr(report, k)
    with unit_of_work() as s:
        stats = resolve.resolve_pending(s, ws_id)
    _assign_accounts(slug, ws_id)
    with unit_of_work() as s:  # the queued text jobs will find nothing left to do
        text = text_service.run_enrichment(s, ws_id, commit=True)
    with unit_of_work(write=False) as s:
        profiles = s.scalar(
            select(Profile.id).where(Profile.workspace_id == ws_id).order_by(Profile.id.desc())
        )
        turner = s.scalar(
            select(CustomerRecord.profile_id).where(
                CustomerRecord.workspace_id == ws_id, CustomerRecord.external_id == "C-TURNER-1"
            )
        )
    base = get_settings().base_url
    first = (
        f"demo world already loaded in workspace '{slug}': nothing changed"
        if replayed and replayed == sum(1 for _ in world.rows)
        else f"demo world loaded into workspace '{slug}': "
        f"{totals['received']:,} records received, {totals['accepted']:,} accepted "
        f"({totals['created']:,} new, {totals['unchanged']:,} unchanged), "
        f"{totals['rejected']:,} rejected (see Sources -> imports)"
    )
    lines = [
        first,
        (
            f"identity resolution: {stats.get('mode')} over {stats.get('records', 0):,} records"
            if stats.get("records")
            else "identity resolution: nothing pending"
        ),
        f"text analytics: {text.enriched:,} comments enriched, {text.up_to_date:,} already up to "
        f"date ({base}/themes)",
        f"the disconnected provider: {base}/customers/{turner} (issue {story.ISSUE})",
        "",
        f"Open {base} and log in (password for every demo user: {DEMO_PASSWORD}):",
    ]
    lines += [f"  {role:<16} {demo_email(slug, role)}" for role, _n, _l in DEMO_USERS]
    del profiles
    return lines


def _assign_accounts(slug: str, ws_id: int) -> None:
    """Give the demo account manager a book of accounts, the Turners among them."""
    with unit_of_work() as s:
        manager = auth_queries.user_by_email(s, ws_id, demo_email(slug, "account_manager"))
        am = manager.id if manager else None
        ids = list(
            s.scalars(
                select(CustomerRecord.profile_id)
                .where(
                    CustomerRecord.workspace_id == ws_id,
                    CustomerRecord.external_id.in_(["C-TURNER-1", "C-TURNER-2"]),
                )
                .distinct()
            )
        )
        ids += list(
            s.scalars(
                select(Profile.id)
                .where(Profile.workspace_id == ws_id, Profile.status == "active")
                .order_by(Profile.id)
                .limit(150)
            )
        )
        for profile in s.scalars(select(Profile).where(Profile.id.in_(ids))):
            if profile.owner_user_id is None:
                profile.owner_user_id = am


def login_hint(slug: str = "demo") -> list[str]:
    """How to log in to the demo workspace, if its users still have the demo password."""
    from sqlalchemy import inspect

    from cxloop.auth.passwords import verify_password
    from cxloop.core.db import get_engine

    if not inspect(get_engine()).has_table("workspaces"):
        return []
    with unit_of_work(write=False) as s:
        ws = s.scalar(select(Workspace).where(Workspace.slug == slug))
        if ws is None:
            return []
        users = []
        for role, _name, _lang in DEMO_USERS:
            user = auth_queries.user_by_email(s, ws.id, demo_email(slug, role))
            if (
                user is not None
                and user.is_active
                and verify_password(user.password_hash, DEMO_PASSWORD)
            ):
                users.append(f"  {role:<16} {user.email}")
    if not users:
        return []
    return [f"Demo login (password {DEMO_PASSWORD}):", *users]
