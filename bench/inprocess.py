"""Requests run inside this process: SQL statements per request, and the baseline's answers checked.

Both apps are driven through httpx's ASGI transport, without a server. kam's
statements are counted with SQLAlchemy's `before_cursor_execute` event (as the
test suite counts them), the baseline's by its own driver wrapper; both count
the statements that read or write data (SELECT, INSERT, UPDATE, DELETE),
not transaction control.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.baseline import create_app as create_baseline
from kam.app import create_app
from kam.db import create_engine
from kam.settings import Settings

DATA_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@dataclass
class Counter:
    """A `before_cursor_execute` listener counting data statements."""

    count: int = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(DATA_VERBS):
            self.count += 1


def _client(app: Any, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://kam.bench",
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )


class Product:
    """kam's app on `database_url`, counting its statements."""

    def __init__(self, database_url: str, engine: AsyncEngine, token: str) -> None:
        self.counter = Counter()
        event.listen(engine.sync_engine, "before_cursor_execute", self.counter)
        self.app = create_app(Settings(database_url=database_url), engine=engine)
        self.http = _client(self.app, token)

    def uncompiled(self) -> int:
        """Requests so far that the executor answered because no plan covers their query."""
        fallbacks = self.app.state.fallbacks
        return 0 if fallbacks is None else fallbacks.requests()

    async def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        before = self.counter.count
        response = await self.http.post("/graphql", json=body)
        return response.json(), self.counter.count - before


class Baseline:
    """The baseline app on `database_url`, counting its statements; `endpoint` picks the query."""

    def __init__(self, database_url: str, token: str) -> None:
        self.app = create_baseline(database_url)
        self.http = _client(self.app, token)
        self.path = "/bench/relationship_map"

    def endpoint(self, query: str) -> Baseline:
        self.path = f"/bench/{query}"
        return self

    async def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        db = self.app.state.db
        before = db.statements
        response = await self.http.post(self.path, json=body)
        return response.json(), db.statements - before


@contextlib.asynccontextmanager
async def clients(database_url: str, token: str) -> AsyncIterator[tuple[Product, Baseline]]:
    engine = create_engine(database_url)
    product = Product(database_url, engine, token)
    other = Baseline(database_url, token)
    try:
        yield product, other
    finally:
        await product.http.aclose()
        await other.http.aclose()
        await other.app.state.db.close()
        await engine.dispose()


@dataclass
class Check:
    """Statements per request of each side, and the requests whose answers differed."""

    graphql: list[int] = field(default_factory=list)
    baseline: list[int] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    uncompiled: int = 0  # GraphQL requests of reads the executor answered because no plan covers them


async def check(database_url: str, token: str, query: str, bodies: list[dict[str, Any]], *, writes: bool) -> Check:
    """Run `bodies` through both apps; for reads, the baseline's `data` must equal GraphQL's.

    Writes change the database, so the two sides get different bodies of the same mutation
    (the write test in tests/ compares their effects on twin databases instead).
    """
    result = Check()
    async with clients(database_url, token) as (product, base):
        base.endpoint(query)
        if writes:
            by_operation: dict[str, list[dict[str, Any]]] = {}
            for body in bodies:
                by_operation.setdefault(body["operationName"], []).append(body)
            pairs = [pair for group in by_operation.values() for pair in zip(group[0::2], group[1::2], strict=False)]
        else:
            pairs = [(body, body) for body in bodies]
        for graphql_body, baseline_body in pairs:
            answer, statements = await product.post(graphql_body)
            result.graphql.append(statements)
            expected, statements = await base.post(baseline_body)
            result.baseline.append(statements)
            if answer.get("errors") or expected.get("errors"):
                result.errors.append({"graphql": answer.get("errors"), "baseline": expected.get("errors")})
            elif not writes and answer.get("data") != expected.get("data"):
                result.mismatches.append({"variables": graphql_body["variables"]})
        result.uncompiled = product.uncompiled()
    return result
