"""Engines and sessions for both databases, with SQLite made to behave (foreign keys, savepoints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY_OPTION = "familyhub_read_only"

SQLITE_DEFAULT_CACHE_KIB = 2000
"""SQLite's own default page cache per connection (`PRAGMA cache_size=-2000`)."""
SQLITE_CONTENT_CACHE_KIB = 256
"""The page cache of a SQLite connection while a document's content passes through it.

Each chunk is 64 overflow pages written or read once: caching them helps nothing, and at the
default size the first 20 MB upload or download on each pooled connection filled its cache to
2 MB, a third of the worker's growth on its first upload (bench/RESULTS.md)."""

_CONTENT_CACHE = "familyhub_content_cache"
"""Execution option for a connection that only reads (the readiness check): on SQLite it begins
a plain transaction, which waits for no writer."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _make_sqlite_behave(engine)
        return engine
    # No ping before each checkout: it was a round trip on every request (bench/RESULTS.md). A
    # connection that died with a restarted server fails the one request that uses it, which
    # answers 503 to retry (app/main.py); SQLAlchemy then discards every older pooled
    # connection, so the next requests connect afresh (tests/reliability/test_database_restart).
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


def bound_page_cache_for_content(session: Session) -> None:
    """On SQLite, shrink this connection's page cache while document content streams through
    it (`SQLITE_CONTENT_CACHE_KIB`); the pool gives the connection back SQLite's default when it
    is checked in. PostgreSQL keeps no page cache in the worker: nothing to do."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    pooled = connection.connection
    if pooled.info.get(_CONTENT_CACHE):
        return
    driver = pooled.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA cache_size=-{SQLITE_CONTENT_CACHE_KIB}")
    pooled.info[_CONTENT_CACHE] = True


def _make_sqlite_behave(engine: Engine) -> None:
    """Foreign keys on, WAL for concurrent readers, and SQLAlchemy's documented pysqlite BEGIN fix.

    Without the fix pysqlite opens transactions itself and SAVEPOINT (used by tests and by
    nested units of work) does not work. Every transaction begins IMMEDIATE, taking SQLite's one
    write lock at once: every request writes (its audit entries), and a transaction that read
    first and wrote later would fail outright if another had committed in between
    (SQLITE_BUSY_SNAPSHOT), where IMMEDIATE simply waits its turn.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_CONTENT_CACHE, False) and dbapi_connection is not None:
            dbapi_connection.execute(f"PRAGMA cache_size=-{SQLITE_DEFAULT_CACHE_KIB}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def make_read_replica_engine(url: str, **kwargs: Any) -> Engine:
    """An engine on a PostgreSQL read replica (FAMILYHUB_READ_REPLICA_URL) whose every
    transaction is read-only.

    A streaming standby refuses writes anyway; pointed by mistake at a writable database (the
    primary itself, a copy), a unit of work that tried to write through it still fails rather
    than write where nothing would ever read it.
    """
    if make_url(url).get_backend_name() != "postgresql":
        raise ValueError("a read replica must be PostgreSQL")
    kwargs.setdefault("connect_args", {"options": "-c default_transaction_read_only=on"})
    return make_engine(url, **kwargs)
