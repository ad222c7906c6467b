"""People at the customer and their place in the buying decision (组织支持度分析)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.base import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column, replaced_rows
from domain.interaction import DERIVED, RecencyMixin


class BuyingRole(enum.Enum):
    """Role in the buying decision (购买决策中的角色); a person may hold several."""

    DECISION_MAKER = "DECISION_MAKER"
    INFLUENCER = "INFLUENCER"
    USER = "USER"
    CHAMPION = "CHAMPION"
    GATEKEEPER = "GATEKEEPER"
    ECONOMIC_BUYER = "ECONOMIC_BUYER"
    TECHNICAL_EVALUATOR = "TECHNICAL_EVALUATOR"


class Attitude(enum.Enum):
    """Attitude toward us, from +2 (champion) to -2 (opponent)."""

    CHAMPION = "CHAMPION"
    SUPPORTER = "SUPPORTER"
    NEUTRAL = "NEUTRAL"
    SKEPTIC = "SKEPTIC"
    OPPONENT = "OPPONENT"


class Influence(enum.Enum):
    """How much weight a stakeholder carries in the decision."""

    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class DecisionLevel(enum.Enum):
    """Decision level (决策层级) in the customer's organisation."""

    EXECUTIVE = "EXECUTIVE"
    SENIOR_MANAGER = "SENIOR_MANAGER"
    MANAGER = "MANAGER"
    STAFF = "STAFF"


class LinkStrength(enum.Enum):
    """How strongly one stakeholder sways another."""

    WEAK = "WEAK"
    MODERATE = "MODERATE"
    STRONG = "STRONG"


class CoverageStrength(enum.Enum):
    """How well one of our people knows a stakeholder."""

    NONE = "NONE"
    ACQUAINTED = "ACQUAINTED"
    GOOD = "GOOD"
    TRUSTED_ADVISOR = "TRUSTED_ADVISOR"


ROLE_RANK = {role: rank for rank, role in enumerate(BuyingRole)}


def in_role_order(roles: Iterable[BuyingRole]) -> list[BuyingRole]:
    """Buying roles as they are listed everywhere: in the enum's order."""
    return sorted(roles, key=ROLE_RANK.__getitem__)


class StakeholderBuyingRole(Base):
    __tablename__ = "stakeholder_buying_role"
    __table_args__ = (Index("ix_stakeholder_buying_role_role", "role", "stakeholder_id"),)

    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[BuyingRole] = mapped_column(enum_column(BuyingRole), primary_key=True)


class Stakeholder(RecencyMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "stakeholder"
    __table_args__ = (
        Index("ix_stakeholder_account_id_name", "account_id", "name", "id"),
        Index("ix_stakeholder_account_id_created_at", "account_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    attitude: Mapped[Attitude] = mapped_column(enum_column(Attitude), default=Attitude.NEUTRAL)
    influence: Mapped[Influence] = mapped_column(enum_column(Influence), default=Influence.MEDIUM)
    decision_level: Mapped[DecisionLevel] = mapped_column(
        enum_column(DecisionLevel), default=DecisionLevel.STAFF
    )
    buying_motive: Mapped[str | None] = mapped_column(Text)
    reports_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )

    # Never loaded with the row: reads go through a per-request loader of the role table, and writers
    # load the rows explicitly before changing them through `buying_roles` (an unloaded access raises).
    role_rows: Mapped[list[StakeholderBuyingRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def buying_roles(self) -> list[BuyingRole]:
        return in_role_order(r.role for r in self.role_rows)

    @buying_roles.setter
    def buying_roles(self, roles: list[BuyingRole]) -> None:
        self.role_rows = replaced_rows(self.role_rows, roles, "role", lambda r: StakeholderBuyingRole(role=r))


class InfluenceLink(Base):
    """"Source influences target": a line of influence that cuts across the org chart."""

    __tablename__ = "influence_link"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    strength: Mapped[LinkStrength] = mapped_column(enum_column(LinkStrength))


class Coverage(Base):
    """Which of our people knows which stakeholder, and how well; one row per pair."""

    __tablename__ = "coverage"
    __table_args__ = (UniqueConstraint("stakeholder_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("team_member.id", ondelete="CASCADE"), index=True
    )
    strength: Mapped[CoverageStrength] = mapped_column(enum_column(CoverageStrength))
    # The last interaction both the member and the stakeholder took part in: kept by the interactions' writes.
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=DERIVED)
