"""Database engine, declarative base and the unit of work.

SQLite is the embedded default (WAL, one file); PostgreSQL is selected by URL. Write transactions
on SQLite start with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing
with a lock upgrade error halfway through a request.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from cxloop.core.config import Settings, get_settings
from cxloop.core.locks import FifoLock

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
WRITER_WAIT_SECONDS = 30  # like SQLite's busy timeout: a stuck writer fails, never hangs
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

    # SQLite has one writer at a time. This process's writers queue on a lock of their own, taken
    # just before BEGIN IMMEDIATE and released when the connection goes back to the pool (after
    # COMMIT or ROLLBACK): SQLite's busy handler sleeps 1-100 ms between tries, which under a few
    # dozen concurrent writers costs more than the writes. Other processes still meet the busy
    # timeout. The lock is taken at a session's first statement, in the thread that runs it; the
    # unit of work that follows must not wait for another worker thread before it commits.
    writer = FifoLock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get("cx_write"):
            conn.exec_driver_sql("BEGIN")
            return
        if not writer.acquire(timeout=WRITER_WAIT_SECONDS):
            raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is busy"))
        conn.info["cx_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            conn.info.pop("cx_writer", None)
            writer.release()
            raise

    def _release(_dbapi_conn: Any, record: Any, *_args: Any) -> None:
        if record.info.pop("cx_writer", False):
            writer.release()

    for name in ("checkin", "invalidate", "soft_invalidate"):
        event.listen(engine.pool, name, _release)


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
        _session_factory.cache_clear()


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


@functools.lru_cache(maxsize=64)
def _session_factory(engine: Engine, write: bool) -> sessionmaker[Session]:
    # One factory per engine and mode: building a sessionmaker makes a Session subclass and its
    # event dispatch, a measurable share of a small write request.
    bind = engine.execution_options(cx_write=True) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


def new_session(write: bool = False, engine: Engine | None = None) -> Session:
    """A session bound to the engine; ``write`` takes the SQLite write lock at BEGIN."""
    engine = engine or get_engine()
    session = _session_factory(engine, write)()
    session.info["cx_write"] = write
    return session


def commit_now(session: Session) -> None:
    """Commit a write unit of work's session in this thread, before its boundary does."""
    if session.info.get("cx_write"):
        session.commit()


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
