"""A person's override of a judgment: they set an account's grade, value tier or a stage by hand, with a
reason and an optional expiry, and the rules' value stays visible beside it.

An override is in force from the day it is set up to the day before `expires_on` (an override expiring
today has ended); it then ends by itself: the account's judgment returns to the rules' value at its next
judgment (`kam recompute` runs daily), and reads show the rules' value from that day on. One override per
account and kind; setting another replaces it, and each change is a dated transition with its cause.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.account import Grade, LifecycleStage, RelationshipStage, ValueTier
from domain.base import Base, TimestampMixin, enum_column
from domain.judgment import JudgmentKind

MAX_REASON = 2000


class OverrideKind(enum.Enum):
    """The judgments a person may override (health and the key-account recommendation are read, not set)."""

    GRADE = "GRADE"
    VALUE_TIER = "VALUE_TIER"
    LIFECYCLE_STAGE = "LIFECYCLE_STAGE"
    RELATIONSHIP_STAGE = "RELATIONSHIP_STAGE"


# The values each kind takes, and the account column that holds the value in force.
OVERRIDE_VALUES: dict[OverrideKind, type[enum.Enum]] = {
    OverrideKind.GRADE: Grade,
    OverrideKind.VALUE_TIER: ValueTier,
    OverrideKind.LIFECYCLE_STAGE: LifecycleStage,
    OverrideKind.RELATIONSHIP_STAGE: RelationshipStage,
}
IN_FORCE_COLUMN: dict[OverrideKind, str] = {
    OverrideKind.GRADE: "judged_grade",
    OverrideKind.VALUE_TIER: "judged_value_tier",
    OverrideKind.LIFECYCLE_STAGE: "judged_lifecycle_stage",
    OverrideKind.RELATIONSHIP_STAGE: "judged_relationship_stage",
}


def transition_kind(kind: OverrideKind) -> JudgmentKind:
    return JudgmentKind[kind.name]


def in_force(expires_on: date | None, today: date) -> bool:
    """Whether an override with this expiry still holds today."""
    return expires_on is None or today < expires_on


class JudgmentOverride(TimestampMixin, Base):
    __tablename__ = "judgment_override"
    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[OverrideKind] = mapped_column(enum_column(OverrideKind))
    value: Mapped[str] = mapped_column(String(32))  # a member name of OVERRIDE_VALUES[kind]
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"), index=True)
    set_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)

    def holds(self, today: date) -> bool:
        return in_force(self.expires_on, today)
