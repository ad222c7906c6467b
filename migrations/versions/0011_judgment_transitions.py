"""Judgment transitions: every change of a judged grade, dated, with its cause.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "judgment_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_value", sa.String(length=32), nullable=True),
        sa.Column("to_value", sa.String(length=32), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_judgment_transition_account_id_account"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["team_member.id"], name=op.f("fk_judgment_transition_by_id_team_member"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgment_transition")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_judgment_transition_account_id_changed_on_id", "judgment_transition", ["account_id", "changed_on", "id"]
    )
    op.create_index("ix_judgment_transition_kind_changed_on_id", "judgment_transition", ["kind", "changed_on", "id"])
    op.create_index("ix_judgment_transition_by_id", "judgment_transition", ["by_id"])


def downgrade() -> None:
    op.drop_table("judgment_transition")
