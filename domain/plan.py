"""Account plans (客户管理计划): measurable objectives and actions with owners and dates."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, func, literal_column, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

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


# Sorts after every real due date. Not `date.max`: asyncpg sends that as PostgreSQL's `infinity`, which a
# cursor holding it would then compare against.
UNDATED = date(9999, 12, 30)
# The due date with undated actions last, as SQL: a literal, not a parameter, so that an index on it serves.
DUE_ORDER = f"coalesce(due_on, '{UNDATED.isoformat()}')"


class ActionPlan(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "action_plan"
    __table_args__ = (
        Index("ix_action_plan_account_id_starts_on", "account_id", "starts_on", "id"),
        # The plans board across accounts: the latest start first.
        Index("ix_action_plan_starts_on_id", "starts_on", "id"),
    )

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
        # Actions of a status done since a day, across the portfolio (the actions dashboard), read from the index.
        Index("ix_action_status_completed_at", "status", "completed_at"),
        # The actions board across accounts, due soonest first: on `due_order` as the lists order by it
        # (SQLite, the embedded store of small portfolios, cannot reflect an index on an expression).
        Index("ix_action_due_order_id", text(DUE_ORDER), "id").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("need.id", ondelete="SET NULL"), index=True
    )
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The due date with undated actions last, computed by the database: a plan board lists (and pages
    # through) actions by it, and a cursor never holds a null.
    due_order: Mapped[date] = column_property(func.coalesce(due_on, literal_column(f"'{UNDATED.isoformat()}'", Date())))


def check_plan_dates(starts_on: date, ends_on: date | None, field: str = "endsOn") -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError.single(field, "The plan cannot end before it starts.", ErrorCode.INVALID_DATE_RANGE)


def check_plan_covers(starts_on: date, ends_on: date | None, due_dates: Iterable[date | None]) -> None:
    """New plan dates must still hold every objective and action the plan has: nothing is left outside."""
    dated = [d for d in due_dates if d is not None]
    errors = []
    early = [d for d in dated if d < starts_on]
    if early:
        errors.append(UserError(
            "startsOn",
            f"{len(early)} objective(s) or action(s) are due before {starts_on}, the earliest on {min(early)}.",
            ErrorCode.INVALID_DATE_RANGE,
        ))
    late = [d for d in dated if ends_on is not None and d > ends_on]
    if late:
        errors.append(UserError(
            "endsOn",
            f"{len(late)} objective(s) or action(s) are due after {ends_on}, the latest on {max(late)}.",
            ErrorCode.INVALID_DATE_RANGE,
        ))
    if errors:
        raise DomainError(*errors)


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


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """How far a plan's actions have come."""

    done: int
    total: int
    blocked: int

    @property
    def ratio(self) -> float | None:
        """Share of actions done, 0 to 1; None for a plan without actions, which has no progress to show."""
        return self.done / self.total if self.total else None


def progress(counts: Mapping[ActionStatus, int]) -> PlanProgress:
    """Progress from the number of actions per status."""
    return PlanProgress(
        done=counts.get(ActionStatus.DONE, 0),
        total=sum(counts.values()),
        blocked=counts.get(ActionStatus.BLOCKED, 0),
    )
