"""Test harness: a real database, migrated once per session and emptied between each test.

SQLite by default; PostgreSQL when CXLOOP_TEST_DATABASE_URL is set (``make test`` runs both).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cxloop.api.registry import register_jobs
from cxloop.core import config, db
from cxloop.migrations.models import import_all_models

PG_URL = os.environ.get("CXLOOP_TEST_DATABASE_URL", "")


def _admin_url(url: str) -> str:
    base, _, _name = url.rpartition("/")
    return f"{base}/postgres"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A freshly migrated database for this test session."""
    from cxloop.core.migrate import upgrade

    import_all_models()
    register_jobs()  # as the app, the worker and the CLI do: jobs run in-process in tests too
    if PG_URL:
        name = f"cxloop_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(
            _admin_url(PG_URL).replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = (
            PG_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
        )
        upgrade(url)
        yield url
        db.dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        tmp = Path(tempfile.mkdtemp(prefix="cxloop-test-"))
        url = f"sqlite:///{tmp / 'test.db'}"
        upgrade(url)
        yield url
        db.dispose_engines()


@pytest.fixture(autouse=True)
def _settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the app at the test database and give each test an empty one."""
    monkeypatch.setenv("CXLOOP_DATABASE_URL", database_url)
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CXLOOP_SECRET_KEY", "test-secret-key")
    # cheap password hashing in tests (production default: 3 passes, 64 MiB)
    monkeypatch.setenv("CXLOOP_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CXLOOP_ARGON2_MEMORY_KIB", "64")
    config.get_settings.cache_clear()
    _empty(database_url)
    yield
    config.get_settings.cache_clear()


def _empty(url: str) -> None:
    engine = db.get_engine()
    tables = [t.name for t in reversed(db.Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sequence(conn) else None


def _has_sequence(conn: object) -> bool:
    from sqlalchemy.engine import Connection

    assert isinstance(conn, Connection)
    return bool(
        conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first()
    )


@pytest.fixture
def backend(database_url: str) -> str:
    """'postgresql' or 'sqlite'."""
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    """The application, without its background worker (tests run jobs explicitly)."""
    from cxloop.api.app import create_app

    return create_app(worker=False)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """An in-process HTTP client of the app."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    """Workspace 'acme' with a user and API key per role."""
    from tests.factories import make_world

    return make_world("acme", "TW")


@pytest.fixture
def rival():  # type: ignore[no-untyped-def]
    """A second workspace, to prove that tenants cannot see each other."""
    from tests.factories import make_world

    return make_world("rival", "US")
