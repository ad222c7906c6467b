"""The two stores the suite runs on, each able to hand every test a fresh copy of a prepared database.

A test database is a copy of a template: a SQLite file copied, or a
PostgreSQL database created `TEMPLATE` another. The base template is migrated
once per session; modules may build templates of their own on top of it
(a populated world), copied again for each test.

`KAM_TEST_POSTGRES` decides the PostgreSQL half: `auto` (the default) runs it
when PostgreSQL's server binaries are installed and skips it otherwise,
`required` fails without them (CI), `off` skips it.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Protocol

from kam.db import create_engine
from kam.migrate import upgrade
from kam.pgserver import PostgresServer
from kam.scratch import PostgresScratch, SQLiteScratch

POSTGRES_MODE = os.environ.get("KAM_TEST_POSTGRES", "auto")


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Run `sql` on the database at `url` (committed) and return its rows; for tests outside an event loop."""

    async def read() -> list[tuple[Any, ...]]:
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                result = await connection.exec_driver_sql(sql)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(read())


class Store(Protocol):
    name: str
    base: str  # the migrated base template's URL

    def copy(self, template: str) -> str:
        """A new database holding what `template` holds; its URL."""
        ...

    def empty(self) -> str:
        """A new database with no tables at all; its URL."""
        ...

    def drop(self, url: str) -> None: ...


class SQLiteStore(SQLiteScratch):
    name = "sqlite"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.base = self.empty()
        upgrade(self.base)


class PostgresStore(PostgresScratch):
    name = "postgresql"

    def __init__(self, server: PostgresServer) -> None:
        super().__init__(server, prefix="kam_test_")
        self.base = self.create("kam_base")
        upgrade(self.base)
