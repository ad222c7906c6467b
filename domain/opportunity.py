"""Opportunities and the sales funnel (销售漏斗): deals, their stage moves, and who plays which part in them.

A deal moves through INITIAL_CONTACT, NEEDS_ANALYSIS, SOLUTION_DESIGN, QUOTATION and SIGNING to WON or
LOST. Every move is a dated transition; stages may be skipped, and a closed deal may be reopened with a
reason. What the funnel's figures need is kept on the opportunity by each move, so that they are SQL
aggregates over indexed rows: the stages it has ever entered (a bit mask), the path it took (the stage
sequence as text), and, on each transition, the days the deal spent in the stage it left.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.account import MONEY
from domain.base import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column, replaced_rows


class OpportunityStage(enum.Enum):
    INITIAL_CONTACT = "INITIAL_CONTACT"
    NEEDS_ANALYSIS = "NEEDS_ANALYSIS"
    SOLUTION_DESIGN = "SOLUTION_DESIGN"
    QUOTATION = "QUOTATION"
    SIGNING = "SIGNING"
    WON = "WON"
    LOST = "LOST"


OPEN_STAGES = (
    OpportunityStage.INITIAL_CONTACT,
    OpportunityStage.NEEDS_ANALYSIS,
    OpportunityStage.SOLUTION_DESIGN,
    OpportunityStage.QUOTATION,
    OpportunityStage.SIGNING,
)
CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)

# The chance of winning a deal in each stage (per cent), unless a person sets it for a deal.
DEFAULT_PROBABILITY = {
    OpportunityStage.INITIAL_CONTACT: 10,
    OpportunityStage.NEEDS_ANALYSIS: 25,
    OpportunityStage.SOLUTION_DESIGN: 50,
    OpportunityStage.QUOTATION: 70,
    OpportunityStage.SIGNING: 90,
    OpportunityStage.WON: 100,
    OpportunityStage.LOST: 0,
}

MAX_MOVES = 50  # stage moves of one deal: more is a script gone wrong, and the path would grow without bound
PATH_SEPARATOR = ">"


def is_open(stage: OpportunityStage) -> bool:
    return stage in OPEN_STAGES


_BITS = {stage: 1 << n for n, stage in enumerate(OpportunityStage)}


def bit(stage: OpportunityStage) -> int:
    """The stage's bit in `Opportunity.reached_stages`."""
    return _BITS[stage]


def reached_stages(path: list[OpportunityStage]) -> int:
    """The bits of the stages a deal that took `path` has entered (`Opportunity.reached_stages`)."""
    reached = 0
    for stage in path:
        reached |= _BITS[stage]
    return reached


def _beyond(stage: OpportunityStage) -> int:
    if not is_open(stage):
        return 0
    later = OPEN_STAGES[OPEN_STAGES.index(stage) + 1 :]
    return sum(bit(s) for s in (*later, OpportunityStage.WON))


_BEYOND = {stage: _beyond(stage) for stage in OpportunityStage}


def beyond(stage: OpportunityStage) -> int:
    """The bits of the stages that count as progress from `stage`: the open stages after it, and WON."""
    return _BEYOND[stage]


def completed_stays(path: list[OpportunityStage], stage: OpportunityStage) -> int:
    """The stays in `stage` a deal that took `path` has completed: every entry but a last one it is still in."""
    return path[:-1].count(stage)


def days_column(stage: OpportunityStage) -> str:
    """The name of the opportunity's column keeping the days of its completed stays in an open stage."""
    return f"{stage.name.lower()}_days"


class ContactRole(enum.Enum):
    """The part a stakeholder plays in one deal."""

    DECISION_MAKER = "DECISION_MAKER"
    INFLUENCER = "INFLUENCER"
    USER = "USER"
    ECONOMIC_BUYER = "ECONOMIC_BUYER"
    TECHNICAL_EVALUATOR = "TECHNICAL_EVALUATOR"
    CHAMPION = "CHAMPION"


class OpportunityNeed(Base):
    """A need an opportunity answers."""

    __tablename__ = "opportunity_need"
    __table_args__ = (Index("ix_opportunity_need_need_id", "need_id", "opportunity_id"),)

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), primary_key=True)


