"""The needs' tally: each need's peak quarters as bits, and a ledger of need counts per category, status,
priority, visibility and peak quarters that triggers keep (domain/need_tally.py), started with every need.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUARTER_BITS = {"Q1": 1, "Q2": 2, "Q3": 4, "Q4": 8}  # as domain.need.QUARTER_BITS when this was written

KEY = ("category", "status", "priority", "visibility", "peak_mask")
_COLUMNS = ", ".join(KEY)


def _values(row: str) -> str:
    return ", ".join(f"{row}.{column}" for column in KEY)


_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in KEY)
_MOVED = f"({_values('o')}) IS DISTINCT FROM ({_values('n')})"

_POSTGRESQL = [
    f"""CREATE FUNCTION need_tally_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO need_tally ({_COLUMNS}, needs) SELECT {_COLUMNS}, count(*) FROM new_needs GROUP BY {_COLUMNS};
    RETURN NULL;
END $$""",
    f"""CREATE FUNCTION need_tally_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO need_tally ({_COLUMNS}, needs) SELECT {_COLUMNS}, -count(*) FROM old_needs GROUP BY {_COLUMNS};
    RETURN NULL;
END $$""",
    f"""CREATE FUNCTION need_tally_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO need_tally ({_COLUMNS}, needs)
    SELECT {_COLUMNS}, sum(moved) FROM (
        SELECT {_values('o')}, -1 AS moved FROM old_needs o JOIN new_needs n ON n.id = o.id WHERE {_MOVED}
        UNION ALL
        SELECT {_values('n')}, 1 AS moved FROM old_needs o JOIN new_needs n ON n.id = o.id WHERE {_MOVED}
    ) AS changed GROUP BY {_COLUMNS} HAVING sum(moved) <> 0;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER need_tally_inserted AFTER INSERT ON need REFERENCING NEW TABLE AS new_needs
    FOR EACH STATEMENT EXECUTE FUNCTION need_tally_inserted()""",
    """CREATE TRIGGER need_tally_deleted AFTER DELETE ON need REFERENCING OLD TABLE AS old_needs
    FOR EACH STATEMENT EXECUTE FUNCTION need_tally_deleted()""",
    """CREATE TRIGGER need_tally_updated AFTER UPDATE ON need REFERENCING OLD TABLE AS old_needs NEW TABLE AS new_needs
    FOR EACH STATEMENT EXECUTE FUNCTION need_tally_updated()""",
]

_SQLITE = [
    f"""CREATE TRIGGER need_tally_inserted AFTER INSERT ON need BEGIN
    INSERT INTO need_tally ({_COLUMNS}, needs) VALUES ({_values('NEW')}, 1);
END""",
    f"""CREATE TRIGGER need_tally_deleted AFTER DELETE ON need BEGIN
    INSERT INTO need_tally ({_COLUMNS}, needs) VALUES ({_values('OLD')}, -1);
END""",
    f"""CREATE TRIGGER need_tally_updated AFTER UPDATE OF {_COLUMNS} ON need WHEN {_CHANGED} BEGIN
    INSERT INTO need_tally ({_COLUMNS}, needs) VALUES ({_values('OLD')}, -1);
    INSERT INTO need_tally ({_COLUMNS}, needs) VALUES ({_values('NEW')}, 1);
END""",
]

TRIGGERS = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE}

DROP_TRIGGERS = {
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS need_tally_{event} ON need" for event in ("inserted", "deleted", "updated")),
        *(f"DROP FUNCTION IF EXISTS need_tally_{event}()" for event in ("inserted", "deleted", "updated")),
    ],
    "sqlite": [f"DROP TRIGGER IF EXISTS need_tally_{event}" for event in ("inserted", "deleted", "updated")],
}

COUNT_ALL = f"INSERT INTO need_tally ({_COLUMNS}, needs) SELECT {_COLUMNS}, count(*) FROM need GROUP BY {_COLUMNS}"


def upgrade() -> None:
    with op.batch_alter_table("need") as batch:
        batch.add_column(sa.Column("peak_mask", sa.SmallInteger(), server_default="0", nullable=False))
    bits = " ".join(f"WHEN '{quarter}' THEN {bit}" for quarter, bit in QUARTER_BITS.items())
    op.execute(
        f"UPDATE need SET peak_mask = (SELECT coalesce(sum(CASE quarter {bits} END), 0) FROM need_peak_quarter"
        " WHERE need_peak_quarter.need_id = need.id)"
        " WHERE EXISTS (SELECT 1 FROM need_peak_quarter WHERE need_peak_quarter.need_id = need.id)"
    )
    op.create_table(
        "need_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=False),
        sa.Column("visibility", sa.String(length=32), nullable=False),
        sa.Column("peak_mask", sa.SmallInteger(), nullable=False),
        sa.Column("needs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_tally")),
        sqlite_autoincrement=True,
    )
    op.execute(COUNT_ALL)
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table("need_tally")
    with op.batch_alter_table("need") as batch:
        batch.drop_column("peak_mask")
