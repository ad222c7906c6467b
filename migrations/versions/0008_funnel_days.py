"""The funnel from one grouped statement: each deal keeps the days of its completed stays per open stage.

Filled in here from the stage changes (a completed stay is a move out of an open stage, its days that
move's `days_in_stage`); how many stays there were, the deal's path tells. The pipeline's index covers
what it sums, so PostgreSQL answers it from the index alone.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STAGES = ("INITIAL_CONTACT", "NEEDS_ANALYSIS", "SOLUTION_DESIGN", "QUOTATION", "SIGNING")


def columns() -> list[tuple[str, str]]:
    """(stage, its days column) per open stage."""
    return [(stage, f"{stage.lower()}_days") for stage in OPEN_STAGES]


def upgrade() -> None:
    for _stage, days in columns():
        op.add_column("opportunity", sa.Column(days, sa.Integer(), server_default="0", nullable=False))
    sums = ", ".join(
        f"coalesce(sum(CASE WHEN from_stage = '{stage}' THEN days_in_stage END), 0) AS {days}" for stage, days in columns()
    )
    assignments = ", ".join(f"{days} = kept.{days}" for _stage, days in columns())
    op.execute(f"""
        UPDATE opportunity SET {assignments}
        FROM (SELECT opportunity_id, {sums} FROM stage_change GROUP BY opportunity_id) AS kept
        WHERE kept.opportunity_id = opportunity.id
    """)
    op.drop_index("ix_opportunity_stage_currency", table_name="opportunity")
    op.create_index(
        "ix_opportunity_stage_currency_probability", "opportunity", ["stage", "currency", "probability"],
        postgresql_include=["amount", "account_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_opportunity_stage_currency_probability", table_name="opportunity")
    op.create_index("ix_opportunity_stage_currency", "opportunity", ["stage", "currency"])
    for _stage, days in reversed(columns()):
        op.drop_column("opportunity", days)
