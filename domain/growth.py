"""Growth-potential matrix (客户成长潜力矩阵): dated assessments and the quadrant rule."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, UTCDateTime, enum_column, utcnow
from domain.errors import DomainError, ErrorCode


class GrowthQuadrant(enum.Enum):
    """Where an account sits by current value (x) against growth potential (y)."""

    DEVELOP = "DEVELOP"  # low value, high potential: invest to grow
    STRATEGIC = "STRATEGIC"  # high value, high potential: invest and protect
    MAINTAIN = "MAINTAIN"  # high value, low potential: retain, defend share
    MONITOR = "MONITOR"  # low value, low potential: serve efficiently


@dataclass(frozen=True, slots=True)
class MatrixThresholds:
    """Values at or above a threshold count as high; configured, not coded."""

    current_value: Decimal
    potential: Decimal


def classify_quadrant(
    current_value: Decimal, potential: Decimal, thresholds: MatrixThresholds
) -> GrowthQuadrant:
    high_value = current_value >= thresholds.current_value
    high_potential = potential >= thresholds.potential
    if high_potential:
        return GrowthQuadrant.STRATEGIC if high_value else GrowthQuadrant.DEVELOP
    return GrowthQuadrant.MAINTAIN if high_value else GrowthQuadrant.MONITOR


def default_potential(estimated_wallet: Decimal, current_value: Decimal) -> Decimal:
    """Growth potential is the part of the customer's wallet we do not have yet."""
    return max(estimated_wallet - current_value, Decimal(0))


def check_assessed_on(assessed_on: date, today: date, field: str = "assessedOn") -> None:
    """An assessment records what was seen: it can be back-dated, never dated in the future."""
    if assessed_on > today:
        raise DomainError.single(
            field, f"An assessment cannot be dated after today ({today}); got {assessed_on}.", ErrorCode.OUT_OF_RANGE
        )


class GrowthAssessment(Base):
    """One dated point of an account on the matrix; history is kept, never overwritten."""

    __tablename__ = "growth_assessment"
    __table_args__ = (
        Index("ix_growth_assessment_account_id_assessed_on", "account_id", "assessed_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    current_value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    potential: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    quadrant: Mapped[GrowthQuadrant] = mapped_column(enum_column(GrowthQuadrant), index=True)
    assessed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def latest(assessments: list[GrowthAssessment]) -> GrowthAssessment | None:
    """The assessment that defines the account's current position: newest date, then newest row."""
    return max(assessments, key=lambda a: (a.assessed_on, a.id), default=None)
