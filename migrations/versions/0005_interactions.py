"""Interactions with customers, who took part, and the recency kept on accounts, stakeholders and coverage.

Accounts and stakeholders gain the last interaction and the counts over 30, 90 and 365 days, kept by the
writes of interactions (zero and null for existing rows: there were no interactions before this revision);
coverage gains the last interaction its member and stakeholder took part in together. The account list
filters and orders by the last interaction's day and the 90-day count on indexes.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECENCY_TABLES = ("account", "stakeholder")
MAX_DURATION_MINUTES = 7 * 24 * 60


def recency_columns() -> list[sa.Column]:
    return [
        sa.Column("last_interaction_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_interaction_day", sa.Integer(), server_default="0", nullable=False),
        sa.Column("interactions_30d", sa.Integer(), server_default="0", nullable=False),
        sa.Column("interactions_90d", sa.Integer(), server_default="0", nullable=False),
        sa.Column("interactions_365d", sa.Integer(), server_default="0", nullable=False),
        sa.Column("interactions_counted_on", sa.Date(), nullable=True),
    ]


def upgrade() -> None:
    # Plain ALTER TABLE on both stores (see 0003: a batch copy on SQLite would cascade deletes).
    for table in RECENCY_TABLES:
        for column in recency_columns():
            op.add_column(table, column)
    op.add_column("coverage", sa.Column("last_interaction_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_account_last_interaction_day_id", "account", ["last_interaction_day", "id"])
    op.create_index("ix_account_interactions_90d_id", "account", ["interactions_90d", "id"])
    op.create_table(
        "interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("CALL", "EMAIL", "MEETING", "VISIT", "EVENT", "MESSAGE", "OTHER", name="interactionkind", native_enum=False, length=32), nullable=False),
        sa.Column(
            "direction", sa.Enum("OUTBOUND", "INBOUND", "MUTUAL", name="interactiondirection", native_enum=False, length=32), nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"duration_minutes BETWEEN 0 AND {MAX_DURATION_MINUTES}", name=op.f("ck_interaction_duration")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_interaction_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_interaction_need_id_need"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_interaction_account_id_occurred_at", "interaction", ["account_id", "occurred_at", "id"])
    op.create_index("ix_interaction_occurred_at_id", "interaction", ["occurred_at", "id"])
    op.create_index("ix_interaction_kind_occurred_at", "interaction", ["kind", "occurred_at", "id"])
    op.create_index("ix_interaction_need_id", "interaction", ["need_id"])
    op.create_table(
        "interaction_stakeholder",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"], ["interaction.id"], name=op.f("fk_interaction_stakeholder_interaction_id_interaction"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"], ["stakeholder.id"], name=op.f("fk_interaction_stakeholder_stakeholder_id_stakeholder"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("interaction_id", "stakeholder_id", name=op.f("pk_interaction_stakeholder")),
    )
    op.create_index(
        "ix_interaction_stakeholder_stakeholder_id", "interaction_stakeholder", ["stakeholder_id", "interaction_id"]
    )
    op.create_table(
        "interaction_member",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"], ["interaction.id"], name=op.f("fk_interaction_member_interaction_id_interaction"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["team_member.id"], name=op.f("fk_interaction_member_member_id_team_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("interaction_id", "member_id", name=op.f("pk_interaction_member")),
    )
    op.create_index("ix_interaction_member_member_id", "interaction_member", ["member_id", "interaction_id"])


def downgrade() -> None:
    op.drop_table("interaction_member")
    op.drop_table("interaction_stakeholder")
    op.drop_table("interaction")
    op.drop_index("ix_account_interactions_90d_id", table_name="account")
    op.drop_index("ix_account_last_interaction_day_id", table_name="account")
    op.drop_column("coverage", "last_interaction_at")
    for table in RECENCY_TABLES:
        for column in reversed(recency_columns()):
            op.drop_column(table, column.name)
