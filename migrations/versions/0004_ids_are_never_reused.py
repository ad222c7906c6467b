"""Ids are never handed out twice, on either store.

SQLite gives a table's highest deleted rowid to the next insert unless the
table is declared AUTOINCREMENT; a new account then took a deleted one's
global ID, and with it that account's audit trail. Each table with an id of
its own is rebuilt here as AUTOINCREMENT (SQLite's own procedure: new table,
copy, drop, rename, indexes again; `env.py` turns foreign keys off around it,
so dropping the old table cascades nowhere). On both stores every id counter
then starts past the highest id the table or the audit trail has ever held,
so even ids given out and deleted before this revision are not given again.

Revision ID: 0004
Revises: 0003
"""

import re
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables with ids of their own, and the type name the audit trail records their rows under.
ID_TABLES = {
    "team_member": "TeamMember",
    "account": "Account",
    "api_token": "ApiToken",
    "audit_event": None,
    "stakeholder": "Stakeholder",
    "influence_link": "InfluenceLink",
    "coverage": "Coverage",
    "need": "Need",
    "growth_assessment": "GrowthAssessment",
    "action_plan": "ActionPlan",
    "objective": "Objective",
    "action": "Action",
}


def highest_id(table: str, entity_type: str | None) -> int:
    """The highest id the table holds or the audit trail remembers for it."""
    bind = op.get_bind()
    held = bind.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()
    if entity_type is None:
        return int(held)
    recorded = bind.execute(
        text("SELECT coalesce(max(entity_id), 0) FROM audit_event WHERE entity_type = :type"), {"type": entity_type}
    ).scalar_one()
    return int(max(held, recorded))


def autoincrement_sql(table: str, create: str) -> str:
    """The table's CREATE statement with its id declared PRIMARY KEY AUTOINCREMENT, under a temporary name."""
    key = f"CONSTRAINT pk_{table} PRIMARY KEY (id)"
    column = re.compile(r"^(\s*)id INTEGER NOT NULL,", re.MULTILINE)
    if key not in create or not column.search(create):
        raise RuntimeError(f"unexpected definition of table {table}: {create}")
    create = create.replace(f"{key}, ", "").replace(f", {key}", "").replace(key, "")
    create = column.sub(rf"\1id INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,", create, count=1)
    return create.replace(f"CREATE TABLE {table} (", f"CREATE TABLE _new_{table} (", 1)


def rebuild_sqlite(table: str, start: int) -> None:
    bind = op.get_bind()
    (create,) = bind.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": table}
    ).one()
    indexes = bind.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :name AND sql IS NOT NULL"),
        {"name": table},
    ).scalars().all()
    bind.execute(text(autoincrement_sql(table, create)))
    bind.execute(text(f"INSERT INTO _new_{table} SELECT * FROM {table}"))
    bind.execute(text(f"DROP TABLE {table}"))
    bind.execute(text(f"ALTER TABLE _new_{table} RENAME TO {table}"))
    for index in indexes:
        bind.execute(text(index))
    bind.execute(text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table})
    bind.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"), {"name": table, "seq": start})


def advance_postgresql(table: str, start: int) -> None:
    """Move the id sequence past `start`, never back (a sequence never gives a value twice by itself)."""
    bind = op.get_bind()
    sequence = bind.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}).scalar_one()
    last, called = bind.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
    if start > (last if called else last - 1):
        bind.execute(text("SELECT setval(:sequence, :start)"), {"sequence": sequence, "start": start})


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, entity_type in ID_TABLES.items():
        start = highest_id(table, entity_type)
        if sqlite:
            rebuild_sqlite(table, start)
        else:
            advance_postgresql(table, start)


def downgrade() -> None:
    """AUTOINCREMENT stays: taking it away would let ids be reused again."""
