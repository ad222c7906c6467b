"""Opportunities and the sales funnel: deals, the needs they answer, their contacts and their stage moves.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = ("INITIAL_CONTACT", "NEEDS_ANALYSIS", "SOLUTION_DESIGN", "QUOTATION", "SIGNING", "WON", "LOST")
ROLES = ("DECISION_MAKER", "INFLUENCER", "USER", "ECONOMIC_BUYER", "TECHNICAL_EVALUATOR", "CHAMPION")


def stage(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Enum(*STAGES, name="opportunitystage", native_enum=False, length=32), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("probability_set", sa.Boolean(), nullable=False),
        sa.Column("expected_close_on", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        stage("stage"),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("stage_entered_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("reached_stages", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name=op.f("ck_opportunity_probability")),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_opportunity_amount")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_opportunity_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["team_member.id"], name=op.f("fk_opportunity_owner_id_team_member"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_opportunity_account_id_created_at", "opportunity", ["account_id", "created_at", "id"])
    op.create_index("ix_opportunity_stage_currency", "opportunity", ["stage", "currency"])
    op.create_index("ix_opportunity_opened_on_id", "opportunity", ["opened_on", "id"])
    op.create_index("ix_opportunity_expected_close_on_id", "opportunity", ["expected_close_on", "id"])
    op.create_index("ix_opportunity_owner_id", "opportunity", ["owner_id"])
    op.create_table(
        "opportunity_need",
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"], ["opportunity.id"], name=op.f("fk_opportunity_need_opportunity_id_opportunity"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_opportunity_need_need_id_need"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("opportunity_id", "need_id", name=op.f("pk_opportunity_need")),
    )
    op.create_index("ix_opportunity_need_need_id", "opportunity_need", ["need_id", "opportunity_id"])
    op.create_table(
        "opportunity_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum(*ROLES, name="contactrole", native_enum=False, length=32), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_opportunity_contact_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["opportunity_id"], ["opportunity.id"], name=op.f("fk_opportunity_contact_opportunity_id_opportunity"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"], ["stakeholder.id"], name=op.f("fk_opportunity_contact_stakeholder_id_stakeholder"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_contact")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_opportunity_contact_account_id", "opportunity_contact", ["account_id"])
    op.create_index("uq_opportunity_contact_pair", "opportunity_contact", ["opportunity_id", "stakeholder_id"], unique=True)
    op.create_index("ix_opportunity_contact_stakeholder_id", "opportunity_contact", ["stakeholder_id"])
    op.create_index(
        "uq_opportunity_contact_primary",
        "opportunity_contact",
        ["opportunity_id"],
        unique=True,
        postgresql_where=sa.text("is_primary"),
        sqlite_where=sa.text("is_primary"),
    )
    op.create_table(
        "stage_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        stage("from_stage", nullable=True),
        stage("to_stage"),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("days_in_stage", sa.Integer(), nullable=True),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"], ["opportunity.id"], name=op.f("fk_stage_change_opportunity_id_opportunity"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_stage_change_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["moved_by_id"], ["team_member.id"], name=op.f("fk_stage_change_moved_by_id_team_member"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_change")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_stage_change_opportunity_id_moved_on", "stage_change", ["opportunity_id", "moved_on", "id"])
    op.create_index("ix_stage_change_from_stage", "stage_change", ["from_stage", "days_in_stage"])
    op.create_index("ix_stage_change_account_id", "stage_change", ["account_id"])
    op.create_index("ix_stage_change_moved_by_id", "stage_change", ["moved_by_id"])
    # An interaction may be about a deal. SQLite adds a reference only by rebuilding the table (batch mode: the
    # migrations run with its foreign keys off, so dropping the old copy cascades nowhere); PostgreSQL alters it.
    with op.batch_alter_table("interaction", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.add_column(sa.Column("opportunity_id", sa.Integer(), nullable=True))
        table.create_foreign_key(
            op.f("fk_interaction_opportunity_id_opportunity"), "opportunity", ["opportunity_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_interaction_opportunity_id", "interaction", ["opportunity_id"])


def downgrade() -> None:
    op.drop_index("ix_interaction_opportunity_id", table_name="interaction")
    with op.batch_alter_table("interaction", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.drop_constraint(op.f("fk_interaction_opportunity_id_opportunity"), type_="foreignkey")
        table.drop_column("opportunity_id")
    op.drop_table("stage_change")
    op.drop_table("opportunity_contact")
    op.drop_table("opportunity_need")
    op.drop_table("opportunity")
