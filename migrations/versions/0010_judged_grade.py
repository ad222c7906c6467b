"""Judged grades: what the rules make of an account's evidence, kept on its row, with the explanation beside it.

Accounts are judged by their next write or the next `kam recompute`; until then they have no judged grade
and no contact due (`next_contact_day` 0).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def columns() -> list[sa.Column]:
    return [
        sa.Column("judged_grade", sa.String(length=32), nullable=True),
        sa.Column("grade_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("next_contact_day", sa.Integer(), server_default="0", nullable=False),
        sa.Column("judged_policy_version", sa.Integer(), nullable=True),
        sa.Column("judged_on", sa.Date(), nullable=True),
    ]


def upgrade() -> None:
    for column in columns():
        op.add_column("account", column)
    op.create_index(
        "ix_account_judged_grade_next_contact_day_id", "account", ["judged_grade", "next_contact_day", "id"]
    )
    op.create_index("ix_account_next_contact_day_id", "account", ["next_contact_day", "id"])
    op.create_table(
        "account_judgment",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("grade_factors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_account_judgment_account_id_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_judgment")),
    )


def downgrade() -> None:
    op.drop_table("account_judgment")
    op.drop_index("ix_account_next_contact_day_id", table_name="account")
    op.drop_index("ix_account_judged_grade_next_contact_day_id", table_name="account")
    for column in reversed(columns()):
        op.drop_column("account", column.name)
