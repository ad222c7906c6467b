"""Reads sent to the database driver itself: SQLAlchemy writes the SQL, asyncpg or aiosqlite runs it.

SQLAlchemy's execution of a cached statement costs about 0.1-0.3 ms of Python
per statement (the compiled-cache lookup, an execution context, the asyncpg
adapter's cursor emulation, greenlet switches, a result object): more than
PostgreSQL takes to answer a small indexed read. Compiled reads send a few
statements per request, so they take SQLAlchemy's compiled form of a
statement (made once per statement shape and kept here, keyed by SQLAlchemy's
own cache key, which also yields the statement's bound values) and run it on
the connection's driver, converting values with the same type processors.

Statements still announce themselves to `before_cursor_execute` listeners
(statement counts in tests and benchmarks) and are logged when the engine echoes.
Everything else (writes, the general executor) goes through SQLAlchemy's
execution as usual, on the same connection and transaction.

This leans on parts of SQLAlchemy below its public API, used as its own
`Connection.execute` uses them; `INTERNALS` lists them, tests/test_sqlalchemy_internals.py
fails by name when a release changes one, and pyproject.toml admits only the
minor version they were tested with (2.1).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import greenlet_spawn

Row = Sequence[Any]
Processor = Callable[[Any], Any] | None

# The parts of SQLAlchemy below its public API this module uses: (owner, attribute, parameters it passes).
INTERNALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sqlalchemy.sql.elements.ClauseElement", "_generate_cache_key", ()),
    ("sqlalchemy.sql.cache_key.CacheKey", "bindparams", ()),
    ("sqlalchemy.sql.cache_key.CacheKey", "params", ()),
    ("sqlalchemy.sql.compiler.SQLCompiler", "construct_params",
     ("params", "extracted_parameters", "escape_names", "_check", "_collected_params")),
    ("sqlalchemy.sql.compiler.SQLCompiler", "_process_parameters_for_postcompile", ("parameters",)),
    ("sqlalchemy.sql.compiler.SQLCompiler", "_bind_processors", ()),
    ("sqlalchemy.sql.compiler.SQLCompiler", "positiontup", ()),
    ("sqlalchemy.sql.compiler.SQLCompiler", "post_compile_params", ()),
    ("sqlalchemy.sql.compiler.SQLCompiler", "literal_execute_params", ()),
    ("sqlalchemy.sql.compiler.SQLCompiler", "bind_names", ()),
    ("sqlalchemy.sql.compiler.ExpandedState", "statement", ()),
    ("sqlalchemy.sql.compiler.ExpandedState", "positiontup", ()),
    ("sqlalchemy.sql.compiler.ExpandedState", "processors", ()),
    ("sqlalchemy.types.TypeEngine", "_cached_result_processor", ("dialect", "coltype")),
)

log = logging.getLogger("sqlalchemy.engine.Engine")  # where SQLAlchemy's own echo writes


def _result_processor(column_type: Any, dialect: Any) -> Processor:
    """How a value of the type leaves the driver for Python, as SQLAlchemy converts it.

    asyncpg's numeric types ask for the driver's type code, which only a described cursor gives;
    asyncpg itself returns NUMERIC as Decimal and floats as float, as the columns are declared.
    """
    try:
        return column_type._cached_result_processor(dialect, None)  # type: ignore[no-any-return]
    except (InvalidRequestError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class CompiledForm:
    """One statement shape, compiled for one dialect."""

    compiled: SQLCompiler
    results: tuple[Processor, ...]
    expands: bool  # list parameters are written into the SQL per execution
    literals: tuple[str, ...]  # parameters written into the SQL as literals (page limits)
    rendered: dict[tuple[Any, ...], tuple[str, Any, Any]]  # SQL by literal values, when nothing expands

    @classmethod
    def of(cls, stmt: Any, cache_key: Any, dialect: Any) -> CompiledForm:
        compiled = stmt.compile(dialect=dialect, cache_key=cache_key)
        results = tuple(_result_processor(c.type, dialect) for c in stmt.selected_columns)
        literals = tuple(compiled.bind_names[p] for p in compiled.literal_execute_params)
        return cls(compiled, results, bool(compiled.post_compile_params), literals, {})

    def _written(self, params: dict[str, Any]) -> tuple[str, Any, Any]:
        """The SQL with literals and lists written in, its parameters' order, and their processors."""
        compiled = self.compiled
        key = None
        if not self.expands:
            key = tuple(params[name] for name in self.literals)
            found = self.rendered.get(key)
            if found is not None:
                return found
        state = compiled._process_parameters_for_postcompile(params)
        written = (state.statement, state.positiontup, {**compiled._bind_processors, **state.processors})
        if key is not None and len(self.rendered) < 64:
            self.rendered[key] = written
        return written

    def bound(
        self, cache_key: Any, given: dict[str, Any] | None, template: Template | None = None
    ) -> tuple[str, list[Any]]:
        """The SQL and the driver's positional values for the statement `cache_key` was made from,
        with `given` values for its parameters that have none (filled into `template` when it has one)."""
        compiled = self.compiled
        if template is not None:
            params = template.filled(given)
        else:
            params = compiled.construct_params(
                given, extracted_parameters=cache_key.bindparams, escape_names=False, _collected_params=cache_key.params
            )
        processors: Any = compiled._bind_processors
        sql, positions = compiled.string, compiled.positiontup
        if self.expands or self.literals:
            if template is not None and template.fixed:
                if template.written is None:
                    before = set(params)
                    template.written = self._written(params)  # also adds the values of expanded lists to `params`
                    template.expanded = {name: params[name] for name in params.keys() - before}
                else:
                    params.update(template.expanded)
                sql, positions, processors = template.written
            else:
                sql, positions, processors = self._written(params)
        values = []
        for name in positions or ():
            value = params[name]
            process = processors.get(name)
            values.append(value if process is None or value is None else process(value))
        return sql, values

    def convert(self, rows: list[Row]) -> list[Row]:
        """The rows with SQLAlchemy's values; as the driver gives them when it already gives those
        (asyncpg's records and sqlite3's tuples both index, slice, unpack and compare as tuples do)."""
        results = self.results
        if not any(results):
            return rows
        converted = [(i, p) for i, p in enumerate(results) if p is not None]
        found = []
        for row in rows:
            values = list(row)
            for i, process in converted:
                value = values[i]
                if value is not None:
                    values[i] = process(value)
            found.append(tuple(values))
        return found


