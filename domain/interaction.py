"""Interactions (互动): calls, emails, meetings, visits and events with a customer, and who took part.

They are the evidence of how often and how recently we talk to an account and
to each of its people. What the account list filters and orders by (the last
interaction and the counts over the last 30, 90 and 365 days) is summed up on
the account and the stakeholder by the writes, as of the day of the write;
`kam recompute` brings the counts up to date as days pass without writes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.base import EARLIEST_DAY, Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column, replaced_rows


class InteractionKind(enum.Enum):
    CALL = "CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    VISIT = "VISIT"
    EVENT = "EVENT"
    MESSAGE = "MESSAGE"
    OTHER = "OTHER"


class InteractionDirection(enum.Enum):
    """Who reached out: we did (OUTBOUND), the customer did (INBOUND), or both sides met as planned (MUTUAL)."""

    OUTBOUND = "OUTBOUND"
    INBOUND = "INBOUND"
    MUTUAL = "MUTUAL"


# The windows the account and the stakeholder count interactions over, in days.
WINDOWS = (30, 90, 365)
MAX_DURATION_MINUTES = 7 * 24 * 60  # a week: longer is a typing error, not an interaction
EARLIEST = EARLIEST_DAY  # how far back an interaction may be dated


# Columns kept by the writes, not by a person: never recorded in the audit trail, never a new version.
DERIVED = {"derived": True}


def is_derived(column: object) -> bool:
    return bool(getattr(column, "info", {}).get("derived"))


class RecencyMixin:
    """How recently and how often we interacted, kept on the row by the writes of interactions (and by
    `kam recompute` as days pass): the lists filter and order by these columns on an index."""

    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=DERIVED)
    # The day of `last_interaction_at` as an ordinal, 0 when there is none: lists order by it (never first).
    last_interaction_day: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=DERIVED)
    interactions_30d: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=DERIVED)
    interactions_90d: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=DERIVED)
    interactions_365d: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=DERIVED)
    # The day the counts were counted on: the windows end that day.
    interactions_counted_on: Mapped[date | None] = mapped_column(Date, info=DERIVED)

    @property
    def recency(self) -> Recency:
        return Recency(
            self.last_interaction_at,
            self.interactions_30d,
            self.interactions_90d,
            self.interactions_365d,
            self.interactions_counted_on,
        )


RECENCY_COLUMNS = (
    "last_interaction_at",
    "last_interaction_day",
    "interactions_30d",
    "interactions_90d",
    "interactions_365d",
    "interactions_counted_on",
)


class InteractionStakeholder(Base):
    """A stakeholder who took part in an interaction."""

    __tablename__ = "interaction_stakeholder"
    __table_args__ = (Index("ix_interaction_stakeholder_stakeholder_id", "stakeholder_id", "interaction_id"),)

    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"), primary_key=True)


class InteractionMember(Base):
    """One of our team members who took part in an interaction."""

    __tablename__ = "interaction_member"
    __table_args__ = (Index("ix_interaction_member_member_id", "member_id", "interaction_id"),)

    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("team_member.id", ondelete="CASCADE"), primary_key=True)


class Interaction(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "interaction"
    __table_args__ = (
        # An account's timeline, newest first, and its counts over a window.
        Index("ix_interaction_account_id_occurred_at", "account_id", "occurred_at", "id"),
        # The timeline across accounts.
        Index("ix_interaction_occurred_at_id", "occurred_at", "id"),
        Index("ix_interaction_kind_occurred_at", "kind", "occurred_at", "id"),
        CheckConstraint(f"duration_minutes BETWEEN 0 AND {MAX_DURATION_MINUTES}", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[InteractionKind] = mapped_column(enum_column(InteractionKind))
    direction: Mapped[InteractionDirection] = mapped_column(enum_column(InteractionDirection))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="SET NULL"), index=True)

    # Never loaded with the row: reads go through per-request loaders, writers load them before changing them.
    stakeholder_rows: Mapped[list[InteractionStakeholder]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    member_rows: Mapped[list[InteractionMember]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def stakeholder_ids(self) -> list[int]:
        return sorted(r.stakeholder_id for r in self.stakeholder_rows)

    @stakeholder_ids.setter
    def stakeholder_ids(self, ids: Iterable[int]) -> None:
        self.stakeholder_rows = replaced_rows(
            self.stakeholder_rows, sorted(ids), "stakeholder_id", lambda i: InteractionStakeholder(stakeholder_id=i)
        )

    @property
    def member_ids(self) -> list[int]:
        return sorted(r.member_id for r in self.member_rows)

    @member_ids.setter
    def member_ids(self, ids: Iterable[int]) -> None:
        self.member_rows = replaced_rows(self.member_rows, sorted(ids), "member_id", lambda i: InteractionMember(member_id=i))


def occurred_problem(occurred_at: datetime, now: datetime) -> str | None:
    """Why an interaction cannot be dated `occurred_at`, or None: not in the future, not before 1970."""
    if occurred_at > now:
        return "An interaction cannot be dated in the future."
    if occurred_at.date() < EARLIEST:
        return f"An interaction cannot be dated before {EARLIEST.isoformat()}."
    return None


@dataclass(frozen=True)
class Recency:
    """How recently and how often we interacted with an account or a stakeholder, as of a day."""

    last_at: datetime | None
    last_30_days: int
    last_90_days: int
    last_365_days: int
    as_of: date | None

    @property
    def last_day(self) -> int:
        """The day of the last interaction as an ordinal (0: never), what lists order and filter by."""
        return 0 if self.last_at is None else self.last_at.date().toordinal()

    def days_since(self, today: date) -> int | None:
        """Days since the last interaction (0: today); None when there was none."""
        return None if self.last_at is None else (today - self.last_at.date()).days


def window_starts(today: date) -> tuple[date, ...]:
    """The first day of each counting window ending `today` (the window of 30 days holds today and 29 before)."""
    return tuple(today - timedelta(days=days - 1) for days in WINDOWS)


def day_ordinal(day: date | None) -> int:
    """A day as lists order last interactions: its ordinal, 0 for none."""
    return 0 if day is None else day.toordinal()
