"""The engine kam builds for each store."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kam.db import create_engine
from kam.extensions import masked


async def test_postgresql_stops_a_statement_that_runs_past_the_time_limit(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite cannot stop a running statement")
    engine = create_engine(database_url, statement_timeout=0.2)
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError, match="statement timeout") as stopped:
                await connection.execute(text("SELECT pg_sleep(5)"))
            await connection.rollback()
            answer = masked(GraphQLError("boom", path=["accounts"], original_error=stopped.value))
            assert answer.extensions["code"] == "TIMEOUT" and answer.path == ["accounts"]
            assert (await connection.execute(text("SHOW statement_timeout"))).scalar() == "200ms"
    finally:
        await engine.dispose()


async def test_sqlite_takes_foreign_keys_seriously(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL always enforces foreign keys")
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    finally:
        await engine.dispose()