@dataclass(slots=True)
class Template:
    """The parameters of one kept statement as `construct_params` makes them, made once: its own values
    (as its cache key extracted them), and where each named parameter's given value goes.

    When the lists and literals written into its SQL are all its own values (a filter's list of grades,
    a page's limit), none given per run, the SQL they make is the same every run: `written` keeps it."""

    values: dict[str, Any]
    named: tuple[tuple[str, str, bool], ...]  # (key, compiled name, required)
    fixed: bool  # nothing written into the SQL is given per run
    written: tuple[str, Any, Any] | None = None
    expanded: dict[str, Any] = field(default_factory=dict)  # the values of its lists, by their written names

    @classmethod
    def of(cls, compiled: SQLCompiler, cache_key: Any) -> Template | None:
        """None when a value is computed per execution (a callable parameter): those go through SQLAlchemy."""
        binds = compiled.bind_names
        if any(b.callable for b in binds):
            return None
        values = compiled.construct_params(
            None, extracted_parameters=cache_key.bindparams, escape_names=False, _collected_params=cache_key.params,
            _check=False,
        )
        named = tuple((b.key, name, b.required) for b, name in binds.items() if not b.unique)
        fixed = all(b.unique for b in (*compiled.post_compile_params, *compiled.literal_execute_params))
        return cls(values, named, fixed)

    def filled(self, given: dict[str, Any] | None) -> dict[str, Any]:
        params = self.values.copy()
        for key, name, required in self.named:
            if given is not None and key in given:
                params[name] = given[key]
            elif required:
                raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
        return params


class Statements:
    """Compiled statement shapes, per dialect, least recently used dropped past `maxsize`."""

    def __init__(self, maxsize: int = 2048) -> None:
        self.maxsize = maxsize
        self.forms: OrderedDict[Any, CompiledForm] = OrderedDict()

    def form(self, stmt: Any, dialect: Any) -> tuple[CompiledForm, Any]:
        cache_key = stmt._generate_cache_key()
        key = (dialect.name, cache_key.key)
        found = self.forms.get(key)
        if found is None:
            found = self.forms[key] = CompiledForm.of(stmt, cache_key, dialect)
            if len(self.forms) > self.maxsize:
                self.forms.popitem(last=False)
        else:
            self.forms.move_to_end(key)
        return found, cache_key


STATEMENTS = Statements()


class Kept:
    """A statement built once, with bound parameters for what changes between runs: its cache key and
    compiled form (per dialect) are made on its first run and kept with it, so later runs only bind values."""

    __slots__ = ("compiled", "stmt")

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self.compiled: dict[str, tuple[CompiledForm, Any, Template | None]] = {}

    def form(self, dialect: Any) -> tuple[CompiledForm, Any, Template | None]:
        found = self.compiled.get(dialect.name)
        if found is None:
            form, cache_key = STATEMENTS.form(self.stmt, dialect)
            found = self.compiled[dialect.name] = (form, cache_key, Template.of(form.compiled, cache_key))
        return found


