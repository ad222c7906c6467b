"""Actions by status and the time they were completed: a portfolio's actions done since a day are counted from
the index alone (it leads with the status, so it replaces the index on the status).

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_action_status_completed_at", "action", ["status", "completed_at"])
    op.drop_index("ix_action_status", table_name="action")


def downgrade() -> None:
    op.create_index("ix_action_status", "action", ["status"])
    op.drop_index("ix_action_status_completed_at", table_name="action")
