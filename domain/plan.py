"""Account plans (客户管理计划): measurable objectives and actions with owners and dates."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column
from domain.errors import DomainError, ErrorCode, UserError


class PlanStatus(enum.Enum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class ActionStatus(enum.Enum):
    TODO = "TODO"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    BLOCKED = "BLOCKED"


class ActionPlan(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "action_plan"
    __table_args__ = (Index("ix_action_plan_account_id_starts_on", "account_id", "starts_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )


class Objective(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "objective"
    __table_args__ = (Index("ix_objective_plan_id_due_on", "plan_id", "due_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(String(200))
    target: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    due_on: Mapped[date | None] = mapped_column(Date)


class Action(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "action"
    __table_args__ = (
        Index("ix_action_plan_id_due_on", "plan_id", "due_on", "id"),
        Index("ix_action_owner_id_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), index=True)
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("need.id", ondelete="SET NULL"), index=True
    )
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def check_plan_dates(starts_on: date, ends_on: date | None, field: str = "endsOn") -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError.single(field, "The plan cannot end before it starts.", ErrorCode.INVALID_DATE_RANGE)


def check_due_within_plan(plan: ActionPlan, due_on: date | None, field: str = "dueOn") -> None:
    """Objectives and actions fall inside their plan: nothing is due before the plan starts."""
    errors = []
    if due_on is not None and due_on < plan.starts_on:
        errors.append(UserError(field, f"Due date {due_on} is before the plan starts ({plan.starts_on}).", ErrorCode.INVALID_DATE_RANGE))
    if due_on is not None and plan.ends_on is not None and due_on > plan.ends_on:
        errors.append(UserError(field, f"Due date {due_on} is after the plan ends ({plan.ends_on}).", ErrorCode.INVALID_DATE_RANGE))
    if errors:
        raise DomainError(*errors)


def apply_action_status(action: Action, status: ActionStatus, now: datetime) -> None:
    """Completion time follows the status: set when an action becomes DONE, cleared when reopened."""
    if status is ActionStatus.DONE and action.status is not ActionStatus.DONE:
        action.completed_at = now
    elif status is not ActionStatus.DONE:
        action.completed_at = None
    action.status = status
