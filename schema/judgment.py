"""An account's judgments as clients see them: the grade the rules give it, why, and when it is due a contact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from domain.base import today
from domain import account as model
from domain.cadence import cadence_days, days_overdue
from domain.grading import FactorPoints
from domain.account import Grade as GradeModel
from domain.growth import GrowthQuadrant as GrowthQuadrantModel
from domain.health import HealthBand as HealthBandModel
from domain.health import HealthResult
from domain.judgment import JudgmentKind as JudgmentKindModel
from domain.judgment import from_document
from domain.judgment_override import OVERRIDE_VALUES, OverrideKind as OverrideKindModel
from domain.key_account import KeyAccountRecommendation as KeyAccountModel
from domain.lifetime_value import LifetimeValue as LifetimeModel
from domain.policy_version import ScoringPolicyVersion
from resolvers.errors import BadUserInput
from resolvers.judgments import reads
from resolvers.judgments.reads import judgment_of, overrides_of
from schema import judged
from resolvers.loaders import by_id
from resolvers.pagination import page_request
from schema.common import Connection, Money, context, member_of, money
from schema.enums import (
    AnnualValueSource, Grade, GradeFactor, GrowthQuadrant, HealthBand, JudgmentKind, LifecycleStage, OpportunityStage, RelationshipStage, TransitionCause,
    ValueTier,
)

if TYPE_CHECKING:
    from schema.account import Account
    from schema.team import TeamMember


@strawberry.type(description="The points one factor of the grade gave, and the evidence behind them (fields a factor does not use are null).")
class GradeFactorPoints:
    factor: GradeFactor = strawberry.field(description="The factor.")  # type: ignore[valid-type]
    points: float = strawberry.field(description="Points it gave, to two decimals.")
    max_points: int = strawberry.field(description="Points it can give (its weight in the policy).")
    count: int | None = strawberry.field(description="NEED_CLARITY: clear open needs; INTERACTION_FREQUENCY: interactions in 90 days.")
    of: int | None = strawberry.field(description="NEED_CLARITY: open needs.")
    expected: Decimal | None = strawberry.field(description="INTERACTION_FREQUENCY: interactions in 90 days the A cadence asks for.")
    amount: Money | None = strawberry.field(description="VALUE: the value counted.")
    target: Money | None = strawberry.field(description="VALUE: the value that earns all points.")
    value_source: AnnualValueSource | None = strawberry.field(  # type: ignore[valid-type]
        description="VALUE: the trailing twelve months' revenue, or (no revenue history) the value a person entered."
    )
    stage: OpportunityStage | None = strawberry.field(description="SALES_STAGE: the furthest open deal's stage; null if none.")  # type: ignore[valid-type]
    established: bool | None = strawberry.field(description="SALES_STAGE: a repeat customer or closer relationship.")
    credit: Decimal | None = strawberry.field(description="SALES_STAGE: the share of the points earned (0-1).")

    @classmethod
    def of_factor(cls, f: FactorPoints, currency: str) -> GradeFactorPoints:
        return cls(
            factor=f.factor, points=f.points, max_points=f.max_points, count=f.count, of=f.of, expected=f.expected,
            amount=money(f.amount, currency), target=money(f.target, currency), value_source=f.value_source, stage=f.stage,
            established=f.established, credit=f.credit,
        )


@strawberry.type(
    description=(
        "What the rules judge of the account from its evidence, under a version of the scoring policy: kept by every"
        " write that changes the evidence and by `kam recompute` as days pass, never computed by a read."
    )
)
class AccountJudgment:
    account: strawberry.Private[Any]

    async def _in_force(self, info: Info, kind: OverrideKindModel, kept: Any) -> Any:
        """The value in force: an override's while it holds, else the rules' (an override that ended today is
        already over, before the next judgment rewrites the row)."""
        override = (await overrides_of(context(info), self.account.id)).get(kind)
        if override is None:
            return kept
        if override.holds(today()):
            return OVERRIDE_VALUES[kind][override.value]
        if kind is OverrideKindModel.VALUE_TIER:
            return self.account.ranked_value_tier
        found = await judgment_of(context(info), self.account.id)
        rules = None if found is None else getattr(found, f"rule_{kind.name.lower()}")
        return kept if rules is None else OVERRIDE_VALUES[kind][rules]

    @strawberry.field(description="The grade in force: a person's override while it holds, else the rules' (`rules.grade`). The account's `grade` is the label a planner keeps on the record.")
    async def grade(self, info: Info) -> Grade:  # type: ignore[valid-type]
        return await self._in_force(info, OverrideKindModel.GRADE, self.account.judged_grade)  # type: ignore[no-any-return]

    @strawberry.field(description="The value tier in force: an override while it holds, else the ABC ranking's; null until the portfolio is ranked.")
    async def value_tier(self, info: Info) -> ValueTier | None:  # type: ignore[valid-type]
        return await self._in_force(info, OverrideKindModel.VALUE_TIER, self.account.judged_value_tier)  # type: ignore[no-any-return]

    @strawberry.field(description="The lifecycle stage in force: an override while it holds, else the rules' (a churn warning puts a retained account AT_RISK).")
    async def lifecycle_stage(self, info: Info) -> LifecycleStage:  # type: ignore[valid-type]
        return await self._in_force(info, OverrideKindModel.LIFECYCLE_STAGE, self.account.judged_lifecycle_stage)  # type: ignore[no-any-return]

    @strawberry.field(description="The relationship stage in force: an override while it holds, else the rules' (a first won deal makes a prospect FIRST_DEAL).")
    async def relationship_stage(self, info: Info) -> RelationshipStage:  # type: ignore[valid-type]
        return await self._in_force(info, OverrideKindModel.RELATIONSHIP_STAGE, self.account.judged_relationship_stage)  # type: ignore[no-any-return]

    @strawberry.field(description="What the rules say, whatever the overrides.")
    async def rules(self, info: Info) -> judged.RulesJudgment:
        found = await judgment_of(context(info), self.account.id)
        assert found is not None  # written with the row's judgment
        return judged.RulesJudgment(
            grade=GradeModel[found.rule_grade], value_tier=self.account.ranked_value_tier,
            lifecycle_stage=OVERRIDE_VALUES[OverrideKindModel.LIFECYCLE_STAGE][found.rule_lifecycle_stage],
            relationship_stage=OVERRIDE_VALUES[OverrideKindModel.RELATIONSHIP_STAGE][found.rule_relationship_stage],
        )

    @strawberry.field(description="People's overrides in force, by kind.")
    async def overrides(self, info: Info) -> list[judged.JudgmentOverride]:
        found = await overrides_of(context(info), self.account.id)
        return [o for kind in OverrideKindModel if (o := found.get(kind)) is not None and o.holds(today())]  # type: ignore[misc]

    @strawberry.field(description="The rules' grade score, 0-100: the factors' points added up (each factor is shown rounded to two decimals).")
    def score(self) -> float:
        return float(self.account.grade_score)

    @strawberry.field(description="Each factor's points and the evidence behind them.")
    async def factors(self, info: Info) -> list[GradeFactorPoints]:
        found = await judgment_of(context(info), self.account.id)
        if found is None:
            return []
        return [GradeFactorPoints.of_factor(f, self.account.currency) for f in (from_document(FactorPoints, f) for f in found.grade_factors)]

    @strawberry.field(description="The account's health and churn warning, with each factor's points and the factors that lost the most.")
    async def health(self, info: Info) -> judged.Health:
        found = await judgment_of(context(info), self.account.id)
        assert found is not None and found.health is not None
        return judged.Health(result=from_document(HealthResult, found.health), currency=self.account.currency)

    @strawberry.field(description="Whether the rules recommend the account as a key account, and why.")
    async def key_account(self, info: Info) -> judged.KeyAccountRecommendation:
        found = await judgment_of(context(info), self.account.id)
        assert found is not None and found.key_account is not None
        return judged.KeyAccountRecommendation(result=from_document(KeyAccountModel, found.key_account), currency=self.account.currency)

    @strawberry.field(description="What the stages were read from.")
    async def stage_evidence(self, info: Info) -> judged.StageEvidence:
        found = await judgment_of(context(info), self.account.id)
        assert found is not None and found.stages is not None
        return judged.stage_evidence(found.stages)

    @strawberry.field(description="Where the account ranked in the last ABC analysis; null until ranked.")
    def value_tier_ranking(self) -> judged.ValueTierRanking | None:
        a = self.account
        if a.ranked_value_tier is None:
            return None
        return judged.ValueTierRanking(tier=a.ranked_value_tier, rank=a.value_tier_rank, share_before=a.value_tier_share_before, ranked_on=a.value_tier_ranked_on)

    @strawberry.field(description="The lifetime value, historical and predicted; null for an account that never ordered.")
    async def lifetime_value(self, info: Info) -> judged.LifetimeValue | None:
        found = await judgment_of(context(info), self.account.id)
        if found is None or found.lifetime is None:
            return None
        return judged.LifetimeValue(result=from_document(LifetimeModel, found.lifetime), currency=self.account.currency)

    @strawberry.field(description="The version of the scoring policy the judgment came from.")
    def policy_version(self) -> int:
        return self.account.judged_policy_version  # type: ignore[no-any-return]

    @strawberry.field(description="The day of the judgment.")
    def judged_on(self) -> date:
        return self.account.judged_on  # type: ignore[no-any-return]

    @strawberry.field(description="Days between contacts the grade in force expects, under that policy version.")
    async def cadence_days(self, info: Info) -> int:
        version = await by_id(context(info), ScoringPolicyVersion).load(self.account.judged_policy_version)
        assert version is not None  # versions are never deleted
        return cadence_days(self.account.judged_grade, version.policy)

    @strawberry.field(description="The day the next contact is due: a cadence after the last interaction (or after the account was created).")
    def next_contact_due(self) -> date:
        return date.fromordinal(self.account.next_contact_day)

    @strawberry.field(description="Days past the due day today (UTC); 0 when not overdue.")
    def days_overdue(self) -> int:
        return days_overdue(date.fromordinal(self.account.next_contact_day), today())


@strawberry.type(description="A dated change of a judgment: from what to what, on which day, and why.")
class JudgmentTransition:
    """Answered from a `JudgmentTransition` row."""

    kind: JudgmentKind = strawberry.field(description="What changed.")  # type: ignore[valid-type]
    from_value: str | None = strawberry.field(description="The value before (a grade's letter for GRADE); null at the first judgment.")
    to_value: str = strawberry.field(description="The value after.")
    changed_on: date = strawberry.field(description="The business day of the change.")
    cause: TransitionCause = strawberry.field(description="The rules, a person, an override's expiry, or a growth assessment (QUADRANT).")  # type: ignore[valid-type]
    policy_version: int | None = strawberry.field(description="RULE, EXPIRY: the version of the scoring policy that judged.")
    reason: str | None = strawberry.field(description="PERSON: their reason.")

    @strawberry.field(description="RULE: the score behind the new value.")
    def score(self) -> float | None:
        value = self.score  # type: ignore[attr-defined]
        return None if value is None else float(value)

    @strawberry.field(description="PERSON: who made the change; ASSESSMENT: who assessed the account.")
    async def by(self, info: Info) -> Annotated[TeamMember, strawberry.lazy("schema.team")] | None:
        return await member_of(info, self.by_id)  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description="The account whose judgment changed.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]


async def judgment_history(
    info: Info, account_id: int, kinds: list[Any] | None, first: int | None, after: str | None, last: int | None, before: str | None
) -> Connection[JudgmentTransition]:
    """`Account.judgmentHistory`."""
    ctx = context(info)
    page = page_request(ctx, reads.NEWEST_FIRST, first, after, last, before)
    return Connection(page=await reads.account_transitions(ctx, account_id, page, None if kinds is None else frozenset(kinds)))


async def judged_grade_on(info: Info, account_id: int, day: date) -> model.Grade | None:
    """`Account.judgedGradeOn`: refused for a day after today, which no judgment has reached."""
    if day > today():
        raise BadUserInput("`day` is in the future; the grade of a day to come is not known.", argument="day")
    found = await reads.judged_on_day(context(info), account_id, JudgmentKind.GRADE, day)
    return None if found is None else model.Grade[found]


@strawberry.type(description="An account's judgments in force at the end of a past day, as its transitions recorded them; null where not judged by then.")
class PastJudgment:
    values: strawberry.Private[dict[Any, str]]

    def _value(self, kind: Any, enum_class: Any) -> Any:
        found = self.values.get(kind)
        return None if found is None else enum_class[found]

    @strawberry.field(description="The grade in force.")
    def grade(self) -> Grade | None:  # type: ignore[valid-type]
        return self._value(JudgmentKindModel.GRADE, model.Grade)

    @strawberry.field(description="The value tier in force.")
    def value_tier(self) -> ValueTier | None:  # type: ignore[valid-type]
        return self._value(JudgmentKindModel.VALUE_TIER, model.ValueTier)

    @strawberry.field(description="The health band.")
    def health_band(self) -> HealthBand | None:  # type: ignore[valid-type]
        return self._value(JudgmentKindModel.HEALTH_BAND, HealthBandModel)

    @strawberry.field(description="The lifecycle stage in force.")
    def lifecycle_stage(self) -> LifecycleStage | None:  # type: ignore[valid-type]
        return self._value(JudgmentKindModel.LIFECYCLE_STAGE, model.LifecycleStage)

    @strawberry.field(description="The relationship stage in force.")
    def relationship_stage(self) -> RelationshipStage | None:  # type: ignore[valid-type]
        return self._value(JudgmentKindModel.RELATIONSHIP_STAGE, model.RelationshipStage)

    @strawberry.field(description="The growth matrix's quadrant of the latest assessment by then.")
    def quadrant(self) -> GrowthQuadrant | None:  # type: ignore[valid-type]
        return self._value(JudgmentKindModel.QUADRANT, GrowthQuadrantModel)


async def judgment_on(info: Info, account_id: int, day: date) -> PastJudgment:
    """`Account.judgmentOn`: refused for a day after today, which no judgment has reached."""
    if day > today():
        raise BadUserInput("`day` is in the future; the judgments of a day to come are not known.", argument="day")
    return PastJudgment(values=await reads.judgments_on_day(context(info), account_id, day))


def account_judgment(root: Any) -> AccountJudgment | None:
    """`Account.judgment`: null until the account is first judged."""
    return None if root.judged_grade is None else AccountJudgment(account=root)
