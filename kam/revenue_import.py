"""`kam import revenue FILE.csv`: revenue records from a file, checked whole before anything is written.

The file is read once to check every row (a progress bar counts them); with problems, nothing is written
and each is reported by row and column, unless the good rows are to be kept. The rows are then written in
one transaction through the same loader as the API's `revenueImport` (resolvers/revenue/load.py), audited
as the operation `importRevenue` by the member named (or by nobody). Whoever has the database's
credentials may write every account, so the command loads into any account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.team import Caller, MemberRole, TeamMember
from kam.db import session_factory
from resolvers.access import Access
from resolvers.context import begin_writing
from resolvers.judgments.judging import judge_pending
from resolvers.audit.recording import ACTOR, recording, write_events
from resolvers.revenue import load

OPERATION = "importRevenue"


@dataclass(frozen=True)
class Imported:
    rows: int
    loaded: load.Loaded


class UnknownMember(LookupError):
    pass


async def import_revenue(
    engine: AsyncEngine,
    path: Path,
    today: date,
    *,
    keep_good_rows: bool = False,
    member_email: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Imported:
    rows: list[load.Row] = []
    problems: list[load.Problem] = []
    count = 0
    with path.open(newline="", encoding="utf-8-sig", errors="strict") as stream:
        for number, values, found in load.csv_rows(stream):
            problems += found
            if values is not None:
                row, found = load.check_row(values, number, today)
                problems += found
                if row is not None:
                    rows.append(row)
            count = max(count, number)
            if progress is not None and number % 1000 == 0:
                progress(number)
    if progress is not None:
        progress(count)
    if any(p.row == 0 for p in problems):
        return Imported(count, load.Loaded(problems=problems))
    async with session_factory(engine)() as session, session.begin():
        await begin_writing(session)
        member = None
        if member_email is not None:
            member = await session.scalar(select(TeamMember).where(TeamMember.email == member_email.strip().lower()))
            if member is None:
                raise UnknownMember(member_email)
        # An operator with the database's credentials may write every account; the member is who the trail names.
        caller = Caller(member.id if member is not None else 0, MemberRole.ADMIN)
        session.info["access"] = Access(None, caller)  # type: ignore[arg-type]
        session.info[ACTOR] = member.id if member is not None else None
        with recording(session, OPERATION):
            loaded = await load.load_rows(session, rows, problems, today, keep_good_rows=keep_good_rows)
            if loaded.problems and not keep_good_rows:
                await session.rollback()
                return Imported(count, loaded)
            await session.flush()
            await judge_pending(session, today)
            await write_events(session)
    return Imported(count, loaded)