async def driver_of(connection: AsyncConnection) -> Any:
    """The driver's own connection (asyncpg's, or aiosqlite's) under a SQLAlchemy connection."""
    sync = connection.sync_connection
    if sync is not None and not sync.invalidated and not sync.closed:
        return sync.connection.driver_connection  # in hand already: no IO, so no greenlet to enter
    return (await connection.get_raw_connection()).driver_connection


_IN_USE = "kam.driver"  # session.info: the session's connection and its driver's, while it holds them


async def connection_of(session: AsyncSession) -> tuple[AsyncConnection, Any]:
    """The session's connection (checked out and begun as for any statement of the session) and the
    driver's under it, found once per connection the session holds: every read of a request asks."""
    found = session.info.get(_IN_USE)
    if found is not None:
        sync = found[0].sync_connection
        if sync is not None and not sync.closed and not sync.invalidated:
            return found  # type: ignore[no-any-return]
    connection = await session.connection()
    found = session.info[_IN_USE] = (connection, await driver_of(connection))
    return found  # type: ignore[no-any-return]


async def _read(engine: Engine, announcer: Any, driver: Any, stmt: Any, params: dict[str, Any] | None) -> list[Row]:
    """`stmt` run on `driver`, announced to `engine`'s `before_cursor_execute` listeners as `announcer`'s."""
    dialect = engine.dialect
    if isinstance(stmt, Kept):
        form, cache_key, template = stmt.form(dialect)
    else:
        (form, cache_key), template = STATEMENTS.form(stmt, dialect), None
    sql, values = form.bound(cache_key, params, template)
    if engine.dispatch.before_cursor_execute:
        engine.dispatch.before_cursor_execute(announcer, None, sql, values, None, False)
    if engine.echo:
        log.info("%s [driver] %r", sql, values)
    try:
        if dialect.name == "postgresql":
            rows = await driver.fetch(sql, *values)
        else:
            rows = await driver.execute_fetchall(sql, values)
    except Exception as error:
        if dialect.name == "postgresql" and driver.is_closed():
            raise ConnectionLost("The database connection was lost during a read.") from error
        raise
    return form.convert(rows)


class ConnectionLost(Exception):
    """The driver's connection broke during a read (its holder invalidates it: it is not pooled again)."""


async def session_rows(session: AsyncSession, stmt: Any, params: dict[str, Any] | None = None) -> list[Row]:
    """The rows of a SELECT (or of a `Kept` one), as tuples of the values SQLAlchemy would give, read on the
    driver under the session's connection; the values of its `bindparam`s come from `params`.

    When this is the session's first statement, a connection found broken is replaced once: nothing ran
    on it yet (a pooled connection whose server went away since its last use fails this way)."""
    retry = not session.in_transaction()
    while True:
        connection, driver = await connection_of(session)
        sync = connection.sync_connection
        assert sync is not None
        try:
            return await _read(sync.engine, sync, driver, stmt, params)
        except ConnectionLost as lost:
            # What SQLAlchemy does when its own statement finds the connection gone.
            await connection.invalidate(lost.__cause__)  # type: ignore[arg-type]
            if not retry:
                raise
            retry = False
            await session.rollback()


class Reader:
    """A pooled connection that a read-only request reads through on the driver alone, without a Session.

    A Session costs a request ~0.1 ms of Python to begin and end (its transaction, the Connection,
    their events), more than a small indexed read takes; a request whose reads all go to the driver
    (an API token's lookup, then a direct read's plan) takes the pool's connection itself. Nothing is begun
    on it, so it goes back to the pool as it came.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.dialect = self.engine.dialect
        self.pooled: Any = None
        self.driver: Any = None
        self.used = False

    async def rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[Row]:
        """`stmt`'s rows, as `session_rows` reads them. A connection found broken at the first read is replaced once:
        nothing ran on it yet (a pooled connection whose server went away since its last use fails this way)."""
        while True:
            if self.pooled is None:
                self.pooled = await greenlet_spawn(self.engine.raw_connection)  # the pool's checks may do IO
                self.driver = self.pooled.driver_connection
            try:
                rows = await _read(self.engine, None, self.driver, stmt, params)
            except ConnectionLost as lost:
                pooled, self.pooled = self.pooled, None
                pooled.invalidate(lost.__cause__)
                if self.used:
                    raise
                self.used = True
                continue
            self.used = True
            return rows

    async def close(self) -> None:
        """Give the connection back to the pool (its reset on return runs there)."""
        pooled, self.pooled = self.pooled, None
        if pooled is not None:
            await greenlet_spawn(pooled.close)
