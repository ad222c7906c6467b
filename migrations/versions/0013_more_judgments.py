"""More judgments: value tier, stages, health and churn warning, the key-account recommendation and the
predicted lifetime value kept on the account (with their explanations beside it), a planner's strategic-fit
rating, and people's overrides of a judgment.

Accounts get the new judgments at their next write or the next `kam recompute`. The stored scoring policy
versions gain the new setting `lifecycleLapsedAfterDays` at its default.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_SETTING, DEFAULT = "lifecycleLapsedAfterDays", 730


def account_columns() -> list[sa.Column]:
    return [
        sa.Column("strategic_fit", sa.Integer(), nullable=True),
        sa.Column("judged_value_tier", sa.String(length=32), nullable=True),
        sa.Column("judged_lifecycle_stage", sa.String(length=32), nullable=True),
        sa.Column("judged_relationship_stage", sa.String(length=32), nullable=True),
        sa.Column("health_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("health_band", sa.String(length=32), nullable=True),
        sa.Column("key_account_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("key_account_recommended", sa.Boolean(), nullable=True),
        sa.Column("predicted_lifetime_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("ranked_value_tier", sa.String(length=32), nullable=True),
        sa.Column("value_tier_rank", sa.Integer(), nullable=True),
        sa.Column("value_tier_share_before", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("value_tier_ranked_on", sa.Date(), nullable=True),
    ]


def judgment_columns() -> list[sa.Column]:
    return [
        sa.Column("rule_grade", sa.String(length=32), nullable=True),
        sa.Column("rule_lifecycle_stage", sa.String(length=32), nullable=True),
        sa.Column("rule_relationship_stage", sa.String(length=32), nullable=True),
        sa.Column("health", sa.JSON(), nullable=True),
        sa.Column("key_account", sa.JSON(), nullable=True),
        sa.Column("stages", sa.JSON(), nullable=True),
        sa.Column("lifetime", sa.JSON(), nullable=True),
    ]


INDEXES = {
    "ix_account_health_band_health_score_id": ["health_band", "health_score", "id"],
    "ix_account_judged_value_tier_id": ["judged_value_tier", "id"],
    "ix_account_key_account_recommended_key_account_score_id": ["key_account_recommended", "key_account_score", "id"],
}


def _rewrite_policies(change) -> None:  # type: ignore[no-untyped-def]
    versions = sa.table("scoring_policy_version", sa.column("id", sa.Integer()), sa.column("document", sa.JSON()))
    bind = op.get_bind()
    for version_id, document in bind.execute(sa.select(versions.c.id, versions.c.document)).all():
        bind.execute(versions.update().where(versions.c.id == version_id).values(document=change(dict(document))))


def upgrade() -> None:
    for column in account_columns():
        op.add_column("account", column)
    for name, columns in INDEXES.items():
        op.create_index(name, "account", columns)
    for column in judgment_columns():
        op.add_column("account_judgment", column)
    op.create_table(
        "judgment_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_judgment_override_account_id_account"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["team_member.id"], name=op.f("fk_judgment_override_set_by_id_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgment_override")),
        sa.UniqueConstraint("account_id", "kind", name=op.f("uq_judgment_override_account_id_kind")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_judgment_override_set_by_id", "judgment_override", ["set_by_id"])
    _rewrite_policies(lambda document: {**document, NEW_SETTING: document.get(NEW_SETTING, DEFAULT)})


def downgrade() -> None:
    _rewrite_policies(lambda document: {k: v for k, v in document.items() if k != NEW_SETTING})
    op.drop_table("judgment_override")
    for column in reversed(judgment_columns()):
        op.drop_column("account_judgment", column.name)
    for name in INDEXES:
        op.drop_index(name, table_name="account")
    for column in reversed(account_columns()):
        op.drop_column("account", column.name)
