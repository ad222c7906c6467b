"""Fixtures: a migrated SQLite database per test, the app, and an HTTP client speaking GraphQL."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from kam.app import create_app
from kam.db import create_engine
from kam.migrate import upgrade
from kam.settings import Settings


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test gets a copy of this file."""
    path = tmp_path_factory.mktemp("template") / "kam.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "kam.db"
    shutil.copy(template_db, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@dataclass
class StatementCounter:
    """Counts SQL statements sent to the database, to prove the absence of N+1."""

    statements: list[str] = field(default_factory=list)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("PRAGMA"):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql(engine: AsyncEngine) -> StatementCounter:
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    return counter


class GraphQLClient:
    """Talks to the app over HTTP exactly as a front end would."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> httpx.Response:
        return await self.http.post("/graphql", json={"query": query, "variables": variables or {}, **extra})

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run an operation that must succeed; returns `data`."""
        response = await self.post(query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run an operation that must fail with top-level errors; returns them."""
        body = (await self.post(query, variables)).json()
        assert body.get("errors"), body
        return body["errors"]

    async def mutate(self, query: str, input: dict[str, Any]) -> dict[str, Any]:
        """Run a one-field mutation with `$input`; returns its payload."""
        data = await self.execute(query, {"input": input})
        (payload,) = data.values()
        return payload


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def app(settings: Settings, engine: AsyncEngine) -> Any:
    return create_app(settings, engine=engine)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kam.test") as http:
        yield GraphQLClient(http)
