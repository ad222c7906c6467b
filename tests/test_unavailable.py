"""A database that cannot answer right now: 503 SERVICE_UNAVAILABLE with Retry-After, nothing kept, never a 500.

SQLite: another writer holds the write lock past the busy timeout. PostgreSQL:
the app reaches the suite's server through a relay (`Relay`) that the tests cut
(the server down: connections dropped, new ones refused), make answer as a
server still starting up does (57P03), or restore; backends ended with
`pg_terminate_backend` fail as in a restart (57P01). Every path a request takes
is covered: authentication's read, a prepared read, the general executor, a
mutation, its commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sqlite3
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import GraphQLError
from sqlalchemy import exc as sa
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import resolvers.accounts.reads
from domain.token import generate_token
from kam.app import create_app
from kam.auth import Authenticator
from kam.db import create_engine
from kam.settings import Settings
from kam.unavailable import MESSAGE, is_unavailable
from resolvers.context import RequestContext
from resolvers.driver import ConnectionLost
from tests.conftest import GraphQLClient, http_client
from tests.stores import Store

BUSY_TIMEOUT = 0.2  # seconds a SQLite writer waits for the lock here (5 by default)
PREPARED = "query Count { accounts { totalCount } }"  # answered from its plan, then prepared
EXECUTOR = "query Members { teamMembers { totalCount } }"  # no plan: the general executor answers it
CREATE = """
mutation($input: AccountCreateInput!) {
  accountCreate(input: $input) { account { id } userErrors { code } }
}"""
TWO_CREATES = """
mutation($a: AccountCreateInput!, $b: AccountCreateInput!) {
  a: accountCreate(input: $a) { account { id } userErrors { code } }
  b: accountCreate(input: $b) { account { id } userErrors { code } }
}"""
COUNT = "{ accounts { totalCount } }"


def account(name: str) -> dict[str, Any]:
    return {"name": name, "grade": "B", "valueTier": "MEDIUM"}


REQUESTS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "prepared": (PREPARED, None),
    "executor": (EXECUTOR, None),
    "mutation": (CREATE, {"input": account("Retried")}),
}


def told_to_retry(response: httpx.Response, *, also: tuple[str, ...] = ()) -> None:
    """The whole request answered 503 with Retry-After, `data: null`, and the one error saying so (plus `also`)."""
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["data"] is None
    first, *others = body["errors"]
    assert first == {
        "message": MESSAGE,
        "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": response.headers["x-request-id"]},
    }
    assert [e["extensions"]["code"] for e in others] == list(also)


async def accounts_named(client: GraphQLClient) -> list[str]:
    data = await client.execute("{ accounts(first: 100) { nodes { name } } }")
    return sorted(n["name"] for n in data["accounts"]["nodes"])


# -- PostgreSQL through a relay that can be cut -------------------------------------------------------------------


def _starting_up() -> bytes:
    """The ErrorResponse a PostgreSQL still starting up sends a client after its startup message."""
    fields = b"SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0\0"
    return b"E" + struct.pack("!I", len(fields) + 4) + fields


class Relay:
    """A TCP relay on 127.0.0.1 in front of the suite's PostgreSQL, which other tests share and must keep.

    `cut()`: every connection dropped and new ones refused (the server down).
    `starting()`: connections dropped, new ones answered with 57P03 (a server starting up).
    `restore()`: relayed again, on the same port.
    """

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = 0
        self.server: asyncio.Server | None = None
        self.mode = "relay"
        self.writers: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task[Any]] = set()

    async def restore(self) -> None:
        self.mode = "relay"
        if self.server is None:
            self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
            self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        self._drop()

    async def starting(self) -> None:
        await self.restore()
        self.mode = "starting"
        self._drop()

    async def close(self) -> None:
        await self.cut()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def _drop(self) -> None:
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self.writers.add(writer)
        try:
            if self.mode == "starting":
                await self._answer_starting_up(reader, writer)
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
            self.writers.add(up_writer)
            await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))
        except OSError:
            writer.transport.abort()
        finally:
            self.tasks.discard(task)

    @staticmethod
    async def _answer_starting_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        length, code = struct.unpack("!II", await reader.readexactly(8))
        if code == 80877103:  # SSLRequest: no SSL here, then the startup message follows
            writer.write(b"N")
            (length,) = struct.unpack("!I", await reader.readexactly(4))
            await reader.readexactly(length - 4)
        else:
            await reader.readexactly(length - 8)
        writer.write(_starting_up())
        await writer.drain()
        writer.close()


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except OSError:
        pass
    finally:
        sink.transport.abort()


@pytest.fixture
async def relay(store: Store, database_url: str) -> AsyncIterator[Relay | None]:
    """On PostgreSQL, the relay the app's engine connects through; None on SQLite."""
    if store.name != "postgresql":
        yield None
        return
    relay = Relay(make_url(database_url).port or 5432)
    await relay.restore()
    yield relay
    await relay.close()


