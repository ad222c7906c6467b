"""A database that cannot answer now but soon will: the client is told to retry, not shown a bug.

SQLite's write lock held by another writer past the busy timeout, PostgreSQL
down, restarting or out of connections, a connection lost on the way, every
pooled connection taken: none of these is a fault of the request or of kam, and
the same request succeeds once the database is back. Such a request fails as a
whole with `SERVICE_UNAVAILABLE`, HTTP 503 and `Retry-After` (kam/app.py), and
whatever its mutations wrote is rolled back. Everything else a database raises
(a constraint violated, a bad statement) stays a masked INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import asyncpg
from graphql import GraphQLError
from sqlalchemy import exc as sa

from kam.request_id import current_request_id
from resolvers.driver import ConnectionLost

CODE = "SERVICE_UNAVAILABLE"
MESSAGE = "The database is unavailable right now; retry shortly."
RETRY_AFTER = "1"  # seconds: enough for a lock or a busy pool; clients back off further while a server restarts

# A server that cannot take the connection or the statement now: connection exceptions (class 08, but not
# 08P01, a protocol violation), shutdown, crash and startup (57P01-57P03), no connection slot left (53300).
SQLSTATES = frozenset({"08000", "08001", "08003", "08004", "08006", "08007", "57P01", "57P02", "57P03", "53300"})
SQLITE_BUSY = 5  # primary result code: another connection holds the lock past the busy timeout
SQLITE_BUSY_MESSAGES = ("database is locked", "database is busy")
PENDING_INVALID_TRANSACTION = "8s2b"  # SQLAlchemy: the transaction's connection was lost (invalidated) before
# Where new connections are opened: SQLAlchemy's pool (every dialect), asyncpg's connect (its `timeout`).
CONNECTING = {("sqlalchemy.pool.base", "__connect"), ("asyncpg.connection", "connect")}
CONNECTING_MODULES = ("asyncpg.connect_utils",)


def is_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or anything it was raised from, says the database cannot answer right now."""
    return any(_unavailable(e) for e in _chain(error))


def reason(error: BaseException) -> str:
    """The innermost cause that made `error` an unavailable database, in a line, for the log."""
    found = [e for e in _chain(error) if _unavailable(e)] or [error]
    text = str(found[-1]).strip().splitlines()
    return f"{type(found[-1]).__name__}: {text[0] if text else ''}"


def unavailable_error() -> GraphQLError:
    """The error a client gets: the whole request, not one field, could not be answered."""
    return GraphQLError(MESSAGE, extensions={"code": CODE, "requestId": current_request_id.get()})


def says_unavailable(error: GraphQLError) -> bool:
    return bool(error.extensions) and error.extensions.get("code") == CODE


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """`error` and what it was raised from or while: its cause, its context, a driver's error (`orig`) and the
    exception under a GraphQL error (`original_error`)."""
    seen: set[int] = set()
    pending: list[Any] = [error]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [
            getattr(current, "original_error", None),
            getattr(current, "orig", None),
            current.__cause__,
            current.__context__,
        ]


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, ConnectionLost | ConnectionError | sa.TimeoutError | sa.DisconnectionError):
        return True
    if isinstance(error, sa.DBAPIError):
        return error.connection_invalidated
    if isinstance(error, sa.PendingRollbackError):
        return error.code == PENDING_INVALID_TRANSACTION
    if isinstance(error, sqlite3.OperationalError):
        code = getattr(error, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF == SQLITE_BUSY) or str(error).startswith(SQLITE_BUSY_MESSAGES)
    if isinstance(error, asyncpg.PostgresError):
        return getattr(error, "sqlstate", None) in SQLSTATES
    if isinstance(error, asyncpg.InterfaceError):
        return "connection is closed" in str(error) or "connection was closed" in str(error)
    if isinstance(error, OSError):  # TimeoutError too: asyncpg's connect timeout, a host that never answers
        return _while_connecting(error)
    return False


def _while_connecting(error: BaseException) -> bool:
    """Raised on the way to a new connection: a timeout or a network error elsewhere is no sign of the database."""
    tb = error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        module = frame.f_globals.get("__name__", "")
        if (module, frame.f_code.co_name) in CONNECTING or module.startswith(CONNECTING_MODULES):
            return True
        tb = tb.tb_next
    return False
