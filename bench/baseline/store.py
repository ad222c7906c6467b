"""The two stores the baseline runs on, behind one small interface: rows as tuples, a transaction
for writes, values converted as SQLAlchemy converts them for kam."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol


class Sql:
    """One statement, written for PostgreSQL: `$n` parameters, `= ANY($n)` for a list of values.

    SQLite gets the same statement with `?` parameters and `IN (?, ...)`, spelled once per list length.
    """

    _PARAMETER = re.compile(r"= ANY\(\$(\d+)\)|\$(\d+)")

    def __init__(self, text: str) -> None:
        self.text = " ".join(text.split())
        self.verb = self.text.split(" ", 1)[0].upper()
        self._pieces: list[str] = []
        self._slots: list[tuple[int, bool]] = []  # (argument index, is a list) in order of appearance
        start = 0
        for match in self._PARAMETER.finditer(self.text):
            self._pieces.append(self.text[start : match.start()])
            is_list = match.group(1) is not None
            self._slots.append((int(match.group(1) or match.group(2)) - 1, is_list))
            start = match.end()
        self._pieces.append(self.text[start:])
        self._sqlite: dict[tuple[int, ...], str] = {}

    def sqlite(self, args: Sequence[Any]) -> tuple[str, list[Any]]:
        lengths = tuple(len(args[i]) for i, is_list in self._slots if is_list)
        text = self._sqlite.get(lengths)
        if text is None:
            out, lists = [], iter(lengths)
            for piece, (_, is_list) in zip(self._pieces, self._slots, strict=False):
                out.append(piece)
                out.append("IN (" + ", ".join("?" * next(lists)) + ")" if is_list else "?")
            out.append(self._pieces[-1])
            text = self._sqlite[lengths] = "".join(out)
        flat: list[Any] = []
        for i, is_list in self._slots:
            if is_list:
                flat.extend(args[i])
            else:
                flat.append(args[i])
        return text, flat


class Connection(Protocol):
    async def rows(self, sql: Sql, *args: Any) -> Sequence[Sequence[Any]]: ...

    def writing(self) -> Any: ...


class Database(Protocol):
    dialect: str
    statements: int

    def connection(self) -> Any: ...

    async def close(self) -> None: ...

    def money(self, value: Any) -> str: ...

    def decimal(self, value: Any) -> Decimal: ...

    def day(self, value: Any) -> str: ...

    def moment(self, value: Any) -> datetime | None: ...

    def bind_day(self, value: date) -> Any: ...

    def bind_moment(self, value: datetime | None) -> Any: ...

    def bind_money(self, value: Decimal) -> Any: ...


async def _keep_session(_connection: Any) -> None:
    """The baseline never changes session state, so a connection goes back to the pool as it is."""


class PostgresConnection:
    def __init__(self, db: Postgres, raw: Any) -> None:
        self.db = db
        self.raw = raw

    async def rows(self, sql: Sql, *args: Any) -> Sequence[Sequence[Any]]:
        self.db.statements += 1
        return await self.raw.fetch(sql.text, *args)  # type: ignore[no-any-return]

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        async with self.raw.transaction():
            yield


class Postgres:
    """asyncpg with its own pool, as large as kam's (10 connections, 20 more under load)."""

    dialect = "postgresql"

    def __init__(self, dsn: str, *, min_size: int = 10, max_size: int = 30) -> None:
        self.dsn = dsn
        self.min_size = min_size
        self.max_size = max_size
        self.pool: Any = None
        self.statements = 0
        self._opening: asyncio.Lock | None = None

    async def _pool(self) -> Any:
        if self.pool is None:
            import asyncpg

            self._opening = self._opening or asyncio.Lock()
            async with self._opening:
                if self.pool is None:
                    self.pool = await asyncpg.create_pool(
                        self.dsn, min_size=self.min_size, max_size=self.max_size, reset=_keep_session
                    )
        return self.pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[PostgresConnection]:
        pool = self.pool or await self._pool()
        async with pool.acquire() as raw:
            yield PostgresConnection(self, raw)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    def money(self, value: Any) -> str:
        return str(value)

    def decimal(self, value: Any) -> Decimal:
        return value  # type: ignore[no-any-return]

    def day(self, value: Any) -> str:
        return value.isoformat()  # type: ignore[no-any-return]

    def moment(self, value: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def bind_day(self, value: date) -> Any:
        return value

    def bind_moment(self, value: datetime | None) -> Any:
        return value

    def bind_money(self, value: Decimal) -> Any:
        return value


class SQLiteConnection:
    def __init__(self, db: SQLite, raw: Any) -> None:
        self.db = db
        self.raw = raw

    async def rows(self, sql: Sql, *args: Any) -> Sequence[Sequence[Any]]:
        text, flat = sql.sqlite(args)
        self.db.statements += 1
        return await self.raw.execute_fetchall(text, flat)  # type: ignore[no-any-return]

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        # Take the write lock up front, as kam does: a reader cannot upgrade once another writer committed.
        await self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            await self.raw.execute("ROLLBACK")
            raise
        await self.raw.execute("COMMIT")


class SQLite:
    """aiosqlite connections in a pool as large as SQLAlchemy's for it (5, 10 more under load),
    with kam's pragmas; statements outside `writing` run in autocommit."""

    dialect = "sqlite"

    def __init__(self, path: str, *, max_size: int = 15) -> None:
        self.path = path
        self.max_size = max_size
        self.statements = 0
        self._idle: list[Any] = []
        self._opened = 0
        self._freed: asyncio.Condition | None = None

    async def _connect(self) -> Any:
        import aiosqlite

        raw = await aiosqlite.connect(self.path, isolation_level=None)
        await raw.executescript("PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL;")
        return raw

    async def _acquire(self) -> Any:
        self._freed = self._freed or asyncio.Condition()
        async with self._freed:
            while not self._idle and self._opened >= self.max_size:
                await self._freed.wait()
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            return await self._connect()
        except BaseException:
            self._opened -= 1
            raise

    async def _release(self, raw: Any) -> None:
        assert self._freed is not None
        async with self._freed:
            self._idle.append(raw)
            self._freed.notify()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[SQLiteConnection]:
        raw = await self._acquire()
        try:
            yield SQLiteConnection(self, raw)
        finally:
            await self._release(raw)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for raw in idle:
            await raw.close()
        self._opened -= len(idle)

    def money(self, value: Any) -> str:
        # SQLite keeps NUMERIC as a number; SQLAlchemy hands it out with the column's two decimals.
        return f"{value:.2f}"

    def decimal(self, value: Any) -> Decimal:
        return Decimal(f"{value:.2f}")

    def day(self, value: Any) -> str:
        return value  # type: ignore[no-any-return]

    def moment(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

    def bind_day(self, value: date) -> Any:
        return value.isoformat()

    def bind_moment(self, value: datetime | None) -> Any:
        return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def bind_money(self, value: Decimal) -> Any:
        return float(value)


def open_database(database_url: str) -> Database:
    """The store a SQLAlchemy URL names: sqlite+aiosqlite:///path or postgresql+asyncpg://..."""
    scheme, _, rest = database_url.partition("://")
    if scheme.startswith("sqlite"):
        return SQLite(rest.removeprefix("/"))
    if scheme.startswith("postgresql"):
        return Postgres(f"postgresql://{rest}")
    raise ValueError(f"unsupported database URL: {database_url}")
