"""An account's judgments as clients see them: the grade the rules give it, why, and when it is due a contact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from domain import account as model
from domain import team as team_model
from domain.cadence import cadence_days, days_overdue
from domain.grading import FactorPoints
from domain.judgment import factors_from_document
from domain.policy_version import ScoringPolicyVersion
from resolvers.errors import BadUserInput
from resolvers.judgments import reads
from resolvers.judgments.reads import judgment_of
from resolvers.loaders import by_id
from resolvers.pagination import page_request
from schema.common import Connection, Money, context, today
from schema.enums import AnnualValueSource, Grade, GradeFactor, JudgmentKind, OpportunityStage, TransitionCause

if TYPE_CHECKING:
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
        def money(amount: Decimal | None) -> Money | None:
            return None if amount is None else Money(amount=amount, currency=currency)

        return cls(
            factor=f.factor, points=f.points, max_points=f.max_points, count=f.count, of=f.of, expected=f.expected,
            amount=money(f.amount), target=money(f.target), value_source=f.value_source, stage=f.stage,
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

    @strawberry.field(description="The grade the rules give (the account's `grade` is what a person set).")
    def grade(self) -> Grade:  # type: ignore[valid-type]
        return self.account.judged_grade  # type: ignore[no-any-return]

    @strawberry.field(description="The grade's score, 0-100: the factors' points added up (each factor is shown rounded to two decimals).")
    def score(self) -> float:
        return float(self.account.grade_score)

    @strawberry.field(description="Each factor's points and the evidence behind them.")
    async def factors(self, info: Info) -> list[GradeFactorPoints]:
        found = await judgment_of(context(info), self.account.id)
        if found is None:
            return []
        return [GradeFactorPoints.of_factor(f, self.account.currency) for f in factors_from_document(found.grade_factors)]

    @strawberry.field(description="The version of the scoring policy the judgment came from.")
    def policy_version(self) -> int:
        return self.account.judged_policy_version  # type: ignore[no-any-return]

    @strawberry.field(description="The day of the judgment.")
    def judged_on(self) -> date:
        return self.account.judged_on  # type: ignore[no-any-return]

    @strawberry.field(description="Days between contacts the judged grade expects, under that policy version.")
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
    cause: TransitionCause = strawberry.field(description="The rules, or a person.")  # type: ignore[valid-type]
    policy_version: int | None = strawberry.field(description="RULE: the version of the scoring policy that judged.")
    reason: str | None = strawberry.field(description="PERSON: their reason.")

    @strawberry.field(description="RULE: the score behind the new value.")
    def score(self) -> float | None:
        value = self.score  # type: ignore[attr-defined]
        return None if value is None else float(value)

    @strawberry.field(description="PERSON: who made the change.")
    async def by(self, info: Info) -> Annotated[TeamMember, strawberry.lazy("schema.team")] | None:
        member_id = self.by_id  # type: ignore[attr-defined]
        if member_id is None:
            return None
        return await by_id(context(info), team_model.TeamMember).load(member_id)  # type: ignore[return-value]


async def judgment_history(info: Info, account_id: int, first: int | None, after: str | None, last: int | None, before: str | None) -> Connection[JudgmentTransition]:
    """`Account.judgmentHistory`."""
    ctx = context(info)
    page = page_request(ctx, reads.NEWEST_FIRST, first, after, last, before)
    return Connection(page=await reads.account_transitions(ctx, account_id, page))


async def judged_grade_on(info: Info, account_id: int, day: date) -> model.Grade | None:
    """`Account.judgedGradeOn`: refused for a day after today, which no judgment has reached."""
    if day > today():
        raise BadUserInput("`day` is in the future; the grade of a day to come is not known.", argument="day")
    found = await reads.judged_on_day(context(info), account_id, JudgmentKind.GRADE, day)
    return None if found is None else model.Grade[found]


def account_judgment(root: Any) -> AccountJudgment | None:
    """`Account.judgment`: null until the account is first judged."""
    return None if root.judged_grade is None else AccountJudgment(account=root)
