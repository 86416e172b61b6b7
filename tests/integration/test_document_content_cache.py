"""A SQLite connection caches few pages while a document's content streams through it, and gets
SQLite's default back when the pool takes it back (bench/RESULTS.md: the cache was a third of a
worker's growth on its first 20 MB upload)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db.engine import (
    SQLITE_CONTENT_CACHE_KIB,
    SQLITE_DEFAULT_CACHE_KIB,
    bound_page_cache_for_content,
    make_engine,
    make_session_factory,
)


def cache_kib(session: Session) -> int:
    size = session.execute(text("PRAGMA cache_size")).scalar_one()
    return -int(size)


def test_the_cache_is_small_while_content_streams_and_the_default_once_checked_in(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'content.sqlite3'}", pool_size=1, max_overflow=0)
    sessions = make_session_factory(engine)
    try:
        with sessions() as session:
            assert cache_kib(session) == SQLITE_DEFAULT_CACHE_KIB
            bound_page_cache_for_content(session)
            bound_page_cache_for_content(session)
            assert cache_kib(session) == SQLITE_CONTENT_CACHE_KIB
        with sessions() as session:  # the same pooled connection, checked in and out again
            assert cache_kib(session) == SQLITE_DEFAULT_CACHE_KIB
    finally:
        engine.dispose()
