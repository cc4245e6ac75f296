"""The raw bulk-insert ceiling of each database: the same rows into a plain table, nothing else.

SQLite: the stdlib ``executemany`` in one transaction. PostgreSQL: one binary ``COPY``. The plain
table has the typed columns of ``interactions`` (same names, types and NOT NULLs, an integer
primary key) but no other index, no constraint, no foreign key; the rows are the very tuples our
ingest writes, prepared in memory beforehand (not timed).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Index, MetaData, Table, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from cxloop.core import bulk
from cxloop.journeys import service as journeys
from cxloop.journeys.models import Interaction

SQLITE_PRAGMAS = (  # as core.db configures every SQLite connection of the app
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
)
COLUMNS = journeys.INTERACTION_COLUMNS


def plain_table(name: str, indexed: bool = False) -> Table:
    """A table with the typed columns of interactions and nothing else (or also its indexes)."""
    source: Any = Interaction.__table__
    cols = [Column("id", source.c.id.type, primary_key=True)]
    cols += [Column(c, source.c[c].type, nullable=source.c[c].nullable) for c in COLUMNS]
    table = Table(name, MetaData(), *cols)
    if indexed:  # the unique key and the indexes of interactions, for reference
        for index in source.indexes:
            Index(
                f"{name}_{index.name}",
                *(table.c[c.name] for c in index.columns),
                unique=index.unique,
                **index.dialect_kwargs,
            )
        for uq in source.constraints:
            if isinstance(uq, UniqueConstraint):
                Index(f"{name}_key", *(table.c[c.name] for c in uq.columns), unique=True)
    return table


def _create(table: Table, dialect: Any) -> list[str]:
    return [str(CreateTable(table).compile(dialect=dialect))] + [
        str(CreateIndex(ix).compile(dialect=dialect)) for ix in table.indexes
    ]


def sqlite_ceiling(
    directory: Path, rows: list[tuple[Any, ...]], indexed: bool = False
) -> dict[str, float]:
    """Rows per second of stdlib executemany into a plain table of a fresh SQLite file."""
    path = directory / "ceiling.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)
    for ddl in _create(plain_table("ceiling", indexed), sqlite.dialect()):
        conn.execute(ddl)
    sql = f"INSERT INTO ceiling ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    (count,) = conn.execute("SELECT count(*) FROM ceiling").fetchone()
    conn.close()
    assert count == len(rows)
    return {"rows": len(rows), "seconds": elapsed, "rows_per_s": len(rows) / elapsed, "cpu": cpu}


def pg_ceiling(dsn: str, rows: list[tuple[Any, ...]], indexed: bool = False) -> dict[str, float]:
    """Rows per second of one binary COPY into a plain table of a fresh PostgreSQL database."""
    import psycopg
    from psycopg.types.json import set_json_dumps

    table = plain_table("ceiling", indexed)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    types = bulk.pg_types(table, COLUMNS)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS ceiling")
        for ddl in _create(table, dialect):
            conn.execute(ddl)
        conn.execute("CHECKPOINT")
        start, cpu = time.perf_counter(), time.process_time()
        with conn.transaction(), conn.cursor() as cur:
            set_json_dumps(lambda obj: obj, context=cur)  # JSON columns come as JSON text
            with cur.copy(f"COPY ceiling ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(types)
                for row in rows:
                    cp.write_row(row)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        count = conn.execute("SELECT count(*) FROM ceiling").fetchone()
        conn.execute("DROP TABLE ceiling")
    assert count is not None and count[0] == len(rows)
    return {"rows": len(rows), "seconds": elapsed, "rows_per_s": len(rows) / elapsed, "cpu": cpu}
