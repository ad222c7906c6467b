"""Customer needs (客户需求分析) and the four-seasons table (四季表)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TypeVar

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, case
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from domain.base import Base, TimestampMixin, VersionedMixin, enum_column, replaced_rows
from domain.interaction import DERIVED

N = TypeVar("N")


class NeedCategory(enum.Enum):
    FUNCTIONAL = "FUNCTIONAL"
    EMOTIONAL = "EMOTIONAL"
    SOCIAL = "SOCIAL"


class NeedVisibility(enum.Enum):
    EXPLICIT = "EXPLICIT"  # said out loud
    IMPLICIT = "IMPLICIT"  # inferred by us


class NeedStatus(enum.Enum):
    IDENTIFIED = "IDENTIFIED"
    VALIDATED = "VALIDATED"
    BEING_ADDRESSED = "BEING_ADDRESSED"
    MET = "MET"
    DROPPED = "DROPPED"


# Needs still to be worked on: the ones a four-seasons table and a plan care about.
OPEN_STATUSES = frozenset({NeedStatus.IDENTIFIED, NeedStatus.VALIDATED, NeedStatus.BEING_ADDRESSED})


def is_open(status: NeedStatus) -> bool:
    return status in OPEN_STATUSES


class Priority(enum.Enum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


# Most urgent first: ordering by rank lists CRITICAL before LOW, which the names alone would not.
PRIORITY_RANK = {p: rank for rank, p in enumerate(Priority)}


class Quarter(enum.Enum):
    """A quarter of the calendar year in which a need peaks."""

    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"
    Q4 = "Q4"


# The bit of each quarter in a need's `peak_mask`.
QUARTER_BITS = {quarter: 1 << n for n, quarter in enumerate(Quarter)}


def quarter_mask(quarters: Iterable[Quarter]) -> int:
    """The quarters as the bits of a need's `peak_mask` (0: no peak quarter)."""
    mask = 0
    for quarter in quarters:
        mask |= QUARTER_BITS[quarter]
    return mask


def in_quarter_order(quarters: Iterable[Quarter]) -> list[Quarter]:
    """Peak quarters as they are listed everywhere: Q1 first."""
    return sorted(quarters, key=lambda q: q.value)


class NeedPeakQuarter(Base):
    __tablename__ = "need_peak_quarter"
    __table_args__ = (Index("ix_need_peak_quarter_quarter", "quarter", "need_id"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), primary_key=True)
    quarter: Mapped[Quarter] = mapped_column(enum_column(Quarter), primary_key=True)


class Need(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "need"
    __table_args__ = (
        Index("ix_need_account_id_status", "account_id", "status", "id"),
        Index("ix_need_account_id_created_at", "account_id", "created_at", "id"),
        Index("ix_need_account_id_title", "account_id", "title", "id"),
        # The needs board across accounts: the newest first.
        Index("ix_need_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    pain_points: Mapped[str | None] = mapped_column(Text)
    category: Mapped[NeedCategory] = mapped_column(enum_column(NeedCategory), index=True)
    visibility: Mapped[NeedVisibility] = mapped_column(enum_column(NeedVisibility))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority))
    status: Mapped[NeedStatus] = mapped_column(enum_column(NeedStatus), index=True)
    # Urgency as a number (0 = CRITICAL), computed by the database so lists can be ordered and paged by it.
    priority_rank: Mapped[int] = column_property(
        case({p.name: rank for p, rank in PRIORITY_RANK.items()}, value=priority)
    )

    # The peak quarters again, as bits (`quarter_mask`): what the needs' tally counts by (domain/need_tally.py).
    peak_mask: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0", info=DERIVED)

    # Never loaded with the row: reads go through a per-request loader of the quarter table, and writers
    # load the rows explicitly before changing them through `peak_quarters` (an unloaded access raises).
    quarter_rows: Mapped[list[NeedPeakQuarter]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def peak_quarters(self) -> list[Quarter]:
        return in_quarter_order(r.quarter for r in self.quarter_rows)

    @peak_quarters.setter
    def peak_quarters(self, quarters: list[Quarter]) -> None:
        self.quarter_rows = replaced_rows(self.quarter_rows, quarters, "quarter", lambda q: NeedPeakQuarter(quarter=q))
        self.peak_mask = quarter_mask(quarters)


def four_seasons(
    needs: Iterable[N], peaks: Callable[[N], Iterable[Quarter]] = attrgetter("peak_quarters")
) -> dict[Quarter, list[N]]:
    """The four-seasons table (四季表): each quarter with the needs peaking in it, in the order given.

    `peaks` tells the quarters a need peaks in (by default its loaded `peak_quarters`). A need peaking
    in several quarters appears under each of them; one with no peak is in none.
    """
    table: dict[Quarter, list[N]] = {q: [] for q in Quarter}
    for need in needs:
        for quarter in peaks(need):
            table[quarter].append(need)
    return table
