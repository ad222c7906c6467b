"""The engine kam builds for each store."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kam.app import create_app
from kam.db import create_engine
from kam.extensions import masked
from tests.conftest import GraphQLClient
from tests.factories import create_account


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


async def _drop_other_connections(database_url: str) -> int:
    """What a restarted or failed-over server does to every pooled connection: ends them."""
    other = create_engine(database_url)
    try:
        async with other.connect() as connection:
            ended = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return int(ended.scalar_one())
    finally:
        await other.dispose()


class PingCounter:
    def __init__(self, engine: Any) -> None:
        self.count = 0
        self.ping = engine.dialect.do_ping
        engine.dialect.do_ping = self

    def __call__(self, dbapi_connection: Any) -> bool:
        self.count += 1
        return self.ping(dbapi_connection)  # type: ignore[no-any-return]


async def _select_one(engine: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT 1"))).scalar_one())


@pytest.mark.parametrize("idle", [0.0, 60.0])
async def test_a_pooled_connection_is_pinged_only_after_sitting_idle(database_url: str, idle: float) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite connections do not go stale")
    engine = create_engine(database_url, ping_after_idle=idle)
    pings = PingCounter(engine)
    try:
        for _ in range(3):
            assert await _select_one(engine) == 1
        # The first checkout connects; the two after it reuse the connection, pinged only when it sat idle.
        assert pings.count == (2 if idle == 0 else 0)
    finally:
        await engine.dispose()


async def test_an_idle_connection_the_server_ended_is_replaced_before_use(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite connections do not go stale")
    engine = create_engine(database_url, ping_after_idle=0.0)
    try:
        assert await _select_one(engine) == 1
        assert await _drop_other_connections(database_url) >= 1
        assert await _select_one(engine) == 1
    finally:
        await engine.dispose()


async def test_requests_after_the_server_ended_the_pools_connections_are_answered(
    database_url: str, client: GraphQLClient
) -> None:
    """Connections used a moment ago are handed out unpinged; the first read finds them gone and retries."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite connections do not go stale")
    account = await create_account(client, name="Nordwerk")
    reads = {
        "compiled": ("query($id: ID!) { account(id: $id) { name } }", {"id": account["id"]}),
        "executor": ("{ growthMatrix { unassessedCount quadrants { quadrant accountCount } } }", {}),
    }
    for query, variables in reads.values():
        assert await _drop_other_connections(database_url) >= 1
        assert await client.execute(query, variables)
    assert await _drop_other_connections(database_url) >= 1
    created = await create_account(client, name="Südhafen")
    assert (await client.execute(*reads["compiled"]))["account"]["name"] == "Nordwerk"
    assert created["name"] == "Südhafen"
    # A read answered before is answered directly (kam/compiled/direct.py): it takes a pooled connection of its own, retried too.
    assert await _drop_other_connections(database_url) >= 1
    assert (await client.execute(*reads["compiled"]))["account"]["name"] == "Nordwerk"


@pytest.mark.parametrize("settings", [{"database_pool_size": 3, "database_max_overflow": 2}], indirect=True)
async def test_the_pool_keeps_the_configured_number_of_connections(database_url: str, settings: Any) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's pool is not sized")
    app = create_app(settings)
    engine = app.state.engine
    try:
        held = [await engine.connect() for _ in range(5)]
        for connection in held:
            await connection.execute(text("SELECT 1"))
        assert engine.sync_engine.pool.checkedout() == 5
        for connection in held:
            await connection.close()
        assert engine.sync_engine.pool.checkedin() == 3  # the two beyond the pool size were closed
    finally:
        await engine.dispose()