class OpportunityContact(Base):
    """A stakeholder's part in a deal; one contact per deal may be the primary one."""

    __tablename__ = "opportunity_contact"
    __table_args__ = (
        Index("uq_opportunity_contact_pair", "opportunity_id", "stakeholder_id", unique=True),
        Index("ix_opportunity_contact_stakeholder_id", "stakeholder_id"),
        # At most one primary contact per deal, enforced by the stores.
        Index(
            "uq_opportunity_contact_primary",
            "opportunity_id",
            unique=True,
            postgresql_where=text("is_primary"),
            sqlite_where=text("is_primary"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    role: Mapped[ContactRole] = mapped_column(enum_column(ContactRole))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Opportunity(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_account_id_created_at", "account_id", "created_at", "id"),
        # The funnel's pipeline, from the index alone on PostgreSQL.
        Index(
            "ix_opportunity_stage_currency_probability", "stage", "currency", "probability",
            postgresql_include=["amount", "account_id"],
        ),
        Index("ix_opportunity_opened_on_id", "opened_on", "id"),
        Index("ix_opportunity_expected_close_on_id", "expected_close_on", "id"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    # The chance of winning, per cent: the stage's default unless `probability_set` (a person set it).
    probability: Mapped[int] = mapped_column(Integer)
    probability_set: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_close_on: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"), index=True)
    stage: Mapped[OpportunityStage] = mapped_column(enum_column(OpportunityStage))
    lost_reason: Mapped[str | None] = mapped_column(Text)
    # The business day the deal was opened (its first transition's), the day it entered its stage, and
    # the day it closed (WON or LOST; null while open).
    opened_on: Mapped[date] = mapped_column(Date)
    stage_entered_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Kept by every move for the funnel: the stages ever entered (see `bit`) and the path taken.
    reached_stages: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(Text)
    moves: Mapped[int] = mapped_column(Integer, default=0)
    # Per open stage, the days of the completed stays in it (the `days_in_stage` of the moves out of it), kept by
    # every move for the funnel's days in stage (`days_column`; how many stays there were the path tells).
    initial_contact_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    needs_analysis_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    solution_design_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quotation_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    signing_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Never loaded with the row: reads go through a per-request loader, writers load them before changing them.
    need_rows: Mapped[list[OpportunityNeed]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def need_ids(self) -> list[int]:
        return sorted(r.need_id for r in self.need_rows)

    @need_ids.setter
    def need_ids(self, ids: list[int]) -> None:
        self.need_rows = replaced_rows(self.need_rows, sorted(ids), "need_id", lambda i: OpportunityNeed(need_id=i))

    def enter(self, stage: OpportunityStage, on: date) -> None:
        """Put the deal in `stage` from `on`: the probability follows unless a person set it, the funnel's
        record of it grows."""
        self.stage = stage
        self.stage_entered_on = on
        self.closed_on = None if is_open(stage) else on
        if not is_open(stage) or not self.probability_set:
            self.probability = DEFAULT_PROBABILITY[stage]
        self.reached_stages = (self.reached_stages or 0) | bit(stage)
        self.path = stage.name if not self.path else f"{self.path}{PATH_SEPARATOR}{stage.name}"
        self.moves = (self.moves or 0) + 1

    def opening(self, at: datetime, by_id: int | None) -> StageChange:
        """The first entry of the deal's history: it opened in its stage on `opened_on` (call once it has an id)."""
        return self._change(None, self.stage, self.opened_on, at, by_id, None)

    def move_to(self, stage: OpportunityStage, on: date, *, at: datetime, by_id: int | None, reason: str | None) -> StageChange:
        """Move the deal (the rules, `move_problems`, are checked first) and return the dated transition."""
        change = self._change(self.stage, stage, on, at, by_id, reason)
        if is_open(self.stage) and change.days_in_stage is not None:
            days = days_column(self.stage)
            setattr(self, days, (getattr(self, days) or 0) + change.days_in_stage)
        self.enter(stage, on)
        return change

    def _change(
        self, current: OpportunityStage | None, to: OpportunityStage, on: date, at: datetime, by_id: int | None, reason: str | None
    ) -> StageChange:
        return StageChange(
            opportunity_id=self.id,
            account_id=self.account_id,
            from_stage=current,
            to_stage=to,
            moved_on=on,
            moved_at=at,
            moved_by_id=by_id,
            reason=reason,
            days_in_stage=None if current is None else (on - self.stage_entered_on).days,
            skipped=OPEN_STAGES.index(to) if current is None else skipped_stages(current, to),
        )


class StageChange(Base):
    """One move of a deal from a stage (none when it was opened) to another, on a business day."""

    __tablename__ = "stage_change"
    __table_args__ = (
        Index("ix_stage_change_opportunity_id_moved_on", "opportunity_id", "moved_on", "id"),
        Index("ix_stage_change_from_stage", "from_stage", "days_in_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[OpportunityStage | None] = mapped_column(enum_column(OpportunityStage))
    to_stage: Mapped[OpportunityStage] = mapped_column(enum_column(OpportunityStage))
    moved_on: Mapped[date] = mapped_column(Date)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    # Days spent in `from_stage` (from the move into it to this one); null for the opening.
    days_in_stage: Mapped[int | None] = mapped_column(Integer)
    # Open stages passed over by this move (e.g. 1 from NEEDS_ANALYSIS straight to QUOTATION).
    skipped: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Move:
    """A stage move as the rules see it."""

    current: OpportunityStage
    to: OpportunityStage
    on: date
    entered_on: date
    reason: str | None
    lost_reason: str | None


def move_problems(move: Move, today: date) -> list[tuple[str, str]]:
    """Why a move is refused, as (input field, message) pairs; empty when it is allowed."""
    problems = []
    if move.to is move.current:
        problems.append(("stage", f"The deal is already in {move.to.name}."))
    if move.on > today:
        problems.append(("on", "A stage move cannot be dated in the future."))
    if move.on < move.entered_on:
        problems.append(("on", f"The deal entered {move.current.name} on {move.entered_on.isoformat()}; a move cannot be dated before."))
    if not is_open(move.current) and not move.reason:
        problems.append(("reason", f"Reopening or changing a closed deal ({move.current.name}) needs a reason."))
    if move.to is OpportunityStage.LOST and not move.lost_reason:
        problems.append(("lostReason", "A lost deal needs the reason it was lost."))
    return problems


def skipped_stages(current: OpportunityStage, to: OpportunityStage) -> int:
    """Open stages passed over moving forward from `current` to `to` (WON counts as after SIGNING)."""
    if not is_open(current):
        return 0
    order = [*OPEN_STAGES, OpportunityStage.WON]
    if to not in order:
        return 0
    gap = order.index(to) - order.index(current) - 1
    return max(gap, 0)
