"""Writing a synthetic portfolio in bulk: one transaction per chunk of accounts, COPY on PostgreSQL.

Primary keys are assigned by the generator, counting on from the highest id
each table holds when the run starts, so children point at their parents
without a round trip. On PostgreSQL each chunk first moves the tables' id
sequences past the ids it is about to write, so that rows the API adds
later never collide with generated ones; then it streams every table with
COPY. SQLite gets plain executemany inserts. Once every chunk is in, the
accounts' RFM scores are ranked across the database with `kam recompute`'s
own statements (the other derived columns come filled in by the generator),
and the portfolio is judged (value tiers ranked, every account judged) as
`kam recompute` judges it.

A run is meant for a database nobody else writes to while it loads: another
writer could take an id of the chunk being generated.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain import need_tally
from domain.base import Base, utcnow
from domain.growth import MatrixThresholds
from kam.portfolio.chance import Clock
from kam.portfolio.generator import PortfolioGenerator, chunks_ahead
from kam.portfolio.rows import COLUMNS, ID_TABLES, Batch, Ids
from kam.portfolio.team import Team, generate_team
from kam.recompute import rejudge_portfolio
from resolvers.revenue.summary import rfm_updates

DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run has come, after each chunk."""

    accounts: int
    total: int
    rows: int
    elapsed: float

    def describe(self) -> str:
        rate = self.rows / self.elapsed if self.elapsed else 0.0
        left = self.elapsed / self.accounts * (self.total - self.accounts) if self.accounts else 0.0
        return (
            f"{self.accounts:,}/{self.total:,} accounts ({self.accounts / self.total:.0%}), {self.rows:,} rows, "
            f"{rate:,.0f} rows/s, {_duration(self.elapsed)} elapsed, ETA {_duration(left)}"
        )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


@dataclass
class PortfolioReport:
    """What a run wrote."""

    accounts: int
    seed: int
    seconds: float
    admin_email: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def new_seed() -> int:
    return int.from_bytes(os.urandom(4), "big")


async def highest_ids(conn: AsyncConnection) -> dict[str, int]:
    """The highest id every table with ids has given out, 0 for none: what it holds, or what its id counter
    (a PostgreSQL sequence, SQLite's AUTOINCREMENT) remembers of rows deleted since, so no id is given twice."""
    tables = Base.metadata.tables
    statement = select(*(select(func.coalesce(func.max(tables[name].c.id), 0)).scalar_subquery() for name in ID_TABLES))
    held = dict(zip(ID_TABLES, (await conn.execute(statement)).one(), strict=True))
    if conn.dialect.name == "postgresql":
        counted = select(
            *(func.pg_sequence_last_value(func.pg_get_serial_sequence(name, "id")) for name in ID_TABLES)
        )
        given = dict(zip(ID_TABLES, (await conn.execute(counted)).one(), strict=True))
    else:
        given = dict((await conn.execute(text("SELECT name, seq FROM sqlite_sequence"))).all())
    return {name: max(held[name], given.get(name) or 0) for name in ID_TABLES}


async def _insert_rows(conn: AsyncConnection, batch: Batch) -> None:
    """Core executemany, table by table, parents first."""
    tables = Base.metadata.tables
    for name, rows in batch.rows.items():
        if rows:
            columns = COLUMNS[name]
            await conn.execute(tables[name].insert(), [dict(zip(columns, row, strict=True)) for row in rows])


async def _copy_rows(conn: AsyncConnection, batch: Batch) -> None:
    """Reserve the chunk's ids in the sequences, then COPY each table through the driver's connection.

    The first statement sent through SQLAlchemy opens the chunk's transaction; the COPYs run inside it.
    """
    for name in ID_TABLES:
        rows = batch.rows[name]
        if rows:
            await conn.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"), {"table": name, "last": rows[-1][0]}
            )
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver.is_in_transaction(), "COPY outside the chunk's transaction"
    for name, rows in batch.rows.items():
        if rows:
            await driver.copy_records_to_table(name, records=rows, columns=COLUMNS[name])


def writer_for(engine: AsyncEngine) -> Callable[[AsyncConnection, Batch], Awaitable[None]]:
    return _copy_rows if engine.dialect.name == "postgresql" else _insert_rows


async def load_portfolio(
    engine: AsyncEngine,
    accounts: int,
    *,
    thresholds: MatrixThresholds,
    seed: int | None = None,
    batch: int = DEFAULT_BATCH,
    now: datetime | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> PortfolioReport:
    """Add a synthetic portfolio of `accounts` accounts, with the team to run it, to a migrated database.

    Each chunk of `batch` accounts is one transaction; after each one `progress` hears how far the run has come.
    """
    if accounts < 1 or batch < 1:
        raise ValueError("accounts and batch must be at least 1")
    seed = new_seed() if seed is None else seed
    clock = Clock(now or utcnow())
    write = writer_for(engine)
    started = time.perf_counter()
    async with engine.connect() as conn:
        ids = Ids(await highest_ids(conn))
    team, team_rows = generate_team(accounts, ids, random.Random(seed), clock)
    async with engine.begin() as conn:
        await write(conn, team_rows)
    report = PortfolioReport(accounts, seed, 0.0, _admin_email(team, team_rows), team_rows.counts())
    generator = PortfolioGenerator(team, seed, clock, thresholds, ids)
    async with contextlib.aclosing(chunks_ahead(generator, accounts, batch)) as chunks:
        async for done, chunk in chunks:
            async with engine.begin() as conn:
                await write(conn, chunk)
            for name, count in chunk.counts().items():
                report.rows[name] += count
            report.seconds = time.perf_counter() - started
            if progress is not None:
                progress(Progress(done, accounts, report.total_rows, report.seconds))
    await rank_revenue(engine, clock.today)
    async with engine.begin() as conn:  # the needs' tally, appended to per chunk: one row per key
        await need_tally.fold(conn)
    await refresh_statistics(engine)  # the judging's grouped reads plan on fresh statistics
    await rejudge_portfolio(engine, clock.today, rank=True)
    await refresh_statistics(engine)
    report.seconds = time.perf_counter() - started
    return report


async def rank_revenue(engine: AsyncEngine, today: date) -> None:
    """The RFM quintiles across the portfolio, ranked as `kam recompute` ranks them (resolvers/revenue/summary.py)."""
    async with engine.begin() as conn:
        for statement in rfm_updates(today):
            await conn.execute(statement)


async def refresh_statistics(engine: AsyncEngine) -> None:
    """After a bulk load the planner's statistics describe the old data: gather them anew.

    On PostgreSQL `VACUUM (ANALYZE)` also marks the new pages all-visible, so counts can use index-only scans
    at once rather than after autovacuum comes round.
    """
    statement = "VACUUM (ANALYZE)" if engine.dialect.name == "postgresql" else "ANALYZE"
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql(statement)


def _admin_email(team: Team, team_rows: Batch) -> str:
    email_at = COLUMNS["team_member"].index("email")
    return next(row[email_at] for row in team_rows.rows["team_member"] if row[0] == team.admins[0])
