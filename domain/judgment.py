"""An account's judgments as kept: the grade the rules give it and when its next contact is due, with the
explanation behind the grade and the policy version it came from, and every change of them as a dated
transition (so the grade an account had on a past day is the last transition up to that day).

The figures lists filter and order by sit on the account's row (`JUDGMENT_COLUMNS`); the explanation, read
only with one account, sits in `account_judgment` beside it. Both are derived: rewritten by every
judgment, neither a version of the account nor an event of the audit trail.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, enum_column
from domain.grading import FactorPoints, GradeFactor
from domain.opportunity import OpportunityStage
from domain.revenue import AnnualValueSource

JUDGMENT_COLUMNS = ("judged_grade", "grade_score", "next_contact_day", "judged_policy_version", "judged_on")


class AccountJudgment(Base):
    """Why an account has its judged grade: the points of each factor and the evidence behind them."""

    __tablename__ = "account_judgment"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    grade_factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON())


_FACTOR_VALUES: dict[str, Any] = {
    "factor": GradeFactor,
    "value_source": AnnualValueSource,
    "stage": OpportunityStage,
    "amount": Decimal,
    "target": Decimal,
    "expected": Decimal,
    "credit": Decimal,
}


def factors_document(factors: list[FactorPoints]) -> list[dict[str, Any]]:
    """The factors as stored: JSON-safe (enums by name, decimals as strings), nulls left out."""
    stored = []
    for factor in factors:
        entry: dict[str, Any] = {}
        for name in FactorPoints.__slots__:  # type: ignore[attr-defined]
            value = getattr(factor, name)
            if value is None:
                continue
            if isinstance(value, Decimal):
                value = format(value, "f")
            elif hasattr(value, "name") and name in _FACTOR_VALUES:
                value = value.name
            entry[name] = value
        stored.append(entry)
    return stored


def factors_from_document(stored: list[dict[str, Any]]) -> list[FactorPoints]:
    """The factors a stored explanation holds."""
    found = []
    for entry in stored:
        values: dict[str, Any] = {}
        for name, value in entry.items():
            kind = _FACTOR_VALUES.get(name)
            if kind is Decimal:
                value = Decimal(value)
            elif kind is not None:
                value = kind[value]
            values[name] = value
        found.append(FactorPoints(**values))
    return found


class JudgmentKind(enum.Enum):
    """What a transition changed; the kinds to come (value tier, health band, stages) join as they are judged."""

    GRADE = "GRADE"


class TransitionCause(enum.Enum):
    RULE = "RULE"  # the rules, judging changed evidence or a new policy version
    PERSON = "PERSON"  # a person, with their reason


class JudgmentTransition(Base):
    """A dated change of a judgment: from what to what, on which business day, and why."""

    __tablename__ = "judgment_transition"
    __table_args__ = (
        Index("ix_judgment_transition_account_id_changed_on_id", "account_id", "changed_on", "id"),
        Index("ix_judgment_transition_kind_changed_on_id", "kind", "changed_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[JudgmentKind] = mapped_column(enum_column(JudgmentKind))
    from_value: Mapped[str | None] = mapped_column(String(32))  # null: the first judgment
    to_value: Mapped[str] = mapped_column(String(32))
    changed_on: Mapped[date] = mapped_column(Date)
    cause: Mapped[TransitionCause] = mapped_column(enum_column(TransitionCause))
    policy_version: Mapped[int | None] = mapped_column(Integer)  # RULE: the version that judged
    score: Mapped[Decimal | None] = mapped_column(Numeric(precision=5, scale=2))  # RULE: the score behind the new value
    by_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"), index=True)  # PERSON
    reason: Mapped[str | None] = mapped_column(Text)  # PERSON
