"""The key account: segmentation lenses (grade, value tier), stages and money."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from domain.base import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column
from domain.growth import GrowthQuadrant
from domain.health import HealthBand
from domain.interaction import DERIVED, RecencyMixin


class Grade(enum.Enum):
    """A/B/C/D grade (意向客户分级) from need clarity, value, interaction and sales stage."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class ValueTier(enum.Enum):
    """Value tier (客户价值细分) by revenue or profit contribution."""

    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class RelationshipStage(enum.Enum):
    """How close the relationship is (客户关系转换轴), from prospect to strategic partner."""

    PROSPECT = "PROSPECT"
    FIRST_DEAL = "FIRST_DEAL"
    REPEAT_CUSTOMER = "REPEAT_CUSTOMER"
    PREFERRED_SUPPLIER = "PREFERRED_SUPPLIER"
    STRATEGIC_PARTNER = "STRATEGIC_PARTNER"


class LifecycleStage(enum.Enum):
    """Customer lifecycle (客户生命周期), including churn early-warning and win-back."""

    ACQUISITION = "ACQUISITION"
    CONVERSION = "CONVERSION"
    RETENTION = "RETENTION"
    AT_RISK = "AT_RISK"
    CHURNED = "CHURNED"
    WIN_BACK = "WIN_BACK"


MONEY = Numeric(18, 2)

# The latest growth assessment's figures, kept on its account beside `quadrant`. They are a cache of
# what the assessments say, written only where `quadrant` is kept (a mutation that records or deletes
# an assessment, the demo, the generator): not mapped, so the API, the audit trail and the account's
# version never see them. Read them as `account_table.c.<name>`.
ASSESSED_VALUE = "assessed_value"
ASSESSED_POTENTIAL = "assessed_potential"
ASSESSED_CURRENCY = "assessed_currency"
ASSESSED_COLUMNS = (ASSESSED_VALUE, ASSESSED_POTENTIAL, ASSESSED_CURRENCY)
NOT_ARCHIVED = text("archived_at IS NULL")


