"""Accounts: the type with its nested fields, the list with filters and ordering, and mutations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as model
from domain import team as team_model
from resolvers.accounts import mutations, reads
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.filters import any_of, range_of, search_term
from resolvers.ids import argument_id
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.pagination import Order, PageRequest, page_request
from resolvers.team.reads import account_team
from schema import audit as audit_schema
from schema import growth as growth_schema
from schema import interaction as interaction_schema
from schema import judgment as judgment_schema
from schema import opportunity as opportunity_schema
from schema import need as need_schema
from schema import plan as plan_schema
from schema import revenue as revenue_schema
from schema.common import (
    After,
    Before,
    Connection,
    DateRange,
    DecimalRange,
    DeletePayload,
    FILTER,
    First,
    IS_NOT_NULL,
    IntRange,
    Last,
    Money,
    ORDER,
    ObjectId,
    SORT,
    SortDirection,
    UserError,
    context,
    logic_of,
    logical,
    money,
    mutate,
    null_checks_of,
    order_of,
    provided,
    user_errors,
)
from schema.enums import (
    Grade,
    GrowthQuadrant,
    HealthBand,
    JudgmentKind,
    LifecycleStage,
    RelationshipStage,
    TeamRole,
    ValueTier,
)
from schema.node import node_type
from schema.relationship_map import RelationshipMap, account_relationship_map
from schema.stakeholder import (
    Stakeholder,
    StakeholderFilter,
    StakeholderOrder,
    stakeholder_connection,
)
from schema.team import AccountTeamMembership, TeamMember


@node_type(model.Account, description="A key account: a customer organisation we manage as a whole.")
class Account(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The customer's name.")
    industry: str | None = strawberry.field(description="Industry the customer is in.")
    region: str | None = strawberry.field(description="Sales region.")
    website: str | None = strawberry.field(description="The customer's website.")
    grade: Grade = strawberry.field(description="A/B/C/D grade.")  # type: ignore[valid-type]
    value_tier: ValueTier = strawberry.field(description="Value tier by revenue contribution.")  # type: ignore[valid-type]
    is_key_account: bool = strawberry.field(description="Whether the account is managed as a key account.")
    relationship_stage: RelationshipStage = strawberry.field(description="How close the relationship is.")  # type: ignore[valid-type]
    lifecycle_stage: LifecycleStage = strawberry.field(description="Where the customer is in its lifecycle.")  # type: ignore[valid-type]
    quadrant: GrowthQuadrant | None = strawberry.field(  # type: ignore[valid-type]
        description="Quadrant of the latest growth assessment; null before the first one."
    )
    archived_at: datetime | None = strawberry.field(description="When the account was archived (UTC); null if active.")
    created_at: datetime = strawberry.field(description="When the account was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the account was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(
        description=(
            "What the customer buys from us per year: the trailing twelve months of its revenue records where they"
            " exist, else the value a person entered (`currentAnnualValueSource` says which)."
        )
    )
    def current_annual_value(self) -> Money:
        return money(self.current_annual_value, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The annual value a person entered; the current annual value unless revenue records exist.")
    def entered_annual_value(self) -> Money:
        return money(self.entered_annual_value, self.currency)  # type: ignore[attr-defined,return-value]

    current_annual_value_source = strawberry.field(
        resolver=revenue_schema.annual_value_source,
        description="Where `currentAnnualValue` comes from: ENTERED, or TRAILING_TWELVE_MONTHS of revenue records where they exist.",
    )
    revenue = strawberry.field(
        resolver=revenue_schema.account_revenue,
        description="What the account bought: trailing twelve months, RFM, margin to date, revenue per period, the records.",
    )

    @strawberry.field(description="What the customer spends in our field per year, with us and with others.")
    def estimated_wallet(self) -> Money:
        return money(self.estimated_wallet, self.currency)  # type: ignore[attr-defined,return-value]

    strategic_fit: int | None = strawberry.field(
        description="A planner's rating of how well the account fits our strategy, 1-5 (null: not rated): an input of the key-account recommendation."
    )

    @strawberry.field(description="How recently and how often we interacted with the account (anyone, anyone of theirs).")
    def interaction_recency(self) -> interaction_schema.InteractionRecency:
        return interaction_schema.recency_of(self)  # type: ignore[arg-type]

    @strawberry.field(description="The grade the rules judge from the evidence, why, and when a contact is due; null until judged.")
    def judgment(self) -> judgment_schema.AccountJudgment | None:
        return judgment_schema.account_judgment(self)

    @strawberry.field(description="Every change of the account's judgments in force (grade, value tier, health band, stages, quadrant), newest first.")
    async def judgment_history(
        self,
        info: Info,
        kinds: Annotated[list[JudgmentKind] | None, strawberry.argument(description="Only changes of these kinds.")] = None,  # type: ignore[valid-type]
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[judgment_schema.JudgmentTransition]:
        return await judgment_schema.judgment_history(info, self.id, kinds, first, after, last, before)  # type: ignore[attr-defined]

    @strawberry.field(description="The grade the rules judged the account on a past day (at its end); null if not judged by then.")
    async def judged_grade_on(
        self, info: Info, day: Annotated[date, strawberry.argument(description="A day, not after today (UTC).")]
    ) -> Grade | None:  # type: ignore[valid-type]
        return await judgment_schema.judged_grade_on(info, self.id, day)  # type: ignore[attr-defined]

    @strawberry.field(description="The account's judgments (grade, value tier, health band, stages, quadrant) in force at the end of a past day.")
    async def judgment_on(
        self, info: Info, day: Annotated[date, strawberry.argument(description="A day, not after today (UTC).")]
    ) -> judgment_schema.PastJudgment:
        return await judgment_schema.judgment_on(info, self.id, day)  # type: ignore[attr-defined]

    @strawberry.field(description="The team member who owns the account.")
    async def owner(self, info: Info) -> TeamMember | None:
        if self.owner_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), team_model.TeamMember).load(self.owner_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Our people working on this account and their roles.")
    async def team(self, info: Info) -> list[AccountTeamMembership]:
        return await account_team(context(info), self.id)  # type: ignore[return-value]

    @strawberry.field(description="People at the customer, filtered and ordered (by name unless told otherwise).")
    async def stakeholders(
        self,
        info: Info,
        filter: Annotated[StakeholderFilter | None, FILTER] = None,
        order_by: Annotated[StakeholderOrder | None, ORDER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        sort: Annotated[list[StakeholderOrder] | None, SORT] = None,
    ) -> Connection[Stakeholder]:
        return await stakeholder_connection(info, self.id, filter, order_by, first, after, last, before, sort)

    @strawberry.field(description="The account's relationship map: stakeholders, org chart, influence lines, coverage and gaps.")
    async def relationship_map(self, info: Info) -> RelationshipMap:
        return await account_relationship_map(info, self)  # type: ignore[arg-type]

    needs = strawberry.field(
        resolver=need_schema.account_needs,
        description="The account's needs, filtered and ordered (most urgent first unless told otherwise).",
    )
    four_seasons = strawberry.field(
        resolver=need_schema.account_four_seasons,
        description="The four-seasons table: Q1 to Q4, each with the account's open needs peaking in that quarter.",
    )
    growth_history = strawberry.field(
        resolver=growth_schema.account_growth_history,
        description="The account's growth assessments, newest first (by assessment date, then by when recorded).",
    )
    latest_assessment = strawberry.field(
        resolver=growth_schema.account_latest_assessment,
        description="The assessment that places the account on the growth matrix now; null before the first one.",
    )
    plans = strawberry.field(
        resolver=plan_schema.account_plans,
        description="The account's plans, the one that starts latest first.",
    )
    opportunities = strawberry.field(
        resolver=opportunity_schema.account_opportunities,
        description="The account's deals, the newest first unless told otherwise.",
    )
    interactions = strawberry.field(
        resolver=interaction_schema.account_interactions,
        description="The account's interactions, newest first unless told otherwise.",
    )
    history = strawberry.field(
        resolver=audit_schema.account_history,
        description=(
            "What was done to the account and everything in it, newest first: one audit event per object "
            "a mutation created, changed or deleted."
        ),
    )


@strawberry.enum(description="What the account list can be ordered by.")
class AccountOrderField(enum.Enum):
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"
    CURRENT_ANNUAL_VALUE = "CURRENT_ANNUAL_VALUE"
    GRADE = "GRADE"
    LAST_INTERACTION = "LAST_INTERACTION"
    INTERACTIONS_LAST_90_DAYS = "INTERACTIONS_LAST_90_DAYS"
    NEXT_CONTACT_DUE = "NEXT_CONTACT_DUE"


@strawberry.input(description="Ordering of the account list; ties are broken by creation order.")
class AccountOrder:
    field: AccountOrderField = strawberry.field(
        description=(
            "What to order by. LAST_INTERACTION orders by the day of the last interaction (accounts never contacted"
            " first when ascending); INTERACTIONS_LAST_90_DAYS by `interactionRecency.last90Days`; NEXT_CONTACT_DUE by"
            " `judgment.nextContactDue` (accounts not judged yet first when ascending)."
        )
    )
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Ascending or descending.")

    def to_order(self) -> Order:
        return Order(reads.AccountSort[self.field.name].value, self.direction is SortDirection.DESC)


AccountValue = strawberry.enum(reads.AccountValue, description="A value an account may lack, for `isNull` and `isNotNull`.")


@strawberry.input(
    description=(
        "Which accounts to take; every given condition must hold, list values mean any of. `and`, `or` and `not`"
        " combine whole filters (at most 4 levels deep, 20 filters each)."
    )
)
@logical
class AccountFilter:
    grades: list[Grade] | None = strawberry.field(default=None, description="Any of these grades.")  # type: ignore[valid-type]
    value_tiers: list[ValueTier] | None = strawberry.field(default=None, description="Any of these value tiers.")  # type: ignore[valid-type]
    quadrants: list[GrowthQuadrant] | None = strawberry.field(default=None, description="Latest growth quadrant is any of these.")  # type: ignore[valid-type]
    lifecycle_stages: list[LifecycleStage] | None = strawberry.field(default=None, description="Any of these lifecycle stages.")  # type: ignore[valid-type]
    relationship_stages: list[RelationshipStage] | None = strawberry.field(default=None, description="Any of these relationship stages.")  # type: ignore[valid-type]
    owner_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Owned by any of these team members.")
    industries: list[str] | None = strawberry.field(default=None, description="In any of these industries (exact match).")
    regions: list[str] | None = strawberry.field(default=None, description="In any of these regions (exact match).")
    is_key_account: bool | None = strawberry.field(default=None, description="Only key accounts (true) or only others (false).")
    search: str | None = strawberry.field(default=None, description="Part of the account name, case-insensitive.")
    last_interaction_before: date | None = strawberry.field(
        default=None,
        description="No interaction on or after this day (UTC): not contacted since; accounts never contacted are included.",
    )
    last_interaction_since: date | None = strawberry.field(default=None, description="At least one interaction on or after this day (UTC).")
    judged_grades: list[Grade] | None = strawberry.field(default=None, description="The grade in force is any of these (`judgment.grade`: an override's while it holds, else the rules').")  # type: ignore[valid-type]
    judged_value_tiers: list[ValueTier] | None = strawberry.field(default=None, description="The value tier in force is any of these (`judgment.valueTier`).")  # type: ignore[valid-type]
    health_bands: list[HealthBand] | None = strawberry.field(default=None, description="The health band is any of these (`judgment.health.band`); AT_RISK: a churn warning.")  # type: ignore[valid-type]
    key_account_recommended: bool | None = strawberry.field(default=None, description="Only accounts the rules recommend as key accounts (true) or only others (false).")
    contact_overdue_on: date | None = strawberry.field(
        default=None,
        description="Overdue for contact on this day: the next contact (`judgment.nextContactDue`) was due before it.",
    )
    include_archived: bool = strawberry.field(
        default=False, description="Also list archived accounts; only on the filter as a whole, not inside `and`, `or` or `not`."
    )
    current_annual_value: DecimalRange | None = strawberry.field(default=None, description="`currentAnnualValue.amount` within these bounds.")
    health_score: DecimalRange | None = strawberry.field(default=None, description="`judgment.health.score` within these bounds (accounts not judged yet never are).")
    interactions_last_90_days: IntRange | None = strawberry.field(default=None, description="`interactionRecency.last90Days` within these bounds.")
    created_on: DateRange | None = strawberry.field(default=None, description="Created on a UTC day within these bounds.")
    is_null: list[AccountValue] | None = strawberry.field(default=None, description="Lacking every one of these values (LAST_INTERACTION: never contacted).")  # type: ignore[valid-type]
    is_not_null: list[AccountValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.AccountFilter:
        """The filter as the reads take it; BAD_USER_INPUT names the argument at fault (`filter.or[1].grades`)."""
        if depth and self.include_archived:
            raise BadUserInput(f"`{path}.includeArchived` applies to the filter as a whole only.", argument=f"{path}.includeArchived")
        return reads.AccountFilter(
            grades=any_of(self.grades, f"{path}.grades"),
            value_tiers=any_of(self.value_tiers, f"{path}.valueTiers"),
            quadrants=any_of(self.quadrants, f"{path}.quadrants"),
            lifecycle_stages=any_of(self.lifecycle_stages, f"{path}.lifecycleStages"),
            relationship_stages=any_of(self.relationship_stages, f"{path}.relationshipStages"),
            owner_ids=tuple(argument_id(i, "TeamMember", f"{path}.ownerIds") for i in any_of(self.owner_ids, f"{path}.ownerIds")),
            industries=any_of(self.industries, f"{path}.industries"),
            regions=any_of(self.regions, f"{path}.regions"),
            is_key_account=self.is_key_account,
            search=search_term(self.search, f"{path}.search"),
            last_interaction_before=self.last_interaction_before,
            last_interaction_since=self.last_interaction_since,
            judged_grades=any_of(self.judged_grades, f"{path}.judgedGrades"),
            judged_value_tiers=any_of(self.judged_value_tiers, f"{path}.judgedValueTiers"),
            health_bands=any_of(self.health_bands, f"{path}.healthBands"),
            key_account_recommended=self.key_account_recommended,
            contact_overdue_on=self.contact_overdue_on,
            include_archived=self.include_archived,
            current_annual_value=range_of(self.current_annual_value),
            health_score=range_of(self.health_score),
            interactions_90d=range_of(self.interactions_last_90_days),
            created_on=range_of(self.created_on),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


# The argument of boards and aggregates across accounts: which accounts' rows they take.
AccountsOf = Annotated[
    AccountFilter | None,
    strawberry.argument(
        description="Only rows of the accounts matching it (archived ones too when left out); the caller's access always applies."
    ),
]


def accounts_criteria(accounts: AccountFilter | None) -> reads.AccountFilter | None:
    """An `accounts:` argument as the reads take it; None (every account, archived too) when left out."""
    return None if accounts is None else accounts.to_criteria("accounts")


def account_list_request(
    ctx: RequestContext,
    filter: AccountFilter | None = None,
    order_by: AccountOrder | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    sort: list[AccountOrder] | None = None,
) -> tuple[reads.AccountFilter, Order, PageRequest]:
    """The account list's arguments as the reads take them (BAD_USER_INPUT for a bad page or cursor)."""
    order = order_of(order_by, sort, AccountOrder(field=AccountOrderField.NAME).to_order())
    page = page_request(ctx, order, first, after, last, before)
    return (filter or AccountFilter()).to_criteria(), order, page


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Accounts, filtered and ordered (by name unless told otherwise); archived ones are left out unless asked for.")
    async def accounts(
        self,
        info: Info,
        filter: Annotated[AccountFilter | None, FILTER] = None,
        order_by: Annotated[AccountOrder | None, ORDER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        sort: Annotated[list[AccountOrder] | None, SORT] = None,
    ) -> Connection[Account]:
        ctx = context(info)
        criteria, order, page = account_list_request(ctx, filter, order_by, first, after, last, before, sort)
        return Connection(page=await reads.list_accounts(ctx, criteria, order, page))

    @strawberry.field(description="One account by ID, archived or not; null if it does not exist.")
    async def account(self, info: Info, id: ObjectId) -> Account | None:
        return await reads.account_by_id(context(info), argument_id(id, "Account", "id"))  # type: ignore[return-value]


@strawberry.input(description="A new account.")
class AccountCreateInput:
    name: str = strawberry.field(description="The customer's name; not blank.")
    grade: Grade = strawberry.field(description="A/B/C/D grade.")  # type: ignore[valid-type]
    value_tier: ValueTier = strawberry.field(description="Value tier.")  # type: ignore[valid-type]
    relationship_stage: RelationshipStage = strawberry.field(default=model.RelationshipStage.PROSPECT, description="How close the relationship is.")  # type: ignore[valid-type]
    lifecycle_stage: LifecycleStage = strawberry.field(default=model.LifecycleStage.ACQUISITION, description="Lifecycle stage.")  # type: ignore[valid-type]
    is_key_account: bool = strawberry.field(default=False, description="Manage as a key account.")
    industry: str | None = strawberry.field(default=None, description="Industry.")
    region: str | None = strawberry.field(default=None, description="Sales region.")
    website: str | None = strawberry.field(default=None, description="Website.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="The owning team member; also put on the account team as OWNER.")
    current_annual_value: Decimal = strawberry.field(default=Decimal(0), description="What the customer buys from us per year.")
    estimated_wallet: Decimal = strawberry.field(default=Decimal(0), description="The customer's yearly spend in our field.")
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code of both amounts; the server's default currency if null.")
    strategic_fit: int | None = strawberry.field(default=None, description="How well the account fits our strategy, 1-5; null: not rated.")


@strawberry.input(description="Changes to an account; fields left out stay as they are.")
class AccountUpdateInput:
    id: strawberry.ID = strawberry.field(description="The account to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="The customer's name; not blank.")
    grade: Grade | None = strawberry.field(default=strawberry.UNSET, description="A/B/C/D grade.")  # type: ignore[valid-type]
    value_tier: ValueTier | None = strawberry.field(default=strawberry.UNSET, description="Value tier.")  # type: ignore[valid-type]
    relationship_stage: RelationshipStage | None = strawberry.field(default=strawberry.UNSET, description="How close the relationship is.")  # type: ignore[valid-type]
    lifecycle_stage: LifecycleStage | None = strawberry.field(default=strawberry.UNSET, description="Lifecycle stage.")  # type: ignore[valid-type]
    is_key_account: bool | None = strawberry.field(default=strawberry.UNSET, description="Manage as a key account.")
    industry: str | None = strawberry.field(default=strawberry.UNSET, description="Industry; null clears it.")
    region: str | None = strawberry.field(default=strawberry.UNSET, description="Sales region; null clears it.")
    website: str | None = strawberry.field(default=strawberry.UNSET, description="Website; null clears it.")
    owner_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The owning team member; null clears it.")
    current_annual_value: Decimal | None = strawberry.field(default=strawberry.UNSET, description="What the customer buys from us per year.")  # type: ignore[name-defined]
    estimated_wallet: Decimal | None = strawberry.field(default=strawberry.UNSET, description="The customer's yearly spend in our field.")  # type: ignore[name-defined]
    currency: str | None = strawberry.field(default=strawberry.UNSET, description="ISO 4217 code of both amounts.")
    strategic_fit: int | None = strawberry.field(default=strawberry.UNSET, description="How well the account fits our strategy, 1-5; null clears it.")


@strawberry.input(description="The account to archive or restore.")
class AccountArchiveInput:
    id: strawberry.ID = strawberry.field(description="The account.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")


@strawberry.input(description="The account to delete for good, with everything that belongs to it.")
class AccountDeleteInput:
    id: strawberry.ID = strawberry.field(description="The account.")


@strawberry.input(description="Put a team member on an account's team, or change their role on it.")
class AccountTeamMemberSetInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    member_id: strawberry.ID = strawberry.field(description="The team member.")
    team_role: TeamRole = strawberry.field(description="Their role on this account.")  # type: ignore[valid-type]


@strawberry.input(description="Take a team member off an account's team.")
class AccountTeamMemberRemoveInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    member_id: strawberry.ID = strawberry.field(description="The team member.")


@strawberry.type(description="Result of an account mutation.")
class AccountPayload:
    account: Account | None = strawberry.field(description="The account as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def account_payload(outcome: Outcome[model.Account]) -> AccountPayload:
    return AccountPayload(account=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Create an account.")
    async def account_create(self, info: Info, input: AccountCreateInput) -> AccountPayload:
        ctx, data = context(info), provided(input)
        return account_payload(await mutate(info, lambda s: mutations.create_account(s, data, ctx.config.default_currency)))

    @strawberry.mutation(description="Change an account.")
    async def account_update(self, info: Info, input: AccountUpdateInput) -> AccountPayload:
        ctx, data = context(info), provided(input)
        return account_payload(await mutate(info, lambda s: mutations.update_account(s, data, ctx.config.default_currency)))

    @strawberry.mutation(description="Archive an account: it leaves lists and the matrix, keeps all its data, and can be restored.")
    async def account_archive(self, info: Info, input: AccountArchiveInput) -> AccountPayload:
        return account_payload(await mutate(info, lambda s: mutations.archive_account(s, input.id, input.version, True)))

    @strawberry.mutation(description="Restore an archived account.")
    async def account_restore(self, info: Info, input: AccountArchiveInput) -> AccountPayload:
        return account_payload(await mutate(info, lambda s: mutations.archive_account(s, input.id, input.version, False)))

    @strawberry.mutation(
        description=(
            "Hard delete, ADMINs only: remove an account for good, in one transaction with everything that belongs "
            "to it (stakeholders with their influence links and coverage, needs, growth assessments, plans with "
            "their objectives and actions, the account team). It cannot be undone; the usual way to retire an "
            "account is `accountArchive`, which keeps everything and can be restored. The audit trail keeps the "
            "account's history and records what the delete removed."
        )
    )
    async def account_delete(self, info: Info, input: AccountDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_account(s, input.id)))

    @strawberry.mutation(description="Put a team member on an account's team, or change their role on it.")
    async def account_team_member_set(self, info: Info, input: AccountTeamMemberSetInput) -> AccountPayload:
        return account_payload(
            await mutate(info, lambda s: mutations.set_team_member(s, input.account_id, input.member_id, input.team_role))
        )

    @strawberry.mutation(description="Take a team member off an account's team.")
    async def account_team_member_remove(self, info: Info, input: AccountTeamMemberRemoveInput) -> AccountPayload:
        return account_payload(
            await mutate(info, lambda s: mutations.remove_team_member(s, input.account_id, input.member_id))
        )
