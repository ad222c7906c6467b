"""Databases to benchmark on: a portfolio generated once per store, and fresh copies of it for each run.

SQLite is a file in a scratch folder; PostgreSQL a throwaway server
(kam.pgserver) with the portfolio in one database that serves as the template
of the others. The data comes from `kam demo` (`kam demo --accounts N` for a
portfolio of N accounts), run as a separate process exactly as a user would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select, update

from domain.account import Account
from domain.base import utcnow
from domain.interaction import Interaction, InteractionMember, InteractionStakeholder
from domain.need import Need
from domain.opportunity import Opportunity, StageChange
from domain.plan import Action, ActionPlan
from domain.revenue import RevenueRecord
from domain.stakeholder import Stakeholder
from domain.team import MemberRole, TeamMember
from domain.token import ApiToken
from kam.db import create_engine, session_factory
from kam.pgserver import PostgresServer, temporary_postgres
from kam.scratch import PostgresScratch, SQLiteScratch
from kam.tokens import issue_token

ADMIN_EMAIL = "bench.admin@kam-bench.example"
STORES = ("sqlite", "postgresql")
# A larger cache than PostgreSQL's default 128 MB, so a portfolio of 100,000 accounts is read from memory.
POSTGRES_SETTINGS = {"shared_buffers": "512MB"}


class Store(Protocol):
    name: str
    pristine: str  # URL of the generated portfolio, never written to

    def copy(self, template: str) -> str:
        """A new database holding what the database at `template` holds; its URL."""
        ...

    def drop(self, url: str) -> None: ...


def demo_options() -> str:
    """`kam demo --help`: which options this kam's demo command takes."""
    return subprocess.run(
        [sys.executable, "-m", "kam.cli", "demo", "--help"], capture_output=True, text=True, check=True
    ).stdout


def demo_supports_accounts() -> bool:
    """Whether this kam's `kam demo` takes `--accounts N` (the portfolio generator)."""
    return "--accounts" in demo_options()


def demo_command(accounts: int | None, seed: int) -> list[str]:
    """The `kam demo` arguments for a portfolio of `accounts` (None: the demo's own), the same one for a seed."""
    if accounts is None:
        return ["demo"]
    command = ["demo", "--accounts", str(accounts)]
    return command + ["--seed", str(seed)] if "--seed" in demo_options() else command


def generate(url: str, arguments: list[str]) -> None:
    """Fill the database at `url` with `kam demo`, as a user would run it."""
    command = [sys.executable, "-m", "kam.cli", *arguments]
    env = {**os.environ, "KAM_DATABASE_URL": url}
    print(f"  $ KAM_DATABASE_URL={url} kam {' '.join(command[3:])}", flush=True)
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"`kam demo` failed:\n{done.stdout}")
    # The output ends with the demo admin's token; the bench uses a member of its own.
    noise = ("kam_", "Bearer", "API token", "GraphiQL")
    lines = [line for line in done.stdout.splitlines() if line.strip() and not any(n in line for n in noise)]
    # The summary (rows and seconds of a generated portfolio), then the end of the output.
    shown = [line for line in lines[:-5] if "loaded" in line] + lines[-5:]
    for line in shown:
        print(f"    {line}", flush=True)


async def _add_admin(url: str) -> str:
    """An ADMIN with an API token: the member every benchmark request acts as."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            member = await session.scalar(select(TeamMember).where(TeamMember.email == ADMIN_EMAIL))
            if member is None:
                member = TeamMember(name="Bench Admin", email=ADMIN_EMAIL, role=MemberRole.ADMIN, active=True)
                session.add(member)
                await session.flush()
            token = await issue_token(session, member, "bench")
            await session.execute(update(ApiToken).where(ApiToken.member_id == member.id).values(last_used_at=utcnow()))
        return token
    finally:
        await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                name: int(await conn.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in (
                    ("accounts", Account),
                    ("stakeholders", Stakeholder),
                    ("needs", Need),
                    ("plans", ActionPlan),
                    ("actions", Action),
                    ("interactions", Interaction),
                    ("interaction stakeholders", InteractionStakeholder),
                    ("interaction members", InteractionMember),
                    ("opportunities", Opportunity),
                    ("stage changes", StageChange),
                    ("revenue records", RevenueRecord),
                )
            }
    finally:
        await engine.dispose()


async def refresh_token_use(url: str) -> None:
    """Mark the bench tokens as used just now: requests in the next minute then write nothing for them."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(ApiToken).values(last_used_at=utcnow()))
    finally:
        await engine.dispose()


@dataclass
class Prepared:
    """A store with its portfolio, and the token every request carries."""

    store: Store
    token: str
    counts: dict[str, int]
    generator: str  # the command that made the data


class SQLiteStore(SQLiteScratch):
    name = "sqlite"

    def __init__(self, root: Path) -> None:
        super().__init__(root, prefix="run")
        self.pristine = self.url(root / "portfolio.db")


class PostgresStore(PostgresScratch):
    name = "postgresql"

    def __init__(self, server: PostgresServer) -> None:
        super().__init__(server, prefix="kam_run")
        self.pristine = self.create("kam_portfolio")


@contextlib.contextmanager
def prepared(
    store: str, accounts: int | None, pg_settings: dict[str, str] | None = None, seed: int = 1
) -> Iterator[Prepared]:
    """`store` with a generated portfolio of `accounts` accounts (None: the demo's six), for the block."""
    with contextlib.ExitStack() as stack:
        print(f"Preparing {store} ...", flush=True)
        if store == "sqlite":
            root = Path(tempfile.mkdtemp(prefix="kam-bench-"))
            stack.callback(shutil.rmtree, root, True)
            db: Store = SQLiteStore(root)
        elif store == "postgresql":
            server = stack.enter_context(temporary_postgres(settings={**POSTGRES_SETTINGS, **(pg_settings or {})}))
            db = PostgresStore(server)
        else:
            raise ValueError(f"unknown store {store!r}; choose from {', '.join(STORES)}")
        arguments = demo_command(accounts, seed)
        generate(db.pristine, arguments)
        token = asyncio.run(_add_admin(db.pristine))
        counts = asyncio.run(_counts(db.pristine))
        command = "kam " + " ".join(arguments)
        print(f"  {store}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()), flush=True)
        yield Prepared(db, token, counts, command)
