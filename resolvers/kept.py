"""Writing the figures the writes keep on rows (recency, revenue summaries): plain UPDATEs, so that a derived
figure is neither a new version of the row nor an event of the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value


async def write_kept(session: AsyncSession, model: type[Any], values_by_id: dict[int, dict[str, Any]]) -> None:
    """Each row's `values` (the same columns for every row) in one executemany, mirrored onto the objects the
    session holds so that what the request answers afterwards reads them."""
    if not values_by_id:
        return
    table = model.__table__
    keys = next(iter(values_by_id.values())).keys()
    stmt = update(table).where(table.c.id == bindparam("row_id")).values({k: bindparam(k) for k in keys})
    await session.execute(stmt, [{"row_id": row_id, **values} for row_id, values in values_by_id.items()])
    for row_id, values in values_by_id.items():
        held = session.identity_map.get((model, (row_id,), None))
        if held is not None:
            for key, value in values.items():
                set_committed_value(held, key, value)
