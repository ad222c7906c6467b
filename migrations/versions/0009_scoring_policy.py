"""The scoring policy as data: its versions, the first holding the defaults of DOMAIN.md section 9.

The defaults are written out here as they stood when this migration was made (a later change of the
defaults in code is a new version, written by a migration of its own).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULTS = {
    'gradeNeedClarityWeight': 25,
    'gradeValueWeight': 25,
    'gradeInteractionFrequencyWeight': 25,
    'gradeSalesStageWeight': 25,
    'gradeFullValue': '1000000',
    'gradeAFrom': 75,
    'gradeBFrom': 50,
    'gradeCFrom': 25,
    'stageCreditInitialContact': '0.2',
    'stageCreditNeedsAnalysis': '0.4',
    'stageCreditSolutionDesign': '0.6',
    'stageCreditQuotation': '0.8',
    'stageCreditSigning': '1.0',
    'stageCreditEstablished': '0.6',
    'cadenceADays': 7,
    'cadenceBDays': 14,
    'cadenceCDays': 30,
    'cadenceDDays': 90,
    'valueTierHighUpTo': 80,
    'valueTierMediumUpTo': 95,
    'healthRecencyWeight': 30,
    'healthSatisfactionWeight': 20,
    'healthComplaintsWeight': 15,
    'healthOrganisationalSupportWeight': 15,
    'healthPlanProgressWeight': 10,
    'healthRevenueTrendWeight': 10,
    'healthRecencyZeroAtCadences': 3,
    'healthTrendFullRatio': '1.0',
    'healthTrendZeroRatio': '0.5',
    'healthHealthyFrom': 70,
    'churnWarningBelow': 40,
    'keyAccountPurchasingPowerWeight': 35,
    'keyAccountCooperationPotentialWeight': 25,
    'keyAccountRelationshipLengthWeight': 15,
    'keyAccountStrategicFitWeight': 25,
    'keyAccountFullWallet': '5000000',
    'keyAccountFullPotential': '2000000',
    'keyAccountFullYears': 3,
    'keyAccountFrom': 60,
    'lifetimeRetentionRate': '0.8',
    'lifetimeDiscountRate': '0.08',
    'lifetimeMaxYears': 10,
}


def upgrade() -> None:
    table = op.create_table(
        "scoring_policy_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["team_member.id"], name=op.f("fk_scoring_policy_version_created_by_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_policy_version")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_scoring_policy_version_created_by_id", "scoring_policy_version", ["created_by_id"])
    op.bulk_insert(table, [{
        "id": 1, "document": DEFAULTS, "reason": "The defaults of DOMAIN.md section 9.", "created_at": datetime.now(UTC),
    }])


def downgrade() -> None:
    op.drop_table("scoring_policy_version")