class Account(RecencyMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "account"
    __table_args__ = (
        Column(ASSESSED_VALUE, MONEY, nullable=True),
        Column(ASSESSED_POTENTIAL, MONEY, nullable=True),
        Column(ASSESSED_CURRENCY, String(3), nullable=True),
        Index("ix_account_name_id", "name", "id"),
        Index("ix_account_created_at_id", "created_at", "id"),
        Index("ix_account_current_annual_value_id", "current_annual_value", "id"),
        Index("ix_account_grade_id", "grade", "id"),
        # The list filtered by grade and quadrant, in its default order: one range of this index per
        # (grade, quadrant) pair, merged.
        Index("ix_account_grade_quadrant_name_id", "grade", "quadrant", "name", "id"),
        # Counts of active accounts by grade and quadrant, from the index alone: its few distinct keys
        # keep it small (PostgreSQL stores each key once with the list of its rows).
        Index(
            "ix_account_active_grade_quadrant",
            "grade",
            "quadrant",
            postgresql_where=NOT_ARCHIVED,
            sqlite_where=NOT_ARCHIVED,
        ),
        # The growth matrix's counts and sums, from the index alone.
        Index(
            "ix_account_active_grade_quadrant_assessed",
            "grade",
            "quadrant",
            ASSESSED_CURRENCY,
            ASSESSED_VALUE,
            ASSESSED_POTENTIAL,
            postgresql_where=NOT_ARCHIVED,
            sqlite_where=NOT_ARCHIVED,
        ),
        # "Not contacted since" and "least contacted": the list filtered and ordered by the interactions kept.
        Index("ix_account_last_interaction_day_id", "last_interaction_day", "id"),
        Index("ix_account_interactions_90d_id", "interactions_90d", "id"),
        # Overdue for contact: by the judged grade, the list ordered by when the next contact was due.
        Index("ix_account_judged_grade_next_contact_day_id", "judged_grade", "next_contact_day", "id"),
        Index("ix_account_next_contact_day_id", "next_contact_day", "id"),
        # At risk first: the list filtered by health band and ordered by the health score.
        Index("ix_account_health_band_health_score_id", "health_band", "health_score", "id"),
        Index("ix_account_judged_value_tier_id", "judged_value_tier", "id"),
        Index("ix_account_key_account_recommended_key_account_score_id", "key_account_recommended", "key_account_score", "id"),
        # Name search (`name ILIKE '%term%'`) on PostgreSQL; SQLite scans.
        Index(
            "ix_account_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100), index=True)
    region: Mapped[str | None] = mapped_column(String(100), index=True)
    website: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )
    grade: Mapped[Grade] = mapped_column(enum_column(Grade))
    value_tier: Mapped[ValueTier] = mapped_column(enum_column(ValueTier), index=True)
    is_key_account: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    relationship_stage: Mapped[RelationshipStage] = mapped_column(
        enum_column(RelationshipStage), index=True
    )
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(enum_column(LifecycleStage), index=True)
    current_annual_value: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    estimated_wallet: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    # Quadrant of the latest growth assessment, kept here so the account list filters on an index.
    quadrant: Mapped[GrowthQuadrant | None] = mapped_column(enum_column(GrowthQuadrant), index=True)
    # The annual value a person entered; `current_annual_value` is the trailing twelve months' revenue instead
    # where the account has revenue records (`annual_value_source` says which; see domain/revenue.py).
    entered_annual_value: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), server_default="0")
    annual_value_source: Mapped[str] = mapped_column(String(32), default="ENTERED", server_default="ENTERED", info=DERIVED)
    # Kept from the revenue records by their writes (and `kam recompute`): see domain/revenue.py.
    revenue_orders_12m: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=DERIVED)
    revenue_last_order_on: Mapped[date | None] = mapped_column(Date, info=DERIVED)
    revenue_margin_to_date: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), server_default="0", info=DERIVED)
    revenue_counted_on: Mapped[date | None] = mapped_column(Date, info=DERIVED)
    # RFM quintile scores (1-5) across the accounts that ordered in the last twelve months, by `kam recompute`.
    rfm_recency: Mapped[int | None] = mapped_column(Integer, info=DERIVED)
    rfm_frequency: Mapped[int | None] = mapped_column(Integer, info=DERIVED)
    rfm_monetary: Mapped[int | None] = mapped_column(Integer, info=DERIVED)
    rfm_ranked_on: Mapped[date | None] = mapped_column(Date, info=DERIVED)
    # A planner's rating of the account's strategic fit, 1-5 (null: not rated): an input of the key-account
    # recommendation.
    strategic_fit: Mapped[int | None] = mapped_column(Integer)
    # What the judgment rules made of the evidence (domain/judgment.py), by the writes and `kam recompute`:
    # the grade, value tier and stages in force (a person's override while it lasts, else the rules'), the
    # rules' grade score, the day the next contact is due (an ordinal, 0 before the account is judged), the
    # health, the key-account recommendation, the predicted lifetime value, and the policy version and day.
    judged_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade), info=DERIVED)
    grade_score: Mapped[Decimal | None] = mapped_column(Numeric(precision=5, scale=2), info=DERIVED)
    next_contact_day: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=DERIVED)
    judged_value_tier: Mapped[ValueTier | None] = mapped_column(enum_column(ValueTier), info=DERIVED)
    judged_lifecycle_stage: Mapped[LifecycleStage | None] = mapped_column(enum_column(LifecycleStage), info=DERIVED)
    judged_relationship_stage: Mapped[RelationshipStage | None] = mapped_column(enum_column(RelationshipStage), info=DERIVED)
    health_score: Mapped[Decimal | None] = mapped_column(Numeric(precision=5, scale=2), info=DERIVED)
    health_band: Mapped[HealthBand | None] = mapped_column(enum_column(HealthBand), info=DERIVED)
    key_account_score: Mapped[Decimal | None] = mapped_column(Numeric(precision=5, scale=2), info=DERIVED)
    key_account_recommended: Mapped[bool | None] = mapped_column(Boolean, info=DERIVED)
    predicted_lifetime_value: Mapped[Decimal | None] = mapped_column(MONEY, info=DERIVED)
    judged_policy_version: Mapped[int | None] = mapped_column(Integer, info=DERIVED)
    judged_on: Mapped[date | None] = mapped_column(Date, info=DERIVED)
    # The value tier the portfolio's ABC ranking gives (by `kam recompute` and revenue loads): the tier, the
    # account's rank by trailing revenue and the share (per cent) of the total the accounts ranked before it make.
    ranked_value_tier: Mapped[ValueTier | None] = mapped_column(enum_column(ValueTier), info=DERIVED)
    value_tier_rank: Mapped[int | None] = mapped_column(Integer, info=DERIVED)
    value_tier_share_before: Mapped[Decimal | None] = mapped_column(Numeric(precision=7, scale=4), info=DERIVED)
    value_tier_ranked_on: Mapped[date | None] = mapped_column(Date, info=DERIVED)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version, "exclude_properties": ASSESSED_COLUMNS}


account_table = Account.__table__
