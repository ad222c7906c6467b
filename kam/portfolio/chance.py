"""Fast weighted choices and a clock, the two things every part of the generator draws from.

A weighted choice is a lookup in a table where each value appears as often as
its weight: one call to `random()` per draw, which matters at 20 million rows.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TypeVar

T = TypeVar("T")

EPOCH = date(1970, 1, 1).toordinal()
DAY = 86_400
WORKDAY_START = 8 * 3600
WORKDAY_SECONDS = 10 * 3600


def table(weights: Mapping[T, int]) -> tuple[T, ...]:
    """Each value repeated as often as its weight; draw with `pick`."""
    return tuple(value for value, weight in weights.items() for _ in range(weight))


def pick(rng: random.Random, values: Sequence[T]) -> T:
    return values[int(rng.random() * len(values))]


class Clock:
    """The day a run generates for: everything that happened did so before today began (UTC).

    Timestamps are drawn before midnight, so the data depends on the day of
    the run, not on its hour, and nothing lies in the future.
    """

    def __init__(self, now: datetime) -> None:
        self.today = now.astimezone(UTC).date()
        self.today_ord = self.today.toordinal()
        self.horizon = (self.today_ord - EPOCH) * DAY

    @staticmethod
    def day(ordinal: int) -> date:
        return date.fromordinal(ordinal)

    def moment(self, rng: random.Random, ordinal: int) -> datetime:
        """A time during working hours on that day; on today or later, late yesterday evening instead."""
        ts = (ordinal - EPOCH) * DAY + WORKDAY_START + int(rng.random() * WORKDAY_SECONDS)
        if ts >= self.horizon:
            ts = self.horizon - 1 - (ts - WORKDAY_START) % 3600
        return datetime.fromtimestamp(ts, UTC)

    def between(self, rng: random.Random, start: datetime, end: datetime | None = None) -> datetime:
        """A moment from `start` up to `end` (the end of yesterday when not given)."""
        first = start.timestamp()
        last = self.horizon if end is None else end.timestamp()
        if last <= first:
            return start
        return datetime.fromtimestamp(first + rng.random() * (last - first), UTC)
