"""Where each fact on a relationship map came from and how sure we are of it.

A map is only as good as what it is drawn from: "the CFO is a skeptic" heard
from a colleague of a colleague is not a CFO who said so in a meeting last week.
Each of the five facts a map holds about a person (attitude, influence, buying
roles, decision level, manager) may carry its source, a confidence and the day
it was last verified. A fact is VERIFIED when it was verified within
`STALE_AFTER_DAYS` with a confidence other than ASSUMED, STALE when its last
verification is older, and UNVERIFIED when it was never verified or is only
assumed. The map summary counts them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TimestampMixin, VersionedMixin, enum_column

STALE_AFTER_DAYS = 180
MAX_NOTE = 2000


class MapFact(enum.Enum):
    """The facts a relationship map holds about one person."""

    ATTITUDE = "ATTITUDE"
    INFLUENCE = "INFLUENCE"
    BUYING_ROLES = "BUYING_ROLES"
    DECISION_LEVEL = "DECISION_LEVEL"
    MANAGER = "MANAGER"


class FactSource(enum.Enum):
    """Where a fact came from."""

    THE_PERSON = "THE_PERSON"  # they said so, or showed it, themselves
    MEETING = "MEETING"  # seen in a meeting with them
    COLLEAGUE = "COLLEAGUE"  # someone at the account told us
    OUR_TEAM = "OUR_TEAM"  # one of our people's judgment
    PUBLIC = "PUBLIC"  # an org chart, a profile, a press release
    ASSUMPTION = "ASSUMPTION"  # nobody told us


class Confidence(enum.Enum):
    CONFIRMED = "CONFIRMED"
    LIKELY = "LIKELY"
    ASSUMED = "ASSUMED"


class FactStanding(enum.Enum):
    VERIFIED = "VERIFIED"
    STALE = "STALE"
    UNVERIFIED = "UNVERIFIED"


class StakeholderFact(TimestampMixin, VersionedMixin, Base):
    """The provenance of one fact about one stakeholder (at most one row per fact and person)."""

    __tablename__ = "stakeholder_fact"
    __table_args__ = (
        Index("uq_stakeholder_fact_stakeholder_id_fact", "stakeholder_id", "fact", unique=True),
        Index("ix_stakeholder_fact_account_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    fact: Mapped[MapFact] = mapped_column(enum_column(MapFact))
    source: Mapped[FactSource] = mapped_column(enum_column(FactSource))
    confidence: Mapped[Confidence] = mapped_column(enum_column(Confidence))
    verified_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


def standing(confidence: Confidence | None, verified_on: date | None, today: date) -> FactStanding:
    """How far a fact can be trusted on `today` (no provenance at all: `confidence` None)."""
    if confidence is None or confidence is Confidence.ASSUMED or verified_on is None:
        return FactStanding.UNVERIFIED
    if verified_on < today - timedelta(days=STALE_AFTER_DAYS):
        return FactStanding.STALE
    return FactStanding.VERIFIED


@dataclass(frozen=True)
class FactCounts:
    verified: int
    stale: int
    unverified: int

    @property
    def total(self) -> int:
        return self.verified + self.stale + self.unverified


def count_facts(
    people: Iterable[int], known: Mapping[tuple[int, MapFact], tuple[Confidence, date | None]], today: date
) -> FactCounts:
    """The standing of every fact of every person on a map; `known` holds the provenance recorded."""
    counts = dict.fromkeys(FactStanding, 0)
    for person in people:
        for fact in MapFact:
            confidence, verified_on = known.get((person, fact), (None, None))
            counts[standing(confidence, verified_on, today)] += 1
    return FactCounts(counts[FactStanding.VERIFIED], counts[FactStanding.STALE], counts[FactStanding.UNVERIFIED])
