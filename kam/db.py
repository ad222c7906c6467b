"""The engine and session factory; SQLite gets the pragmas that make it behave like a server."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


CONNECT_TIMEOUT = 5.0  # seconds to open a PostgreSQL connection, before the request is answered 503


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(
    database_url: str,
    *,
    echo: bool = False,
    statement_timeout: float | None = None,
    ping_after_idle: float = 1.0,
    pool_size: int = 20,
    max_overflow: int = 10,
    busy_timeout: float = 5.0,
) -> AsyncEngine:
    """The engine for `database_url`; on PostgreSQL, `statement_timeout` (seconds) stops a statement server-side,
    and a pooled connection idle for `ping_after_idle` seconds is pinged before use (`PingWhenIdle`).

    The pool keeps `pool_size` connections open; the `max_overflow` opened beyond them are closed when
    returned, so a pool smaller than the requests a worker has in flight opens and closes connections
    all the time (each new one also prepares its statements anew).

    SQLite cannot stop a running statement: there the request's time limit
    answers the client, and the statement finishes in the background. A SQLite
    writer waits up to `busy_timeout` seconds for another's write lock.
    """
    kwargs: dict[str, Any] = {"echo": echo}
    if not is_sqlite(database_url):
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow)
        # A server that drops packets silently would hold a request for asyncpg's default minute.
        kwargs["connect_args"] = {"timeout": CONNECT_TIMEOUT}
        if statement_timeout:
            settings = {"statement_timeout": str(int(statement_timeout * 1000))}
            kwargs["connect_args"]["server_settings"] = settings
    engine = create_async_engine(database_url, **kwargs)
    if is_sqlite(database_url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout))
    else:
        PingWhenIdle(ping_after_idle).listen(engine)
    return engine


class PingWhenIdle:
    """Checks a pooled connection before handing it out only when it may have gone stale.

    SQLAlchemy's `pool_pre_ping` pings on every checkout, which on asyncpg is
    three round trips (BEGIN, an empty statement, ROLLBACK): more than half of
    what a small read costs. A connection back from a request within the last
    `idle` seconds is handed out as it is; one that sat longer, or that was
    returned before some connection was found broken, is pinged first. A dead
    one invalidates the pool, so every older connection is replaced rather
    than tried (SQLAlchemy's own pre-ping does the same). A connection that
    breaks between its last use and the next is invalidated where it fails;
    the first read of a request retries once on a fresh one (resolvers/driver.py).
    """

    RETURNED = "kam_returned_at"

    def __init__(self, idle: float) -> None:
        self.idle = idle
        self.broken_at = float("-inf")  # when a connection of the pool was last found broken

    def listen(self, engine: AsyncEngine) -> None:
        pool = engine.sync_engine.pool
        event.listen(pool, "checkin", self.checkin)
        event.listen(pool, "invalidate", self.invalidated)
        event.listen(pool, "checkout", lambda dbapi, record, _proxy: self.checkout(engine, dbapi, record))

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        record.info[self.RETURNED] = monotonic()

    def invalidated(self, *_args: Any) -> None:
        self.broken_at = monotonic()

    def checkout(self, engine: AsyncEngine, dbapi_connection: Any, record: Any) -> None:
        returned = record.info.get(self.RETURNED)
        if returned is None:
            return  # connected just now
        if monotonic() - returned < self.idle and returned > self.broken_at:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure of the ping means the connection is gone
            raise exc.InvalidatePoolError(f"a pooled connection failed its ping: {error}") from error
        if not alive:
            raise exc.InvalidatePoolError("a pooled connection failed its ping")


def _sqlite_pragmas(busy_timeout: float) -> Callable[[Any, Any], None]:
    """Set on each new connection; past `busy_timeout` a writer gives up with "database is locked", which the
    client gets as SERVICE_UNAVAILABLE (kam/unavailable.py) rather than waiting longer."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return on_connect


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
