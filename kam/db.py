"""The engine and session factory; SQLite gets the pragmas that make it behave like a server."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(database_url: str, *, echo: bool = False, statement_timeout: float | None = None) -> AsyncEngine:
    """The engine for `database_url`; on PostgreSQL, `statement_timeout` (seconds) stops a statement server-side.

    SQLite cannot stop a running statement: there the request's time limit
    answers the client, and the statement finishes in the background.
    """
    kwargs: dict[str, Any] = {"echo": echo}
    if not is_sqlite(database_url):
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
        if statement_timeout:
            settings = {"statement_timeout": str(int(statement_timeout * 1000))}
            kwargs["connect_args"] = {"server_settings": settings}
    engine = create_async_engine(database_url, **kwargs)
    if is_sqlite(database_url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
