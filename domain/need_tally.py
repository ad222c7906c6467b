"""The needs' tally: how many needs there are per category, status, priority, visibility and peak quarters,
and per region of their account and whether it is archived, kept by the database as each write happens, so
that a whole portfolio's or a region's needs are counted without reading them (45 per account: 4.5 million
at 100,000 accounts, 900,000 in the largest region).

The tally is a ledger of deltas. Each statement that inserts, deletes or changes needs appends one row per
key it moved, with how many needs it moved by (negative for needs gone or changed away); a key's count is
the sum of its rows. Appending takes no lock another writer waits on: one counter row per key would make
every write of the same kind of need wait for the others to commit, and two transactions writing keys in
opposite orders would deadlock. `kam recompute` folds the ledger into one row per key.

Triggers write the ledger on every path (the API's writes, an account moved to another region, archived or
deleted with its needs, the generator's COPY): on PostgreSQL statement-level triggers read the statement's
transition tables, on SQLite row-level ones (migrations/versions/0016_need_tally.py). An account's delete
counts its needs out before it goes; the delete of its needs that follows finds no account to count them by.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, SmallInteger, String, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, enum_column
from domain.need import NeedCategory, NeedStatus, NeedVisibility, Priority

KEY = ("region", "archived", "category", "status", "priority", "visibility", "peak_mask")


class NeedTally(Base):
    """One delta of the ledger: `needs` needs moved into (or, negative, out of) the key."""

    __tablename__ = "need_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str | None] = mapped_column(String(100))  # the account's
    archived: Mapped[bool] = mapped_column(Boolean)  # whether the account is
    category: Mapped[NeedCategory] = mapped_column(enum_column(NeedCategory))
    status: Mapped[NeedStatus] = mapped_column(enum_column(NeedStatus))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority))
    visibility: Mapped[NeedVisibility] = mapped_column(enum_column(NeedVisibility))
    peak_mask: Mapped[int] = mapped_column(SmallInteger)
    needs: Mapped[int] = mapped_column(Integer)


_COLUMNS = ", ".join(KEY)

# One statement: the rows it deletes are exactly the rows it sums, whatever commits meanwhile.
_FOLD_POSTGRESQL = f"""WITH folded AS (DELETE FROM need_tally RETURNING {_COLUMNS}, needs)
INSERT INTO need_tally ({_COLUMNS}, needs) SELECT {_COLUMNS}, sum(needs) FROM folded GROUP BY {_COLUMNS} HAVING sum(needs) <> 0"""

_FOLD_SQLITE = f"""INSERT INTO need_tally ({_COLUMNS}, needs)
SELECT {_COLUMNS}, sum(needs) FROM need_tally WHERE id <= :last GROUP BY {_COLUMNS} HAVING sum(needs) <> 0"""


async def fold(connection: AsyncConnection) -> None:
    """Fold the ledger into one row per key still counting needs, in the caller's transaction."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text(_FOLD_POSTGRESQL))
        return
    # SQLite has one writer at a time: the rows up to the last one now are the rows summed and deleted.
    last = await connection.scalar(text("SELECT max(id) FROM need_tally"))
    if last is not None:
        await connection.execute(text(_FOLD_SQLITE), {"last": last})
        await connection.execute(text("DELETE FROM need_tally WHERE id <= :last"), {"last": last})
