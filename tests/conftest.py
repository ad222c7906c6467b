"""Fixtures: a migrated database per test, on SQLite and on PostgreSQL, the app, and HTTP clients speaking GraphQL.

`client` is an ADMIN, `anonymous` sends no token, `client_for(role, on=[...])` makes members of any role.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, Protocol

import httpx
import pytest
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine

import domain.base
from domain.base import system_now, utcnow
from domain.team import AccountTeamMember, MemberRole, TeamMember, TeamRole
from domain.token import ApiToken
from kam.app import create_app
from kam.db import create_engine, session_factory
from kam.pgserver import (
    PostgresNotFound,
    PostgresServer,
    find_bin_dir,
    temporary_postgres,
)
from kam.settings import Settings
from kam.tokens import issue_token
from resolvers.ids import parse_global_id, to_global_id
from tests.stores import POSTGRES_MODE, PostgresStore, SQLiteStore, Store

# The suite's time limit on a request (KAM_REQUEST_TIMEOUT), for every app and server it starts: generous, so that no
# test fails with TIMEOUT on a loaded machine. The tests of the limit itself give theirs (`request_timeout=`), which
# wins over the environment; tests/test_abuse.py's server takes kam's default.
SUITE_REQUEST_TIMEOUT = 300.0
os.environ["KAM_REQUEST_TIMEOUT"] = str(SUITE_REQUEST_TIMEOUT)


@pytest.fixture(autouse=True)
def one_business_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the day still while a test runs: one that spans midnight UTC reads kam's clock as the last instant of
    the day it began on, so the days the test expects and the days kam writes never fall on either side of it."""
    last = datetime.combine(system_now().date(), time.max, UTC)
    monkeypatch.setattr(domain.base, "clock", lambda: min(system_now(), last))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session, started on 127.0.0.1 by the suite itself."""
    if POSTGRES_MODE == "off":
        pytest.skip("KAM_TEST_POSTGRES=off")
    try:
        find_bin_dir()
    except PostgresNotFound as exc:
        if POSTGRES_MODE == "required":
            pytest.fail(f"KAM_TEST_POSTGRES=required: {exc}")
        pytest.skip(f"{exc} (the SQLite half ran)")
    with temporary_postgres() as server:
        yield server


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Every test that touches a database runs once on each store."""
    if request.param == "sqlite":
        return SQLiteStore(tmp_path_factory.mktemp("sqlite"))
    return PostgresStore(request.getfixturevalue("postgres_server"))


@pytest.fixture
def database_url(store: Store) -> Iterator[str]:
    """A fresh migrated database for the test."""
    url = store.copy(store.base)
    yield url
    store.drop(url)


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
    """Talks to the app over HTTP exactly as a front end would, as `member` (None: anonymously)."""

    def __init__(self, http: httpx.AsyncClient, member: dict[str, Any] | None = None) -> None:
        self.http = http
        self.member = member

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
def settings(database_url: str, request: pytest.FixtureRequest) -> Settings:
    """The suite's settings, changed by what a test passes with `indirect=True`."""
    # A policy change's background run is awaited by the tests of it only (tests/test_policy.py).
    return Settings(database_url=database_url, **{"rejudge_on_policy_change": False, **getattr(request, "param", {})})


@pytest.fixture
async def app(settings: Settings, engine: AsyncEngine) -> Any:
    return create_app(settings, engine=engine)


_emails = itertools.count(1)


async def add_member(
    engine: AsyncEngine,
    role: str,
    *,
    manager_id: str | None = None,
    on: Iterable[str] = (),
    team_role: str = "SPECIALIST",
    active: bool = True,
) -> dict[str, Any]:
    """A team member written straight to the database, with a token; `on` are accounts whose team they join."""
    n = next(_emails)
    async with session_factory(engine)() as session, session.begin():
        member = TeamMember(
            name=f"{role.title()} {n}",
            email=f"{role.lower()}{n}@kam.test",
            role=MemberRole[role],
            manager_id=None if manager_id is None else parse_global_id(manager_id)[1],
            active=True,
        )
        session.add(member)
        await session.flush()
        for account_id in on:
            session.add(
                AccountTeamMember(
                    account_id=parse_global_id(account_id)[1], member_id=member.id, team_role=TeamRole[team_role]
                )
            )
        token = await issue_token(session, member, "tests")
        # Marked as used just now, so requests in the next minute do not write `last_used_at`
        # and statement counts of a test's first request equal those of the later ones.
        await session.execute(update(ApiToken).where(ApiToken.member_id == member.id).values(last_used_at=utcnow()))
        member.active = active
    return {"id": to_global_id("TeamMember", member.id), "email": member.email, "role": role, "token": token}


def http_client(app: Any, token: str | None) -> httpx.AsyncClient:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kam.test", headers=headers)


@pytest.fixture
async def client(app: Any, engine: AsyncEngine) -> AsyncIterator[GraphQLClient]:
    """An ADMIN: may read and change everything, as the tests of each area need."""
    admin = await add_member(engine, "ADMIN")
    async with http_client(app, admin["token"]) as http:
        yield GraphQLClient(http, admin)


@pytest.fixture
async def anonymous(app: Any) -> AsyncIterator[GraphQLClient]:
    """A client that sends no token."""
    async with http_client(app, None) as http:
        yield GraphQLClient(http)


class ClientFor(Protocol):
    async def __call__(
        self, role: str, *, on: Iterable[str] = (), team_role: str = "SPECIALIST", manager_id: str | None = None
    ) -> GraphQLClient: ...


@pytest.fixture
async def client_for(app: Any, engine: AsyncEngine) -> AsyncIterator[ClientFor]:
    """Clients of new members of a role: `on` the given accounts' teams, reporting to `manager_id`.

    `(await client_for("VIEWER", on=[account["id"]])).member` describes the member (`id`, `email`, `role`, `token`).
    """
    async with contextlib.AsyncExitStack() as stack:

        async def make(
            role: str, *, on: Iterable[str] = (), team_role: str = "SPECIALIST", manager_id: str | None = None
        ) -> GraphQLClient:
            member = await add_member(engine, role, manager_id=manager_id, on=on, team_role=team_role)
            http = await stack.enter_async_context(http_client(app, member["token"]))
            return GraphQLClient(http, member)

        yield make


def write_to_test_log(request: pytest.FixtureRequest, lines: Iterable[str]) -> None:
    """Lines in the test log (not captured), for figures a module reports once it has run."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            for line in lines:
                reporter.write_line(line)
