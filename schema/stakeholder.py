"""Stakeholders, the influence links between them and our coverage of them: types, list, mutations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as account_model
from domain import stakeholder as model
from domain import team as team_model
from resolvers.filters import any_of, range_of, search_term
from resolvers.context import RequestContext
from resolvers.ids import argument_id
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.pagination import Order, PageRequest, page_request
from resolvers.stakeholders import mutations, reads
from schema.common import (
    Connection,
    DateRange,
    DeletePayload,
    IS_NOT_NULL,
    IS_NULL,
    ObjectId,
    SortDirection,
    UserError,
    context,
    logic_of,
    logical,
    mutate,
    null_checks_of,
    order_of,
    provided,
    user_errors,
)
from schema.enums import (
    Attitude,
    BuyingRole,
    CoverageStrength,
    DecisionLevel,
    Influence,
    LinkStrength,
)
from schema.interaction import InteractionRecency, recency_of, stakeholder_interactions
from schema.node import node_type
from schema.team import TeamMember

if TYPE_CHECKING:
    from schema.stakeholder_facts import StakeholderFact
    from schema.account import Account
    from schema.need import Need


async def _buying_roles(root: model.Stakeholder, info: Info) -> list[BuyingRole]:  # type: ignore[valid-type]
    """`Stakeholder.buyingRoles`: read only when asked, with every other stakeholder's of the request."""
    return await reads.buying_roles(context(info), root.id)


