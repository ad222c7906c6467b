"""An account's judgments as kept: the grade the rules give it and when its next contact is due, with the
explanation behind the grade and the policy version it came from, and every change of them as a dated
transition (so the grade an account had on a past day is the last transition up to that day).

The figures lists filter and order by sit on the account's row (`JUDGMENT_COLUMNS`); the explanation, read
only with one account, sits in `account_judgment` beside it. Both are derived: rewritten by every
judgment, neither a version of the account nor an event of the audit trail.
"""

from __future__ import annotations

import enum
import types
from dataclasses import MISSING, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, enum_column

T = TypeVar("T")

JUDGMENT_COLUMNS = (
    "judged_grade", "grade_score", "next_contact_day", "judged_value_tier", "judged_lifecycle_stage",
    "judged_relationship_stage", "health_score", "health_band", "key_account_score", "key_account_recommended",
    "predicted_lifetime_value", "judged_policy_version", "judged_on",
)


class AccountJudgment(Base):
    """Why an account is judged as it is: what the rules say (beside any override in force), the points of
    each factor of the grade, the health and the key-account recommendation, the evidence behind the
    stages and the lifetime value. Documents are JSON-safe (`to_document`)."""

    __tablename__ = "account_judgment"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    grade_factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON())
    rule_grade: Mapped[str | None] = mapped_column(String(32))
    rule_lifecycle_stage: Mapped[str | None] = mapped_column(String(32))
    rule_relationship_stage: Mapped[str | None] = mapped_column(String(32))
    health: Mapped[dict[str, Any] | None] = mapped_column(JSON())
    key_account: Mapped[dict[str, Any] | None] = mapped_column(JSON())
    stages: Mapped[dict[str, Any] | None] = mapped_column(JSON())
    lifetime: Mapped[dict[str, Any] | None] = mapped_column(JSON())


def to_document(value: Any) -> Any:
    """A judgment's result as stored: JSON-safe (enums by name, decimals as strings, dates in ISO form),
    nulls left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_document(v) for f in fields(value) if (v := getattr(value, f.name)) is not None}
    if isinstance(value, list | tuple):
        return [to_document(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_document(kind: type[T], stored: dict[str, Any]) -> T:
    """The result a stored document holds, read back by the result's own field types."""
    hints = get_type_hints(kind)
    return kind(**{  # type: ignore[arg-type]
        f.name: _restore(hints[f.name], stored.get(f.name))
        for f in fields(kind)
        if f.name in stored or (f.default is MISSING and f.default_factory is MISSING)  # a null left out
    })


def _restore(hint: Any, raw: Any) -> Any:
    if raw is None:
        return None
    if get_origin(hint) in (Union, types.UnionType):
        return _restore(next(a for a in get_args(hint) if a is not type(None)), raw)
    if get_origin(hint) is list:
        return [_restore(get_args(hint)[0], r) for r in raw]
    if is_dataclass(hint):
        return from_document(hint, raw)  # type: ignore[arg-type]
    if hint is Decimal:
        return Decimal(raw)
    if hint is date:
        return date.fromisoformat(raw)
    if hint is float:
        return float(raw)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint[raw]
    return raw


class JudgmentKind(enum.Enum):
    """What a transition changed."""

    GRADE = "GRADE"
    VALUE_TIER = "VALUE_TIER"
    HEALTH_BAND = "HEALTH_BAND"
    LIFECYCLE_STAGE = "LIFECYCLE_STAGE"
    RELATIONSHIP_STAGE = "RELATIONSHIP_STAGE"
    QUADRANT = "QUADRANT"  # the growth matrix's quadrant of the account's latest assessment


class TransitionCause(enum.Enum):
    RULE = "RULE"  # the rules, judging changed evidence or a new policy version
    PERSON = "PERSON"  # a person, with their reason
    ASSESSMENT = "ASSESSMENT"  # a growth assessment placed the account in another quadrant
    EXPIRY = "EXPIRY"  # a person's override ended at its expiry: the rules' value is back


class JudgmentTransition(Base):
    """A dated change of a judgment: from what to what, on which business day, and why."""

    __tablename__ = "judgment_transition"
    __table_args__ = (
        Index("ix_judgment_transition_account_id_changed_on_id", "account_id", "changed_on", "id"),
        Index("ix_judgment_transition_kind_changed_on_id", "kind", "changed_on", "id"),
        # Moves across accounts by what they moved to, and from what to what (resolvers/judgments/transitions.py).
        Index("ix_judgment_transition_kind_to_value_changed_on_id", "kind", "to_value", "changed_on", "id"),
        Index(
            "ix_judgment_transition_kind_from_value_to_value_changed_on_id",
            "kind", "from_value", "to_value", "changed_on", "id",
        ),
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
