"""Revenue history: records per account, and what the account keeps of them.

Accounts gain the value a person entered (filled in here from the current annual value: until now every
value was entered), where the current value comes from, the revenue summary and the RFM scores.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=2)


def account_columns() -> list[sa.Column]:
    return [
        sa.Column("entered_annual_value", MONEY, server_default="0", nullable=False),
        sa.Column("annual_value_source", sa.String(length=32), server_default="ENTERED", nullable=False),
        sa.Column("revenue_orders_12m", sa.Integer(), server_default="0", nullable=False),
        sa.Column("revenue_last_order_on", sa.Date(), nullable=True),
        sa.Column("revenue_margin_to_date", MONEY, server_default="0", nullable=False),
        sa.Column("revenue_counted_on", sa.Date(), nullable=True),
        sa.Column("rfm_recency", sa.Integer(), nullable=True),
        sa.Column("rfm_frequency", sa.Integer(), nullable=True),
        sa.Column("rfm_monetary", sa.Integer(), nullable=True),
        sa.Column("rfm_ranked_on", sa.Date(), nullable=True),
    ]


def upgrade() -> None:
    for column in account_columns():
        op.add_column("account", column)
    op.execute("UPDATE account SET entered_annual_value = current_annual_value")
    op.create_table(
        "revenue_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("margin", MONEY, nullable=True),
        sa.Column("product_line", sa.String(length=100), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_revenue_record_account_id_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_record")),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_revenue_record_account_id_reference", "revenue_record", ["account_id", "reference"], unique=True)
    op.create_index("ix_revenue_record_account_id_booked_on", "revenue_record", ["account_id", "booked_on", "id"])
    op.create_index("ix_revenue_record_booked_on_id", "revenue_record", ["booked_on", "id"])


def downgrade() -> None:
    op.drop_table("revenue_record")
    for column in reversed(account_columns()):
        op.drop_column("account", column.name)
