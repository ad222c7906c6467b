"""Scratch databases for the test suite and the benchmarks: new empty ones, copies of a template, and removal.

A copy is a SQLite file copied, or a PostgreSQL database created `TEMPLATE`
another (which must have no open connections at that moment).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from kam.pgserver import PostgresServer, find_bin_dir

SQLITE_FILES = ("", "-wal", "-shm")  # a database file and its write-ahead log


class SQLiteScratch:
    """Databases as files in `root`."""

    def __init__(self, root: Path, prefix: str = "db") -> None:
        self.root = root
        self.prefix = prefix
        self._names = itertools.count()

    @staticmethod
    def url(path: Path) -> str:
        return f"sqlite+aiosqlite:///{path}"

    def empty(self) -> str:
        return self.url(self.root / f"{self.prefix}{next(self._names)}.db")

    def copy(self, template: str) -> str:
        source = make_url(template).database or ""
        target = make_url(self.empty()).database or ""
        for suffix in SQLITE_FILES:
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
        return self.url(Path(target))

    def drop(self, url: str) -> None:
        path = make_url(url).database or ""
        for suffix in SQLITE_FILES:
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresScratch:
    """Databases on `server`, managed with its own `psql`."""

    def __init__(self, server: PostgresServer, prefix: str = "kam_scratch_") -> None:
        self.server = server
        self.prefix = prefix
        self._names = itertools.count()

    def sql(self, statement: str) -> None:
        psql = find_bin_dir() / "psql"
        subprocess.run(
            [str(psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.server.dsn(), "-c", statement],
            check=True,
            capture_output=True,
            text=True,
        )

    def create(self, name: str, template: str | None = None) -> str:
        """Database `name` (a copy of the database at URL `template`, if given); its URL."""
        copied = "" if template is None else f' TEMPLATE "{make_url(template).database}"'
        self.sql(f'CREATE DATABASE "{name}"{copied}')
        return self.server.url(name)

    def empty(self) -> str:
        return self.create(f"{self.prefix}{next(self._names)}")

    def copy(self, template: str) -> str:
        return self.create(f"{self.prefix}{next(self._names)}", template)

    def drop(self, url: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
