"""The per-request context that kam/ builds and every resolver receives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.growth import MatrixThresholds
from domain.team import Caller
from resolvers.driver import Reader

T = TypeVar("T")


class RequestFinished(RuntimeError):
    """The request's answer is out and its session closed; nothing reads through it any more."""


@dataclass(frozen=True, slots=True)
class ApiConfig:
    """The settings resolvers need, handed down by kam/ so resolvers never read the environment."""

    default_page_size: int
    max_page_size: int
    matrix_thresholds: MatrixThresholds
    default_currency: str
    after_policy_change: Callable[[], None] | None = None  # run once a new scoring policy version is committed


@dataclass
class RequestContext:
    """One request's database session, DataLoaders and caller.

    An AsyncSession cannot run two statements at once, while GraphQL resolves
    sibling fields concurrently; every database call goes through `run`, which
    serialises them on the request's own connection.

    The session opens on first use: a direct read (kam/compiled/direct.py) reads
    through its `reader` alone and never opens one.
    """

    config: ApiConfig
    member: Caller | None = None
    sessions: Callable[[], AsyncSession] | None = None  # opens the request's session
    opened: AsyncSession | None = None  # the session, once open
    reader: Reader | None = None  # a read-only request's connection, read through on the driver
    access: Any = None  # what the caller may do (resolvers.access.bind_access)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loaders: dict[Any, Any] = field(default_factory=dict)
    _writing: bool = False
    _began_writing: bool = False
    operating: bool = False  # an operation runs on this context: it ends the session (kam's CloseSession)
    executed: bool = False  # its operation got past parsing, validation and its variables: the answer has `data`
    finished: bool = False
    changed: bool = False  # a mutation of this request completed: its changes await `finish`
    after_commit: list[Callable[[], None]] = field(default_factory=list)  # run once `finish` committed

    @property
    def session(self) -> AsyncSession:
        """The request's session, opened on first use."""
        if self.opened is None:
            assert self.sessions is not None, "the context has no session and no means to open one"
            self.opened = self.sessions()
            self.introduce(self.opened)
        return self.opened

    def introduce(self, session: AsyncSession) -> None:
        """Make the caller's access reachable from `session` (ORM-level code only has the session)."""
        session.info["access"] = self.access
        session.info["member_id"] = self.member.id if self.member is not None else None

    @property
    def dialect(self) -> str:
        """The name of the database's dialect ("postgresql", "sqlite")."""
        if self.reader is not None and self.opened is None:
            return self.reader.dialect.name  # type: ignore[no-any-return]
        return self.session.get_bind().dialect.name

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        if self._writing:
            # Inside a mutation the writer already holds the session; its awaits run one at a time.
            return await work(self.session)
        async with self.lock:
            if self.finished:
                # A read GraphQL abandoned (its field's sibling failed) must not open a new connection.
                raise RequestFinished
            return await work(self.session)

    def loader(self, key: Any, factory: Callable[[], T]) -> T:
        """The request's DataLoader for `key`, created on first use and memoised for the request."""
        found = self._loaders.get(key)
        if found is None:
            found = self._loaders[key] = factory()
        return found

    def forget_loaded(self) -> None:
        """After a write, drop what loaders cached so the payload shows the new state."""
        self._loaders.clear()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One mutation field: a savepoint of the operation's transaction, rolled back on any exception.

        The operation's transaction itself ends in `finish`, once every field
        of the answer is resolved: a mutation whose payload then fails to
        resolve leaves no change behind.
        """
        async with self.lock:
            if self.finished:
                raise RequestFinished
            self._writing = True
            try:
                await self._begin_writing()
                async with self.session.begin_nested():
                    yield self.session
                self.changed = True
            finally:
                self._writing = False
                self.forget_loaded()

    async def _begin_writing(self) -> None:
        if self._began_writing:
            return
        await begin_writing(self.session)
        self._began_writing = True

    async def finish(self, *, keep: bool) -> None:
        """End the request: commit what its mutations wrote when `keep`, else roll it back; close the session."""
        async with self.lock:
            self.finished = True
            try:
                if self.opened is not None:
                    committed = keep and self.changed
                    if committed:
                        await self.opened.commit()
                    await self.opened.close()
                    if committed:
                        for then in self.after_commit:
                            then()
            finally:
                if self.reader is not None:
                    await self.reader.close()


async def begin_writing(session: AsyncSession) -> None:
    """Start a transaction that will write. On SQLite, take the write lock up front: its driver sends BEGIN only
    before the first write, so what the transaction read before would not be the data it writes over (a lost
    update), and a SAVEPOINT outside BEGIN would commit the moment it is released. PostgreSQL's transactions
    need nothing more (writers lock the rows they read FOR UPDATE where it matters)."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("BEGIN IMMEDIATE"))
