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
import itertools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from kam.db import create_engine
from kam.migrate import upgrade
from kam.pgserver import PostgresServer, find_bin_dir

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


@dataclass
class SQLiteStore:
    root: Path
    name: str = "sqlite"
    base: str = ""
    _names = itertools.count()

    def __post_init__(self) -> None:
        path = self.root / "base.db"
        upgrade(f"sqlite+aiosqlite:///{path}")
        self.base = f"sqlite+aiosqlite:///{path}"

    def copy(self, template: str) -> str:
        path = self.root / f"db{next(self._names)}.db"
        shutil.copy(make_url(template).database or "", path)
        return f"sqlite+aiosqlite:///{path}"

    def empty(self) -> str:
        return f"sqlite+aiosqlite:///{self.root / f'db{next(self._names)}.db'}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass
class PostgresStore:
    server: PostgresServer
    name: str = "postgresql"
    base: str = ""
    _names = itertools.count()

    def __post_init__(self) -> None:
        self.sql("CREATE DATABASE kam_base")
        self.base = self.server.url("kam_base")
        upgrade(self.base)

    def sql(self, statement: str) -> None:
        psql = find_bin_dir() / "psql"
        subprocess.run(
            [str(psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.server.dsn(), "-c", statement],
            check=True,
            capture_output=True,
            text=True,
        )

    def copy(self, template: str) -> str:
        name = f"kam_test_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        return self.server.url(name)

    def empty(self) -> str:
        name = f"kam_test_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}"')
        return self.server.url(name)

    def drop(self, url: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
