"""The sales funnel over any set of deals in two aggregate statements at most, each run only when asked: the
pipeline's amounts, and one grouping of the deals by path for everything else.

The set: the deals the caller may read, of accounts matching the filter (grades, industries, accounts;
archived accounts left out), owned by the given members, opened within the period. Definitions (README
"Opportunities and the funnel"):
- pipeline: per open stage, the deals in it now, their amounts and probability-weighted amounts, per currency;
- conversion of a stage: of the deals that ever entered it, the share that ever entered a later open stage
  or WON (a deal that skipped the stage did not enter it);
- days in a stage: the mean of the completed stays in it (from the move into it to the move out), from the
  days each deal keeps per stage and the stays its path tells (domain/opportunity.py);
- win rate: WON / (WON + LOST), over the deals closed now;
- paths: the stage sequences the deals took, with how many took each, most taken first.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select

from domain.account import Account, Grade
from domain.opportunity import OPEN_STAGES, PATH_SEPARATOR, Opportunity, OpportunityStage, beyond, bit, completed_stays, days_column, reached_stages
from resolvers.access import access_of
from resolvers.context import RequestContext

CENT = Decimal("0.01")
MAX_PATHS = 20


@dataclass(frozen=True)
class FunnelCriteria:
    owner_ids: tuple[int, ...] = ()
    account_ids: tuple[int, ...] = ()
    grades: tuple[Grade, ...] = ()
    industries: tuple[str, ...] = ()
    opened_from: date | None = None
    opened_to: date | None = None


@dataclass(frozen=True)
class StagePipeline:
    stage: OpportunityStage
    count: int
    amounts: list[tuple[str, Decimal]]  # (currency, amount)
    weighted: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class StageConversion:
    stage: OpportunityStage
    entered: int
    progressed: int

    @property
    def rate(self) -> float | None:
        return None if not self.entered else self.progressed / self.entered


@dataclass(frozen=True)
class StageDuration:
    stage: OpportunityStage
    stays: int
    average_days: float | None


@dataclass(frozen=True)
class Outcomes:
    deals: int
    won: int
    lost: int
    conversions: list[StageConversion]

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return None if not closed else self.won / closed


@dataclass(frozen=True)
class Groups:
    """What the grouped statement tells about the set (everything but the pipeline)."""

    outcomes: Outcomes
    durations: list[StageDuration]
    paths: list[tuple[list[OpportunityStage], int]]


DAYS = [getattr(Opportunity, days_column(stage)) for stage in OPEN_STAGES]
PROGRESS = [(stage, bit(stage), beyond(stage)) for stage in OPEN_STAGES]


class Funnel:
    """The funnel's figures for one set of deals."""

    def __init__(self, ctx: RequestContext, criteria: FunnelCriteria) -> None:
        self.ctx = ctx
        self.criteria = criteria
        self._groups: asyncio.Future[Groups] | None = None

    def deals(self) -> list[ColumnElement[bool]]:
        c = self.criteria
        chosen: list[ColumnElement[bool]] = []
        condition = access_of(self.ctx).account_condition()
        if condition is not None:
            chosen.append(condition)
        if c.grades:
            chosen.append(Account.grade.in_(c.grades))
        if c.industries:
            chosen.append(Account.industry.in_(c.industries))
        conditions: list[ColumnElement[bool]] = []
        if chosen:
            conditions.append(Opportunity.account_id.in_(select(Account.id).where(Account.archived_at.is_(None), *chosen)))
        else:  # all but the few archived accounts: an anti-join with them, not a join with every account
            conditions.append(~exists().where(Account.id == Opportunity.account_id, Account.archived_at.is_not(None)))
        if c.account_ids:
            conditions.append(Opportunity.account_id.in_(c.account_ids))
        if c.owner_ids:
            conditions.append(Opportunity.owner_id.in_(c.owner_ids))
        if c.opened_from is not None:
            conditions.append(Opportunity.opened_on >= c.opened_from)
        if c.opened_to is not None:
            conditions.append(Opportunity.opened_on <= c.opened_to)
        return conditions

    async def _rows(self, stmt: Any) -> list[Any]:
        return list((await self.ctx.run(lambda s: s.execute(stmt))).all())

    async def pipeline(self) -> list[StagePipeline]:
        """Per open stage: deals, amounts and weighted amounts per currency (weighted exactly, per probability)."""
        stmt = (
            select(Opportunity.stage, Opportunity.currency, Opportunity.probability, func.count(), func.sum(Opportunity.amount))
            .where(*self.deals(), Opportunity.stage.in_(OPEN_STAGES))
            .group_by(Opportunity.stage, Opportunity.currency, Opportunity.probability)
        )
        counts: dict[OpportunityStage, int] = defaultdict(int)
        amounts: dict[OpportunityStage, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        weighted: dict[OpportunityStage, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for stage, currency, probability, count, total in await self._rows(stmt):
            total = Decimal(total or 0)
            counts[stage] += count
            amounts[stage][currency] += total
            weighted[stage][currency] += total * probability / 100
        return [
            StagePipeline(
                stage,
                counts[stage],
                sorted((cur, amount.quantize(CENT)) for cur, amount in amounts[stage].items()),
                sorted((cur, amount.quantize(CENT)) for cur, amount in weighted[stage].items()),
            )
            for stage in OPEN_STAGES
        ]

    async def outcomes(self) -> Outcomes:
        """Deals, WON, LOST, and per open stage how many entered it and how many of those went further."""
        return (await self.groups()).outcomes

    async def durations(self) -> list[StageDuration]:
        """Per open stage: the completed stays in it and their mean length in days."""
        return (await self.groups()).durations

    async def paths(self) -> list[tuple[list[OpportunityStage], int]]:
        """The most taken stage sequences (at most `MAX_PATHS`), with how many deals took each (ties by path)."""
        return (await self.groups()).paths

    async def groups(self) -> Groups:
        """One statement for every field but the pipeline, however many of them are asked."""
        if self._groups is None:
            self._groups = asyncio.ensure_future(self._count_groups())
        return await self._groups

    async def _count_groups(self) -> Groups:
        """The deals grouped by path, with the days of their completed stays per open stage; added up here per
        figure. A path tells the stages a deal reached, the one it is in (the last) and its stays in each."""
        stmt = select(Opportunity.path, func.count(), *map(func.sum, DAYS)).where(*self.deals()).group_by(Opportunity.path)
        deals = won = lost = 0
        entered = dict.fromkeys(OPEN_STAGES, 0)
        progressed = dict.fromkeys(OPEN_STAGES, 0)
        stays = dict.fromkeys(OPEN_STAGES, 0)
        days = dict.fromkeys(OPEN_STAGES, 0)
        paths: dict[str, int] = {}
        for path, count, *sums in await self._rows(stmt):
            taken, reached, completed = path_facts(path)
            deals += count
            won += count if taken[-1] is OpportunityStage.WON else 0
            lost += count if taken[-1] is OpportunityStage.LOST else 0
            for (stage, stage_bit, further), n, total in zip(PROGRESS, completed, sums, strict=True):
                if reached & stage_bit:
                    entered[stage] += count
                    progressed[stage] += count if reached & further else 0
                    stays[stage] += count * n
                    days[stage] += int(total or 0)
            paths[path] = count
        conversions = [StageConversion(stage, entered[stage], progressed[stage]) for stage in OPEN_STAGES]
        top = sorted(paths.items(), key=lambda item: (-item[1], item[0]))[:MAX_PATHS]
        return Groups(
            Outcomes(deals, won, lost, conversions),
            [StageDuration(stage, stays[stage], average_days(days[stage], stays[stage])) for stage in OPEN_STAGES],
            [(list(path_facts(path)[0]), n) for path, n in top],
        )


@lru_cache(maxsize=4096)
def path_facts(path: str) -> tuple[tuple[OpportunityStage, ...], int, tuple[int, ...]]:
    """What a stored path tells: its stages, the bits of those reached, and the completed stays per open stage
    (kept per path: the same few hundred paths come back in every funnel)."""
    taken = [OpportunityStage[name] for name in path.split(PATH_SEPARATOR)]
    return tuple(taken), reached_stages(taken), tuple(completed_stays(taken, stage) for stage in OPEN_STAGES)


def average_days(days: int, stays: int) -> float | None:
    """The mean length of `stays` stays lasting `days` in all, to two decimals; null without any."""
    return round(days / stays, 2) if stays else None