@pytest.fixture
async def engine(database_url: str, relay: Relay | None) -> AsyncIterator[AsyncEngine]:
    """The app's engine: through the relay on PostgreSQL, with a short busy timeout on SQLite."""
    url = database_url
    if relay is not None:
        url = make_url(database_url).set(port=relay.port).render_as_string(hide_password=False)
    engine = create_engine(url, busy_timeout=BUSY_TIMEOUT)
    yield engine
    await engine.dispose()


@pytest.fixture
def postgres(relay: Relay | None) -> Relay:
    if relay is None:
        pytest.skip("PostgreSQL only")
    return relay


def after_authentication(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], Awaitable[None]]], None]:
    """`arm(break_it)`: the next request's database breaks right after it was authenticated, in the middle of it."""
    armed: list[Callable[[], Awaitable[None]]] = []
    authenticate = Authenticator.authenticate

    async def then_break(self: Authenticator, *args: Any) -> Any:
        caller = await authenticate(self, *args)
        if armed:
            await armed.pop()()
        return caller

    monkeypatch.setattr(Authenticator, "authenticate", then_break)
    return armed.append


async def warm_up(client: GraphQLClient) -> None:
    """Every kind of request answered once, the prepared one twice, so pooled connections exist and it is prepared."""
    for query, variables in REQUESTS.values():
        if query != CREATE:
            await client.execute(query, variables)
    await client.execute(PREPARED)


@pytest.mark.parametrize("kind", list(REQUESTS))
@pytest.mark.parametrize("when", ["down", "starting-up", "down-after-authentication"])
async def test_while_postgresql_is_down_every_request_is_told_to_retry(
    postgres: Relay, client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    kind: str, when: str,
) -> None:
    """Down or starting up, the request fails at authentication's read (a prepared read's `Reader`, else the
    request's session); gone right after authentication, at the read or write that follows (a prepared read's
    plan fails over to the pipeline, which then finds the server gone)."""
    query, variables = REQUESTS[kind]
    await warm_up(client)
    if when == "down":
        await postgres.cut()
    elif when == "starting-up":
        await postgres.starting()
    else:
        after_authentication(monkeypatch)(postgres.cut)

    with caplog.at_level(logging.WARNING, logger="kam.errors"):
        told_to_retry(await client.post(query, variables))
    assert {r.levelname for r in caplog.records if r.name == "kam.errors"} == {"WARNING"}, "not logged as a bug"

    await postgres.restore()
    for query, variables in REQUESTS.values():
        await client.execute(query, variables)
    assert await accounts_named(client) == ["Retried"]  # kept once: when sent again, the database back


