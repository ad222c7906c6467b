"""The explanations of an account's judgments beyond the grade: health and churn warning, the key-account
recommendation, the stages' evidence, the value-tier ranking and the lifetime value; and people's overrides.
Each is a typed object read back from the documents the judging keeps (domain/judgment.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from domain.health import HealthPoints, HealthResult
from domain.judgment import from_document
from domain.key_account import KeyAccountReason as KeyAccountReasonModel
from domain.key_account import KeyAccountRecommendation as KeyAccountModel
from domain.lifetime_value import LifetimeValue as LifetimeModel
from domain.stages import LifecycleStageResult, RelationshipStageResult
from schema.common import Money, member_of, money
from schema.enums import (
    Grade, HealthBand, HealthFactor, KeyAccountFactor, LifecycleReason, LifecycleStage, OverrideKind, RelationshipReason,
    RelationshipStage, ValueTier,
)

if TYPE_CHECKING:
    from schema.team import TeamMember


@strawberry.type(description="The points one factor of the health score gave and its evidence; an unknown factor gives none and is left out of the score.")
class HealthFactorPoints:
    factor: HealthFactor = strawberry.field(description="The factor.")  # type: ignore[valid-type]
    known: bool = strawberry.field(description="Whether there is evidence for it; an unknown factor is not zero, it is left out and the known ones rescaled to 100.")
    points: float | None = strawberry.field(description="Points it gave (null when unknown).")
    max_points: int = strawberry.field(description="Points it can give (its weight in the policy).")
    days: int | None = strawberry.field(description="RECENCY: days since the last interaction (null: never contacted).")
    days_since_created: int | None = strawberry.field(description="RECENCY, never contacted: days since the account was created, counted instead (a new account is given one cadence).")
    cadence_days: int | None = strawberry.field(description="RECENCY: the grade's cadence the days are judged against.")
    support_index: float | None = strawberry.field(description="ORGANISATIONAL_SUPPORT: the map's support index, -2 to +2.")
    count: int | None = strawberry.field(description="PLAN_PROGRESS: overdue open actions.")
    of: int | None = strawberry.field(description="PLAN_PROGRESS: open actions of live plans.")
    amount: Money | None = strawberry.field(description="REVENUE_TREND: revenue of the last twelve months.")
    previous: Money | None = strawberry.field(description="REVENUE_TREND: revenue of the twelve months before.")
    ratio: Decimal | None = strawberry.field(description="REVENUE_TREND: the last twelve months over the twelve before (null with no revenue before).")

    @classmethod
    def of_points(cls, p: HealthPoints, currency: str) -> HealthFactorPoints:
        return cls(
            factor=p.factor, known=p.known, points=p.points, max_points=p.max_points, days=p.days,
            cadence_days=p.cadence_days, days_since_created=p.days_since_created, support_index=p.support_index, count=p.count, of=p.of,
            amount=money(p.amount, currency), previous=money(p.previous, currency), ratio=p.ratio,
        )


@strawberry.type(
    description=(
        "The account's health, 0-100, over the factors with evidence (satisfaction and complaints are unknown until"
        " the voice of the customer is recorded), and the churn warning below the policy's threshold."
    )
)
class Health:
    result: strawberry.Private[HealthResult]
    currency: strawberry.Private[str]

    @strawberry.field(description="The score, 0-100, two decimals.")
    def score(self) -> float:
        return self.result.score

    @strawberry.field(description="HEALTHY, WATCH or AT_RISK.")
    def band(self) -> HealthBand:  # type: ignore[valid-type]
        return self.result.band

    @strawberry.field(description="Whether the score is below the churn-warning threshold (band AT_RISK).")
    def churn_warning(self) -> bool:
        return self.result.churn_warning

    @strawberry.field(description="Each factor's points and evidence.")
    def factors(self) -> list[HealthFactorPoints]:
        return [HealthFactorPoints.of_points(p, self.currency) for p in self.result.factors]

    @strawberry.field(description="The known factors that lost more than half their points, most points lost first: why the account is at risk.")
    def warning_factors(self) -> list[HealthFactor]:  # type: ignore[valid-type]
        return list(self.result.warning_factors)

    @strawberry.field(description="The factors without evidence, left out of the score.")
    def unknown_factors(self) -> list[HealthFactor]:  # type: ignore[valid-type]
        return [p.factor for p in self.result.factors if not p.known]


@strawberry.type(description="One factor of the key-account recommendation: its points and evidence.")
class KeyAccountReason:
    factor: KeyAccountFactor = strawberry.field(description="The factor.")  # type: ignore[valid-type]
    known: bool = strawberry.field(description="Whether there is evidence for it; an unknown factor gives no points (fill it in).")
    points: float = strawberry.field(description="Points it gave.")
    max_points: int = strawberry.field(description="Points it can give (its weight in the policy).")
    amount: Money | None = strawberry.field(description="PURCHASING_POWER: the estimated wallet; COOPERATION_POTENTIAL: the growth potential.")
    target: Money | None = strawberry.field(description="PURCHASING_POWER, COOPERATION_POTENTIAL: the amount that earns all points.")
    years: Decimal | None = strawberry.field(description="RELATIONSHIP_LENGTH: years since the first deal.")
    target_years: Decimal | None = strawberry.field(description="RELATIONSHIP_LENGTH: the years that earn all points.")
    first_deal_on: date | None = strawberry.field(description="RELATIONSHIP_LENGTH: the first won deal or order.")
    rating: int | None = strawberry.field(description="STRATEGIC_FIT: the planner's rating, 1-5.")

    @classmethod
    def of_reason(cls, r: KeyAccountReasonModel, currency: str) -> KeyAccountReason:
        years = r.factor.name == "RELATIONSHIP_LENGTH"
        return cls(
            factor=r.factor, known=r.known, points=r.points, max_points=r.max_points,
            amount=money(r.amount, currency), target=None if years else money(r.target, currency),
            years=r.years, target_years=r.target if years else None, first_deal_on=r.first_won_on, rating=r.rating,
        )


@strawberry.type(description="Whether the rules recommend the account as a key account, and why; `Account.isKeyAccount` stays a person's decision.")
class KeyAccountRecommendation:
    result: strawberry.Private[KeyAccountModel]
    currency: strawberry.Private[str]

    @strawberry.field(description="Whether the score reaches the policy's threshold.")
    def recommended(self) -> bool:
        return self.result.recommended

    @strawberry.field(description="The score, 0-100, two decimals.")
    def score(self) -> float:
        return self.result.score

    @strawberry.field(description="Each factor's points and evidence.")
    def reasons(self) -> list[KeyAccountReason]:
        return [KeyAccountReason.of_reason(r, self.currency) for r in self.result.reasons]

    @strawberry.field(description="The factors without evidence: what a planner should fill in.")
    def unknown_factors(self) -> list[KeyAccountFactor]:  # type: ignore[valid-type]
        return list(self.result.unknown)


@strawberry.type(description="What the rules read the stages from: purchases to date and the last one.")
class StageEvidence:
    relationship_reason: RelationshipReason = strawberry.field(description="Why the relationship stage.")  # type: ignore[valid-type]
    purchases: int = strawberry.field(description="Purchases: the larger of won deals and orders (a deal and its invoice are one).")
    won_deals: int = strawberry.field(description="Won opportunities to date.")
    orders: int = strawberry.field(description="Revenue records to date.")
    entered_relationship_stage: RelationshipStage = strawberry.field(description="The stage a person set on the account, kept or overruled.")  # type: ignore[valid-type]
    lifecycle_reason: LifecycleReason = strawberry.field(description="Why the lifecycle stage.")  # type: ignore[valid-type]
    days_since_last_purchase: int | None = strawberry.field(description="Days since the last won deal or order; null: never bought.")
    lapsed_after_days: int = strawberry.field(description="The policy's days after which a customer has lapsed.")


def stage_evidence(stored: dict[str, Any]) -> StageEvidence:
    relationship = from_document(RelationshipStageResult, stored["relationship"])
    lifecycle = from_document(LifecycleStageResult, stored["lifecycle"])
    return StageEvidence(
        relationship_reason=relationship.reason, purchases=relationship.purchases, won_deals=relationship.won_deals,
        orders=relationship.orders, entered_relationship_stage=relationship.entered, lifecycle_reason=lifecycle.reason,
        days_since_last_purchase=lifecycle.days_since_last_purchase, lapsed_after_days=lifecycle.lapsed_after_days,
    )


@strawberry.type(description="Where the account ranks in the ABC analysis of the portfolio's trailing-twelve-month revenue.")
class ValueTierRanking:
    tier: ValueTier = strawberry.field(description="The tier the ranking gives.")  # type: ignore[valid-type]
    rank: int = strawberry.field(description="The account's place, 1 for the largest revenue.")
    share_before: Decimal | None = strawberry.field(description="Per cent of the portfolio's revenue the accounts ranked before it make (HIGH while below the policy's cut-off); null for an account without revenue (LOW).")
    ranked_on: date = strawberry.field(description="The day of the ranking (by `kam recompute`).")


@strawberry.type(description="The margin the account brought to date and the margin it is still expected to bring.")
class LifetimeValue:
    result: strawberry.Private[LifetimeModel]
    currency: strawberry.Private[str]

    @strawberry.field(description="The margin to date.")
    def historical(self) -> Money:
        return Money(amount=self.result.historical, currency=self.currency)

    @strawberry.field(description="Predicted: the average annual margin over the coming years, weighted by the retention rate and discounted.")
    def predicted(self) -> Money:
        return Money(amount=self.result.predicted, currency=self.currency)

    @strawberry.field(description="The margin to date over the years as a customer (one at least).")
    def average_annual_margin(self) -> Money:
        return Money(amount=self.result.average_annual_margin, currency=self.currency)

    @strawberry.field(description="Years since the first order, two decimals.")
    def years_as_customer(self) -> Decimal:
        return self.result.years_as_customer

    @strawberry.field(description="The policy's retention rate per year.")
    def retention_rate(self) -> Decimal:
        return self.result.retention_rate

    @strawberry.field(description="The policy's discount rate per year.")
    def discount_rate(self) -> Decimal:
        return self.result.discount_rate

    @strawberry.field(description="Years the customer is expected to stay, r / (1 - r), at most `maxYears`.")
    def expected_remaining_years(self) -> Decimal:
        return self.result.expected_remaining_years

    @strawberry.field(description="Years ahead the prediction counts at most.")
    def max_years(self) -> int:
        return self.result.max_years


@strawberry.type(description="A person's override of a judgment, in force from `setOn` up to the day before `expiresOn`.")
class JudgmentOverride:
    """Answered from a `JudgmentOverride` row."""

    kind: OverrideKind = strawberry.field(description="What it overrides.")  # type: ignore[valid-type]
    value: str = strawberry.field(description="The value set (a grade's letter, a tier's or a stage's name).")
    reason: str = strawberry.field(description="Why.")
    set_on: date = strawberry.field(description="The day it was set.")
    expires_on: date | None = strawberry.field(description="The day it ends (null: until cleared).")

    @strawberry.field(description="Who set it.")
    async def set_by(self, info: Info) -> Annotated[TeamMember, strawberry.lazy("schema.team")] | None:
        return await member_of(info, self.set_by_id)  # type: ignore[attr-defined,no-any-return]


@strawberry.type(description="What the rules say, beside any override in force.")
class RulesJudgment:
    grade: Grade = strawberry.field(description="The rules' grade.")  # type: ignore[valid-type]
    value_tier: ValueTier | None = strawberry.field(description="The ABC ranking's tier; null until the portfolio is ranked.")  # type: ignore[valid-type]
    lifecycle_stage: LifecycleStage = strawberry.field(description="The rules' lifecycle stage.")  # type: ignore[valid-type]
    relationship_stage: RelationshipStage = strawberry.field(description="The rules' relationship stage.")  # type: ignore[valid-type]
