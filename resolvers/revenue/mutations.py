"""Writing revenue through the API: a bulk load of records, and deleting one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode, UserError
from domain.revenue import RevenueRecord
from resolvers import validation as v
from resolvers.accounts.ownership import open_account
from resolvers.ids import input_id
from resolvers.revenue import load
from resolvers.revenue.summary import refresh_revenue

MAX_RECORDS = 1000  # records per `revenueImport`; files of any size go through `kam import revenue`


class ImportRefused(DomainError):
    """A refused load: nothing is written, and the problems go back with the error."""

    def __init__(self, loaded: load.Loaded, error: UserError) -> None:
        super().__init__(error)
        self.loaded = loaded


async def import_records(
    session: AsyncSession, records: list[Mapping[str, Any]], keep_good_rows: bool, today: date
) -> load.Loaded:
    """Check every record, then load them (or, with problems and without `keep_good_rows`, refuse them all)."""
    if len(records) > MAX_RECORDS:
        raise DomainError.single(
            "records", f"`records` holds {len(records)} records; send at most {MAX_RECORDS} per call.", ErrorCode.OUT_OF_RANGE
        )
    rows, problems = [], []
    for number, values in enumerate(records, start=1):
        row, found = load.check_row(values, number, today)
        problems += found
        if row is not None:
            rows.append(row)
    loaded = await load.load_rows(session, rows, problems, today, keep_good_rows=keep_good_rows)
    if loaded.problems and not keep_good_rows:
        count = len({p.row for p in loaded.problems})
        error = UserError("records", f"{count} of the records have problems; nothing was loaded.", ErrorCode.INVALID)
        raise ImportRefused(loaded, error)
    return loaded


async def delete_record(session: AsyncSession, value: str, today: date) -> str:
    record = await v.get_row(session, RevenueRecord, input_id(value, "RevenueRecord", "id"), "id")
    await open_account(session, record.account_id, "id")
    account_id = record.account_id
    await session.delete(record)
    await session.flush()
    await refresh_revenue(session, [account_id], today)
    return value
