"""Quadrant transitions: every move of an account between the growth matrix's quadrants, dated, as a judgment
transition derived from its assessments; and the indexes that list moves across accounts by what they moved
from and to.

Filled in here from the assessments kept so far: one move wherever an assessment's quadrant differs from
the one before it in (assessed_on, id) order, as resolvers/growth/transitions.py writes them from now on.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_judgment_transition_kind_to_value_changed_on_id": ["kind", "to_value", "changed_on", "id"],
    "ix_judgment_transition_kind_from_value_to_value_changed_on_id": ["kind", "from_value", "to_value", "changed_on", "id"],
}


def upgrade() -> None:
    op.execute("""
        INSERT INTO judgment_transition (account_id, kind, from_value, to_value, changed_on, cause, by_id)
        SELECT account_id, 'QUADRANT', previous, quadrant, assessed_on, 'ASSESSMENT', assessed_by_id
        FROM (
            SELECT id, account_id, assessed_on, quadrant, assessed_by_id,
                   lag(quadrant) OVER (PARTITION BY account_id ORDER BY assessed_on, id) AS previous
            FROM growth_assessment
        ) AS history
        WHERE previous IS NULL OR previous <> quadrant
        ORDER BY account_id, assessed_on, id
    """)
    for name, columns in INDEXES.items():
        op.create_index(name, "judgment_transition", columns)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="judgment_transition")
    op.execute("DELETE FROM judgment_transition WHERE kind = 'QUADRANT'")