async def test_a_client_asking_for_graphql_response_json_gets_the_same_503(
    postgres: Relay, client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await warm_up(client)
    after_authentication(monkeypatch)(postgres.cut)
    accept = {"accept": "application/graphql-response+json"}
    response = await client.http.post("/graphql", json={"query": EXECUTOR}, headers=accept)
    told_to_retry(response)
    assert response.headers["content-type"] == "application/graphql-response+json"
    response = await client.http.post("/graphql", json={"query": PREPARED}, headers=accept)
    told_to_retry(response)
    assert response.headers["content-type"] == "application/graphql-response+json"


async def test_what_an_operation_wrote_before_the_database_went_away_is_not_kept(
    postgres: Relay, client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first mutation of the operation is written, the second finds the server gone: nothing is kept."""
    transaction = RequestContext.transaction
    entered = 0

    @asynccontextmanager
    async def cut_before_the_second(self: RequestContext) -> AsyncIterator[Any]:
        nonlocal entered
        entered += 1
        if entered == 2:
            await postgres.cut()
        async with transaction(self) as session:
            yield session

    monkeypatch.setattr(RequestContext, "transaction", cut_before_the_second)
    response = await client.post(TWO_CREATES, {"a": account("First"), "b": account("Second")})
    told_to_retry(response, also=("ROLLED_BACK",))

    await postgres.restore()
    assert await accounts_named(client) == []


async def test_a_commit_that_finds_the_server_gone_is_told_to_retry(
    postgres: Relay, client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    finish = RequestContext.finish

    async def cut_then_finish(self: RequestContext, *, keep: bool) -> None:
        if self.changed:
            await postgres.cut()
        await finish(self, keep=keep)

    monkeypatch.setattr(RequestContext, "finish", cut_then_finish)
    told_to_retry(await client.post(CREATE, {"input": account("Uncommitted")}))

    await postgres.restore()
    monkeypatch.setattr(RequestContext, "finish", finish)
    assert await accounts_named(client) == []


async def test_a_restart_fails_requests_in_flight_with_503_and_goes_unseen_between_requests(
    postgres: Relay, client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """pg_terminate_backend ends connections as a restart does (57P01, "terminating connection due to
    administrator command"). A request in the middle of its transaction is told to retry; a pooled connection
    that ended between requests is replaced without the client noticing."""
    admin = create_engine(database_url)  # straight to the server, not through the relay

    async def restart() -> None:
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        await asyncio.sleep(0.05)  # the ended backends' notice reaches their clients

    try:
        await warm_up(client)
        arm = after_authentication(monkeypatch)
        for kind in ("executor", "mutation"):
            arm(restart)
            told_to_retry(await client.post(*REQUESTS[kind]))
        arm(restart)  # a prepared read whose plan read fails is answered again by the pipeline, on a new connection
        assert (await client.execute(PREPARED))["accounts"]["totalCount"] == 0
        for query, variables in REQUESTS.values():
            await restart()
            await client.execute(query, variables)
    finally:
        await admin.dispose()
    assert await accounts_named(client) == ["Retried"]


async def test_a_connection_that_never_answers_is_unavailable_once_the_connect_timeout_passes() -> None:
    """asyncpg gives up connecting after its `timeout`: a TimeoutError raised while connecting."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read()
        writer.transport.abort()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    url = f"postgresql+asyncpg://kam@127.0.0.1:{server.sockets[0].getsockname()[1]}/kam"
    engine = create_async_engine(url, connect_args={"timeout": 0.3})
    try:
        app = create_app(Settings(database_url=url), engine=engine)
        async with http_client(app, generate_token().token) as http:
            told_to_retry(await http.post("/graphql", json={"query": COUNT}))
    finally:
        await engine.dispose()
        server.close()
        await server.wait_closed()


# -- SQLite: another writer holds the lock --------------------------------------------------------------------


@contextlib.contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Another process's writer, as SQLite sees it: a second connection to the file in BEGIN IMMEDIATE."""
    other = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_writer_that_waits_too_long_for_sqlites_lock_is_told_to_retry(
    store: Store, database_url: str, client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    if store.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's writers do not wait for each other's lock to start")
    await warm_up(client)
    with write_lock_held(database_url), caplog.at_level(logging.WARNING, logger="kam.errors"):
        assert (await client.execute(PREPARED))["accounts"]["totalCount"] == 0  # readers go on (WAL)
        assert await client.execute(EXECUTOR)
        told_to_retry(await client.post(CREATE, {"input": account("Locked out")}))
        response = await client.http.post(
            "/graphql",
            json={"query": TWO_CREATES, "variables": {"a": account("A"), "b": account("B")}},
            headers={"accept": "application/graphql-response+json"},
        )
        told_to_retry(response)
        assert response.headers["content-type"] == "application/graphql-response+json"
    assert {r.levelname for r in caplog.records if r.name == "kam.errors"} == {"WARNING"}

    assert await accounts_named(client) == []
    await client.mutate(CREATE, account("After"))
    assert await accounts_named(client) == ["After"]


async def test_the_busy_timeout_is_a_setting(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    app = create_app(Settings(database_url=url, sqlite_busy_timeout=0.25))
    engine: AsyncEngine = app.state.engine
    try:
        async with engine.connect() as connection:
            assert (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 250
    finally:
        await engine.dispose()


# -- Everything else stays a bug ----------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [{"compiled_reads": False}], indirect=True)
@pytest.mark.parametrize("failure", ["runtime-error", "missing-table"])
async def test_an_ordinary_failure_is_still_a_masked_internal_server_error(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    async def broken(ctx: Any, *_args: Any) -> Any:
        if failure == "runtime-error":
            raise RuntimeError("secret=swordfish")
        return await ctx.run(lambda session: session.execute(text("SELECT * FROM no_such_table")))

    monkeypatch.setattr(resolvers.accounts.reads, "list_accounts", broken)
    response = await client.post(COUNT)
    assert response.status_code == 200
    assert "retry-after" not in response.headers
    (error,) = response.json()["errors"]
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


# -- The classifier ---------------------------------------------------------------------------------------------


def raised(error: BaseException, cause: BaseException | None = None) -> BaseException:
    """`error` as it arrives: raised (from `cause`), with a traceback."""
    try:
        raise error from cause
    except BaseException as caught:  # noqa: BLE001
        return caught


def sqlalchemy_wrapped(orig: BaseException, *, invalidated: bool = False) -> sa.DBAPIError:
    kind = sa.IntegrityError if isinstance(orig, sqlite3.IntegrityError) else sa.OperationalError
    return kind("SELECT 1", {}, orig, connection_invalidated=invalidated)  # type: ignore[arg-type]


def sqlite_busy() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode, error.sqlite_errorname = 5, "SQLITE_BUSY"  # type: ignore[attr-defined]
    return error


UNAVAILABLE = {
    "sqlite-locked": sqlite_busy(),
    "sqlite-locked-via-sqlalchemy": sqlalchemy_wrapped(sqlite_busy()),
    "sqlite-busy-message": sqlite3.OperationalError("database is busy"),
    "pg-starting-up-57P03": asyncpg.CannotConnectNowError("the database system is starting up"),
    "pg-admin-shutdown-57P01": asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    "pg-crash-shutdown-57P02": asyncpg.CrashShutdownError("terminating connection because of crash"),
    "pg-too-many-connections-53300": asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    "pg-connection-does-not-exist": asyncpg.ConnectionDoesNotExistError("connection was closed in the middle"),
    "pg-connection-failure": asyncpg.ConnectionFailureError("connection failure"),
    "asyncpg-connection-closed": asyncpg.InterfaceError("cannot perform operation: connection is closed"),
    "connection-refused": ConnectionRefusedError(111, "Connect call failed"),
    "connection-reset": ConnectionResetError(104, "Connection reset by peer"),
    "invalidated-by-sqlalchemy": sqlalchemy_wrapped(Exception("gone"), invalidated=True),
    "pool-timeout": sa.TimeoutError("QueuePool limit of size 20 overflow 10 reached"),
    "invalid-transaction": sa.PendingRollbackError("Can't reconnect until invalid transaction", code="8s2b"),
    "connection-lost": raised(ConnectionLost("lost"), asyncpg.InterfaceError("connection is closed")),
    "under-a-graphql-error": GraphQLError("x", original_error=sqlalchemy_wrapped(sqlite_busy())),
    "cause-of-another": raised(RuntimeError("while reading"), asyncpg.CannotConnectNowError("starting up")),
}
NOT_UNAVAILABLE = {
    "runtime-error": RuntimeError("bug"),
    "sqlite-missing-table": sqlalchemy_wrapped(sqlite3.OperationalError("no such table: x")),
    "sqlite-constraint": sqlalchemy_wrapped(sqlite3.IntegrityError("UNIQUE constraint failed: account.name")),
    "pg-unique-violation": asyncpg.UniqueViolationError("duplicate key"),
    "pg-undefined-table": asyncpg.UndefinedTableError("relation does not exist"),
    "pg-statement-timeout-57014": asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
    "pg-protocol-violation": asyncpg.ProtocolViolationError("protocol violation"),
    "asyncpg-misuse": asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    "not-invalidated-by-sqlalchemy": sqlalchemy_wrapped(Exception("bad SQL")),
    "flush-failed-earlier": sa.PendingRollbackError("This Session's transaction has been rolled back", code="7s2a"),
    "timeout-not-connecting": raised(TimeoutError()),
    "os-error-not-connecting": raised(OSError(28, "No space left on device")),
    "graphql-error-alone": GraphQLError("x"),
    "nothing": None,
}


@pytest.mark.parametrize("error", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_the_classifier_knows_an_unavailable_database(error: BaseException) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize("error", NOT_UNAVAILABLE.values(), ids=NOT_UNAVAILABLE.keys())
def test_the_classifier_leaves_everything_else_a_bug(error: BaseException | None) -> None:
    assert not is_unavailable(error)


async def test_a_timeout_while_connecting_is_unavailable_and_the_same_timeout_elsewhere_is_not() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts, never answers
    try:
        with pytest.raises(TimeoutError) as connecting:
            await asyncpg.connect(host="127.0.0.1", port=listener.getsockname()[1], user="kam", timeout=0.2)
    finally:
        listener.close()
    assert is_unavailable(connecting.value)
    with pytest.raises(TimeoutError) as waiting:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)
    assert not is_unavailable(waiting.value)
