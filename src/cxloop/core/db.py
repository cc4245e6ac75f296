"""Database engine, declarative base and the unit of work.

SQLite is the embedded default (WAL, one file); PostgreSQL is selected by URL. Write transactions
on SQLite start with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing
with a lock upgrade error halfway through a request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from cxloop.core.config import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table, with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_after_commit_hooks: list[Callable[[], None]] = []


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is broken).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("cx_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine with the settings cxloop relies on for the given URL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=4,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the configured database."""
    settings = settings or get_settings()
    url = settings.resolved_database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url, settings.sql_echo)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, forks)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def new_session(write: bool = False, engine: Engine | None = None) -> Session:
    """A session bound to the engine; ``write`` takes the SQLite write lock at BEGIN."""
    engine = engine or get_engine()
    bind = engine.execution_options(cx_write=True) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)()


def on_after_commit(hook: Callable[[], None]) -> None:
    """Register a hook run after every unit of work commits (the outbox dispatcher)."""
    if hook not in _after_commit_hooks:
        _after_commit_hooks.append(hook)


def run_after_commit_hooks() -> None:
    """Run the registered after-commit hooks."""
    for hook in list(_after_commit_hooks):
        hook()


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[Session]:
    """One transaction: services flush, this commits once at the end (or rolls back)."""
    session = new_session(write=write)
    try:
        yield session
        if write:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if write:
        run_after_commit_hooks()


def upsert(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    conflict: list[str],
    update: list[str] | None = None,
) -> None:
    """INSERT rows; on a conflict on ``conflict`` update ``update`` columns (or do nothing)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=conflict, set_={c: getattr(stmt.excluded, c) for c in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=conflict)
    session.execute(stmt, rows)
