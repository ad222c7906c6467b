"""Boards across accounts: the needs list newest first, the plans list by start, the actions list by due date.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE_ORDER = "coalesce(due_on, '9999-12-30')"  # domain.plan.DUE_ORDER as it stands in this revision


def upgrade() -> None:
    op.create_index("ix_need_created_at_id", "need", ["created_at", "id"])
    op.create_index("ix_action_plan_starts_on_id", "action_plan", ["starts_on", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_action_due_order_id", "action", [sa.text(DUE_ORDER), "id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_action_due_order_id", table_name="action")
    op.drop_index("ix_action_plan_starts_on_id", table_name="action_plan")
    op.drop_index("ix_need_created_at_id", table_name="need")
