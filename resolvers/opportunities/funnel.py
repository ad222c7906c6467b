"""The sales funnel over any set of deals, each figure one aggregate statement (run only when asked).

The set: the deals the caller may read, of accounts matching the filter (grades, industries, accounts;
archived accounts left out), owned by the given members, opened within the period. Definitions (README
"Opportunities and the funnel"):
- pipeline: per open stage, the deals in it now, their amounts and probability-weighted amounts, per currency;
- conversion of a stage: of the deals that ever entered it, the share that ever entered a later open stage
  or WON (a deal that skipped the stage did not enter it);
- days in a stage: the mean of the completed stays in it (from the move into it to the move out);
- win rate: WON / (WON + LOST), over the deals closed now;
- paths: the stage sequences the deals took, with how many took each, most taken first.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select

from domain.account import Account, Grade
from domain.opportunity import OPEN_STAGES, PATH_SEPARATOR, Opportunity, OpportunityStage, StageChange, beyond, bit
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


class Funnel:
    """The funnel's figures for one set of deals."""

    def __init__(self, ctx: RequestContext, criteria: FunnelCriteria) -> None:
        self.ctx = ctx
        self.criteria = criteria
        self._outcomes: asyncio.Future[Outcomes] | None = None

    def deals(self) -> list[ColumnElement[bool]]:
        c = self.criteria
        accounts = select(Account.id).where(Account.archived_at.is_(None))
        condition = access_of(self.ctx).account_condition()
        if condition is not None:
            accounts = accounts.where(condition)
        if c.grades:
            accounts = accounts.where(Account.grade.in_(c.grades))
        if c.industries:
            accounts = accounts.where(Account.industry.in_(c.industries))
        conditions: list[ColumnElement[bool]] = [Opportunity.account_id.in_(accounts)]
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
        """Deals, WON, LOST, and per open stage how many entered it and how many of those went further: one
        statement for all the fields that show them."""
        if self._outcomes is None:
            self._outcomes = asyncio.ensure_future(self._count_outcomes())
        return await self._outcomes

    async def _count_outcomes(self) -> Outcomes:
        reached = Opportunity.reached_stages

        def has(bits: int) -> ColumnElement[bool]:
            return reached.op("&")(bits) != 0

        columns: list[Any] = [
            func.count(),
            func.count(case((Opportunity.stage == OpportunityStage.WON, 1))),
            func.count(case((Opportunity.stage == OpportunityStage.LOST, 1))),
        ]
        for stage in OPEN_STAGES:
            columns.append(func.count(case((has(bit(stage)), 1))))
            columns.append(func.count(case((has(bit(stage)) & has(beyond(stage)), 1))))
        (row,) = await self._rows(select(*columns).where(*self.deals()))
        deals, won, lost, *per_stage = (int(n) for n in row)
        conversions = [
            StageConversion(stage, per_stage[2 * i], per_stage[2 * i + 1]) for i, stage in enumerate(OPEN_STAGES)
        ]
        return Outcomes(deals, won, lost, conversions)

    async def durations(self) -> list[StageDuration]:
        """Per open stage: the completed stays in it and their mean length in days."""
        deals = select(Opportunity.id).where(*self.deals())
        stmt = (
            select(StageChange.from_stage, func.count(), func.avg(StageChange.days_in_stage))
            .where(StageChange.from_stage.in_(OPEN_STAGES), StageChange.opportunity_id.in_(deals))
            .group_by(StageChange.from_stage)
        )
        found = {stage: (int(n), None if avg is None else round(float(avg), 2)) for stage, n, avg in await self._rows(stmt)}
        return [StageDuration(stage, *found.get(stage, (0, None))) for stage in OPEN_STAGES]

    async def paths(self) -> list[tuple[list[OpportunityStage], int]]:
        """The most taken stage sequences (at most `MAX_PATHS`), with how many deals took each."""
        counted = func.count().label("deals")
        stmt = (
            select(Opportunity.path, counted)
            .where(*self.deals())
            .group_by(Opportunity.path)
            .order_by(counted.desc(), Opportunity.path)
            .limit(MAX_PATHS)
        )
        return [([OpportunityStage[s] for s in path.split(PATH_SEPARATOR)], int(n)) for path, n in await self._rows(stmt)]