@node_type(model.Stakeholder, description="A person at the customer and their place in the buying decision.")
class Stakeholder(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Full name.")
    title: str | None = strawberry.field(description="Job title.")
    department: str | None = strawberry.field(description="Department or business unit.")
    email: str | None = strawberry.field(description="Email address, lower case.")
    phone: str | None = strawberry.field(description="Phone number as entered.")
    buying_roles: list[BuyingRole] = strawberry.field(  # type: ignore[valid-type]
        resolver=_buying_roles,
        description="Roles this person plays in the buying decision, in the enum's order; may be empty.",
    )
    attitude: Attitude = strawberry.field(description="Attitude toward us.")  # type: ignore[valid-type]
    influence: Influence = strawberry.field(description="How much weight this person carries in the decision.")  # type: ignore[valid-type]
    decision_level: DecisionLevel = strawberry.field(description="Level in the customer's organisation.")  # type: ignore[valid-type]
    buying_motive: str | None = strawberry.field(description="What this person personally wants to win.")
    created_at: datetime = strawberry.field(description="When the stakeholder was added (UTC).")
    updated_at: datetime = strawberry.field(description="When the stakeholder was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(description="The account this person works at.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The stakeholder this person reports to in the org chart; null at the top.")
    async def manager(self, info: Info) -> Stakeholder | None:
        return await reads.stakeholder_by_id(context(info), self.reports_to_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The stakeholders who report to this person, by name.")
    async def direct_reports(self, info: Info) -> list[Stakeholder]:
        return await reads.direct_reports(context(info), self.id)  # type: ignore[return-value]

    @strawberry.field(description="Influence lines from this person to others (this person sways them).")
    async def influences(self, info: Info) -> list[InfluenceLink]:
        return await reads.influences(context(info), self.id)  # type: ignore[return-value]

    @strawberry.field(description="Influence lines from others to this person (they sway this person).")
    async def influenced_by(self, info: Info) -> list[InfluenceLink]:
        return await reads.influenced_by(context(info), self.id)  # type: ignore[return-value]

    @strawberry.field(description="Which of our people know this person, and how well.")
    async def coverage(self, info: Info) -> list[Coverage]:
        return await reads.coverage(context(info), self.id)  # type: ignore[return-value]

    @strawberry.field(description="Each fact the map holds about this person (attitude, influence, roles, level, manager) and where it came from.")
    async def facts(self, info: Info) -> list[Annotated[StakeholderFact, strawberry.lazy("schema.stakeholder_facts")]]:
        from schema.stakeholder_facts import stakeholder_facts

        return await stakeholder_facts(self, info)

    @strawberry.field(description="How recently and how often we interacted with this person.")
    def interaction_recency(self) -> InteractionRecency:
        return recency_of(self)  # type: ignore[arg-type]

    interactions = strawberry.field(
        resolver=stakeholder_interactions,
        description="The interactions this person took part in, newest first unless told otherwise.",
    )

    @strawberry.field(description="The needs this person holds, oldest first.")
    async def needs(self, info: Info) -> list[Annotated[Need, strawberry.lazy("schema.need")]]:
        return await reads.needs(context(info), self.id)


@node_type(model.InfluenceLink, description="\"Source influences target\": a line of influence that cuts across the org chart.")
class InfluenceLink(relay.Node):
    id: relay.NodeID[int]
    strength: LinkStrength = strawberry.field(description="How strongly the source sways the target.")  # type: ignore[valid-type]

    @strawberry.field(description="The stakeholder who exerts the influence.")
    async def source(self, info: Info) -> Stakeholder:
        return await by_id(context(info), model.Stakeholder).load(self.source_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The stakeholder who is influenced.")
    async def target(self, info: Info) -> Stakeholder:
        return await by_id(context(info), model.Stakeholder).load(self.target_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The account both stakeholders belong to.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]


@node_type(model.Coverage, description="How well one of our people knows one stakeholder; one per pair.")
class Coverage(relay.Node):
    id: relay.NodeID[int]
    strength: CoverageStrength = strawberry.field(description="How well our person knows the stakeholder; NONE counts as not covered.")  # type: ignore[valid-type]
    last_interaction_at: datetime | None = strawberry.field(
        description="The last interaction both our member and the stakeholder took part in (UTC); null if none."
    )

    @strawberry.field(description="Our team member.")
    async def member(self, info: Info) -> TeamMember:
        return await by_id(context(info), team_model.TeamMember).load(self.member_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The stakeholder at the customer.")
    async def stakeholder(self, info: Info) -> Stakeholder:
        return await by_id(context(info), model.Stakeholder).load(self.stakeholder_id)  # type: ignore[attr-defined,return-value]


@strawberry.enum(description="What an account's stakeholder list can be ordered by.")
class StakeholderOrderField(enum.Enum):
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"


@strawberry.input(description="Ordering of a stakeholder list; ties are broken by creation order.")
class StakeholderOrder:
    field: StakeholderOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Ascending or descending.")

    def to_order(self) -> Order:
        return Order(reads.StakeholderSort[self.field.name].value, self.direction is SortDirection.DESC)


StakeholderValue = strawberry.enum(reads.StakeholderValue, description="A value a stakeholder may lack, for `isNull` and `isNotNull`.")


@strawberry.input(description="Which stakeholders to list; every given condition must hold, list values mean any of.")
@logical
class StakeholderFilter:
    buying_roles: list[BuyingRole] | None = strawberry.field(default=None, description="Holds at least one of these buying roles.")  # type: ignore[valid-type]
    attitudes: list[Attitude] | None = strawberry.field(default=None, description="Any of these attitudes.")  # type: ignore[valid-type]
    influences: list[Influence] | None = strawberry.field(default=None, description="Any of these influence levels.")  # type: ignore[valid-type]
    decision_levels: list[DecisionLevel] | None = strawberry.field(default=None, description="Any of these decision levels.")  # type: ignore[valid-type]
    search: str | None = strawberry.field(default=None, description="Part of the name, case-insensitive.")
    created_on: DateRange | None = strawberry.field(default=None, description="`createdAt` on a day within these bounds (UTC).")
    is_null: list[StakeholderValue] | None = strawberry.field(default=None, description=IS_NULL)  # type: ignore[valid-type]
    is_not_null: list[StakeholderValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.StakeholderFilter:
        return reads.StakeholderFilter(
            buying_roles=any_of(self.buying_roles, f"{path}.buyingRoles"),
            attitudes=any_of(self.attitudes, f"{path}.attitudes"),
            influences=any_of(self.influences, f"{path}.influences"),
            decision_levels=any_of(self.decision_levels, f"{path}.decisionLevels"),
            search=search_term(self.search, f"{path}.search"),
            created_on=range_of(self.created_on),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


async def stakeholder_connection(
    info: Info,
    account_id: int,
    filter: StakeholderFilter | None,
    order_by: StakeholderOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    sort: list[StakeholderOrder] | None = None,
) -> Connection[Stakeholder]:
    """`Account.stakeholders`: one account's page, batched with every other account on the page."""
    ctx = context(info)
    criteria, order, page = stakeholder_list_request(ctx, filter, order_by, first, after, last, before, sort)
    return Connection(page=await reads.account_stakeholders(ctx, account_id, criteria, order, page))


def stakeholder_list_request(
    ctx: RequestContext,
    filter: StakeholderFilter | None = None,
    order_by: StakeholderOrder | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    sort: list[StakeholderOrder] | None = None,
) -> tuple[reads.StakeholderFilter, Order, PageRequest]:
    """`Account.stakeholders`' arguments as the reads take them (BAD_USER_INPUT for a bad page or cursor)."""
    order = order_of(order_by, sort, reads.BY_NAME)
    page = page_request(ctx, order, first, after, last, before)
    return (filter or StakeholderFilter()).to_criteria(), order, page


@strawberry.type
class StakeholderQuery:
    @strawberry.field(description="One stakeholder by ID; null if it does not exist.")
    async def stakeholder(self, info: Info, id: ObjectId) -> Stakeholder | None:
        return await reads.visible_stakeholder(context(info), argument_id(id, "Stakeholder", "id"))  # type: ignore[return-value]


@strawberry.input(description="A new stakeholder at an account.")
class StakeholderCreateInput:
    account_id: strawberry.ID = strawberry.field(description="The account the person works at; not archived.")
    name: str = strawberry.field(description="Full name; not blank.")
    title: str | None = strawberry.field(default=None, description="Job title.")
    department: str | None = strawberry.field(default=None, description="Department or business unit.")
    email: str | None = strawberry.field(default=None, description="Email address.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    buying_roles: list[BuyingRole] = strawberry.field(default_factory=list, description="Roles in the buying decision.")  # type: ignore[valid-type]
    attitude: Attitude = strawberry.field(default=model.Attitude.NEUTRAL, description="Attitude toward us.")  # type: ignore[valid-type]
    influence: Influence = strawberry.field(default=model.Influence.MEDIUM, description="Weight in the decision.")  # type: ignore[valid-type]
    decision_level: DecisionLevel = strawberry.field(default=model.DecisionLevel.STAFF, description="Level in the organisation.")  # type: ignore[valid-type]
    buying_motive: str | None = strawberry.field(default=None, description="What the person personally wants to win.")
    reports_to_id: strawberry.ID | None = strawberry.field(default=None, description="The stakeholder of the same account this person reports to.")


@strawberry.input(description="Changes to a stakeholder; fields left out stay as they are, null clears optional ones.")
class StakeholderUpdateInput:
    id: strawberry.ID = strawberry.field(description="The stakeholder to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Full name; not blank.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Job title; null clears it.")
    department: str | None = strawberry.field(default=strawberry.UNSET, description="Department; null clears it.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Email address; null clears it.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone number; null clears it.")
    buying_roles: list[BuyingRole] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Replaces all buying roles; pass an empty list to remove them all."
    )
    attitude: Attitude | None = strawberry.field(default=strawberry.UNSET, description="Attitude toward us.")  # type: ignore[valid-type]
    influence: Influence | None = strawberry.field(default=strawberry.UNSET, description="Weight in the decision.")  # type: ignore[valid-type]
    decision_level: DecisionLevel | None = strawberry.field(default=strawberry.UNSET, description="Level in the organisation.")  # type: ignore[valid-type]
    buying_motive: str | None = strawberry.field(default=strawberry.UNSET, description="What the person wants to win; null clears it.")
    reports_to_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The stakeholder this person reports to: same account, no loops (CYCLE); null clears it.",
    )


@strawberry.input(description="The stakeholder to delete; their direct reports then report to nobody.")
class StakeholderDeleteInput:
    id: strawberry.ID = strawberry.field(description="The stakeholder.")


@strawberry.input(description="Place a stakeholder in the org chart.")
class StakeholderSetReportsToInput:
    stakeholder_id: strawberry.ID = strawberry.field(description="The stakeholder to move.")
    reports_to_id: strawberry.ID | None = strawberry.field(
        default=None, description="The new manager: same account, no loops (CYCLE); null puts the person at the top."
    )
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")


@strawberry.input(description="A new line of influence between two stakeholders of one account.")
class InfluenceLinkAddInput:
    source_id: strawberry.ID = strawberry.field(description="The stakeholder who influences.")
    target_id: strawberry.ID = strawberry.field(description="The stakeholder who is influenced; another person of the same account.")
    strength: LinkStrength = strawberry.field(description="How strongly the source sways the target.")  # type: ignore[valid-type]


@strawberry.input(description="A new strength for an influence link.")
class InfluenceLinkUpdateInput:
    id: strawberry.ID = strawberry.field(description="The influence link.")
    strength: LinkStrength = strawberry.field(description="How strongly the source sways the target.")  # type: ignore[valid-type]


@strawberry.input(description="The influence link to remove.")
class InfluenceLinkRemoveInput:
    id: strawberry.ID = strawberry.field(description="The influence link.")


@strawberry.input(description="How well one of our people knows a stakeholder; sets or replaces the one value for the pair.")
class CoverageSetInput:
    member_id: strawberry.ID = strawberry.field(description="Our team member.")
    stakeholder_id: strawberry.ID = strawberry.field(description="The stakeholder.")
    strength: CoverageStrength = strawberry.field(description="How well the member knows the stakeholder.")  # type: ignore[valid-type]


@strawberry.input(description="The coverage to remove.")
class CoverageRemoveInput:
    id: strawberry.ID = strawberry.field(description="The coverage.")


@strawberry.type(description="Result of a stakeholder mutation.")
class StakeholderPayload:
    stakeholder: Stakeholder | None = strawberry.field(description="The stakeholder as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="Result of an influence-link mutation.")
class InfluenceLinkPayload:
    influence_link: InfluenceLink | None = strawberry.field(description="The link as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="Result of a coverage mutation.")
class CoveragePayload:
    coverage: Coverage | None = strawberry.field(description="The coverage as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _stakeholder(outcome: Outcome[model.Stakeholder]) -> StakeholderPayload:
    return StakeholderPayload(stakeholder=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


def _link(outcome: Outcome[model.InfluenceLink]) -> InfluenceLinkPayload:
    return InfluenceLinkPayload(influence_link=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


def _coverage(outcome: Outcome[model.Coverage]) -> CoveragePayload:
    return CoveragePayload(coverage=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


@strawberry.type
class StakeholderMutation:
    @strawberry.mutation(description="Add a stakeholder to an account.")
    async def stakeholder_create(self, info: Info, input: StakeholderCreateInput) -> StakeholderPayload:
        data = provided(input)
        return _stakeholder(await mutate(info, lambda s: mutations.create_stakeholder(s, data)))

    @strawberry.mutation(description="Change a stakeholder, including their buying roles and manager.")
    async def stakeholder_update(self, info: Info, input: StakeholderUpdateInput) -> StakeholderPayload:
        data = provided(input)
        return _stakeholder(await mutate(info, lambda s: mutations.update_stakeholder(s, data)))

    @strawberry.mutation(description="Delete a stakeholder with their influence links and coverage.")
    async def stakeholder_delete(self, info: Info, input: StakeholderDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_stakeholder(s, input.id)))

    @strawberry.mutation(description="Set or clear whom a stakeholder reports to.")
    async def stakeholder_set_reports_to(self, info: Info, input: StakeholderSetReportsToInput) -> StakeholderPayload:
        return _stakeholder(
            await mutate(info, lambda s: mutations.set_reports_to(s, input.stakeholder_id, input.reports_to_id, input.version))
        )

    @strawberry.mutation(description="Record that one stakeholder influences another; one link per ordered pair.")
    async def influence_link_add(self, info: Info, input: InfluenceLinkAddInput) -> InfluenceLinkPayload:
        return _link(
            await mutate(info, lambda s: mutations.add_influence_link(s, input.source_id, input.target_id, input.strength))
        )

    @strawberry.mutation(description="Change the strength of an influence link.")
    async def influence_link_update(self, info: Info, input: InfluenceLinkUpdateInput) -> InfluenceLinkPayload:
        return _link(await mutate(info, lambda s: mutations.update_influence_link(s, input.id, input.strength)))

    @strawberry.mutation(description="Remove an influence link.")
    async def influence_link_remove(self, info: Info, input: InfluenceLinkRemoveInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.remove_influence_link(s, input.id)))

    @strawberry.mutation(description="Set how well one of our people knows a stakeholder (creates or replaces the pair's coverage).")
    async def coverage_set(self, info: Info, input: CoverageSetInput) -> CoveragePayload:
        return _coverage(
            await mutate(info, lambda s: mutations.set_coverage(s, input.member_id, input.stakeholder_id, input.strength))
        )

    @strawberry.mutation(description="Remove a coverage: our member no longer counts as knowing the stakeholder.")
    async def coverage_remove(self, info: Info, input: CoverageRemoveInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.remove_coverage(s, input.id)))
