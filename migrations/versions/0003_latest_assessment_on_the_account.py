"""The latest assessment's figures on the account, and indexes that count and sum active accounts by grade and quadrant.

The account already carries the quadrant of its latest growth assessment; it now also carries that
assessment's current value, potential and currency, filled in here from the assessments, so the growth
matrix reads one index instead of every account's history. Counts of the account list filtered by grade
and quadrant read a small index instead of the table.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ARCHIVED = sa.text("archived_at IS NULL")

# Every account with an assessment takes the figures of its latest one: newest date, then newest row.
BACKFILL = """
UPDATE account SET (assessed_value, assessed_potential, assessed_currency) = (
    SELECT g.current_value, g.potential, g.currency FROM growth_assessment AS g
    WHERE g.account_id = account.id ORDER BY g.assessed_on DESC, g.id DESC LIMIT 1
)
WHERE EXISTS (SELECT 1 FROM growth_assessment AS g WHERE g.account_id = account.id)
"""


def upgrade() -> None:
    # Plain ALTER TABLE on both stores: a batch copy of the table on SQLite would drop the old table, and
    # with it (foreign keys on) every row that cascades from an account.
    op.add_column("account", sa.Column("assessed_value", sa.Numeric(precision=18, scale=2), nullable=True))
    op.add_column("account", sa.Column("assessed_potential", sa.Numeric(precision=18, scale=2), nullable=True))
    op.add_column("account", sa.Column("assessed_currency", sa.String(length=3), nullable=True))
    op.execute(BACKFILL)
    op.create_index(
        "ix_account_active_grade_quadrant",
        "account",
        ["grade", "quadrant"],
        postgresql_where=NOT_ARCHIVED,
        sqlite_where=NOT_ARCHIVED,
    )
    op.create_index(
        "ix_account_active_grade_quadrant_assessed",
        "account",
        ["grade", "quadrant", "assessed_currency", "assessed_value", "assessed_potential"],
        postgresql_where=NOT_ARCHIVED,
        sqlite_where=NOT_ARCHIVED,
    )


def downgrade() -> None:
    op.drop_index("ix_account_active_grade_quadrant_assessed", table_name="account")
    op.drop_index("ix_account_active_grade_quadrant", table_name="account")
    for column in ("assessed_currency", "assessed_potential", "assessed_value"):
        op.drop_column("account", column)
