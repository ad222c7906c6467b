"""Account plans with measurable objectives and actions: types, an account's plans list, and mutations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as account_model
from domain import need as need_model
from domain import plan as model
from domain import stakeholder as stakeholder_model
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.filters import any_of, ids_of, range_of
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.pagination import PageRequest, page_request
from resolvers.plans import mutations, reads
from schema.common import (
    After,
    Before,
    Connection,
    DateRange,
    DeletePayload,
    FILTER,
    First,
    IS_NOT_NULL,
    IS_NULL,
    Last,
    UserError,
    context,
    logic_of,
    logical,
    member_of,
    mutate,
    null_checks_of,
    provided,
    user_errors,
)
from schema.enums import ActionStatus, PlanStatus
from schema.need import Need
from schema.node import node_type
from schema.team import TeamMember

if TYPE_CHECKING:
    from schema.account import Account
    from schema.stakeholder import Stakeholder


async def _member(info: Info, member_id: int | None) -> TeamMember | None:
    return await member_of(info, member_id)  # type: ignore[no-any-return]


async def _plan(info: Info, plan_id: int) -> ActionPlan:
    return await by_id(context(info), model.ActionPlan).load(plan_id)  # type: ignore[return-value]


@strawberry.type(description="How far a plan's actions have come.")
class PlanProgress:
    done: int = strawberry.field(description="Actions done.")
    total: int = strawberry.field(description="All actions of the plan.")
    blocked: int = strawberry.field(description="Actions blocked.")
    ratio: float | None = strawberry.field(description="Share of actions done, from 0 to 1; null for a plan without actions.")


ActionValue = strawberry.enum(reads.ActionValue, description="A value an action may lack, for `isNull` and `isNotNull`.")


@strawberry.input(description="Which actions to list; every given condition must hold, list values mean any of.")
@logical
class ActionFilter:
    statuses: list[ActionStatus] | None = strawberry.field(default=None, description="Any of these statuses.")  # type: ignore[valid-type]
    owner_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Owned by any of these team members.")
    overdue_on: date | None = strawberry.field(default=None, description="Overdue on this day: not done, and due before it.")
    completed_from: date | None = strawberry.field(default=None, description="Completed on or after this day (UTC).")
    completed_to: date | None = strawberry.field(default=None, description="Completed on or before this day (UTC).")
    due_on: DateRange | None = strawberry.field(default=None, description="`dueOn` within these bounds (undated actions never are).")
    completed_on: DateRange | None = strawberry.field(default=None, description="`completedAt` on a day within these bounds (UTC).")
    created_on: DateRange | None = strawberry.field(default=None, description="`createdAt` on a day within these bounds (UTC).")
    is_null: list[ActionValue] | None = strawberry.field(default=None, description=IS_NULL)  # type: ignore[valid-type]
    is_not_null: list[ActionValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.ActionFilter:
        if self.completed_from is not None and self.completed_to is not None and self.completed_from > self.completed_to:
            raise BadUserInput(f"`{path}.completedFrom` is after `{path}.completedTo`.", argument=f"{path}.completedFrom")
        return reads.ActionFilter(
            statuses=any_of(self.statuses, f"{path}.statuses"),
            owner_ids=ids_of(self.owner_ids, "TeamMember", f"{path}.ownerIds"),
            overdue_on=self.overdue_on,
            completed_from=self.completed_from,
            completed_to=self.completed_to,
            due_on=range_of(self.due_on),
            completed_on=range_of(self.completed_on),
            created_on=range_of(self.created_on),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


@node_type(model.ActionPlan, description="An account plan: a dated plan of objectives and actions for one account.")
class ActionPlan(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="Name of the plan.")
    description: str | None = strawberry.field(description="What the plan is about.")
    status: PlanStatus = strawberry.field(description="Where the plan stands.")  # type: ignore[valid-type]
    starts_on: date = strawberry.field(description="First day of the plan.")
    ends_on: date | None = strawberry.field(description="Last day of the plan; null when open-ended.")
    created_at: datetime = strawberry.field(description="When the plan was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the plan was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(description="The account the plan is for.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The team member responsible for the plan.")
    async def owner(self, info: Info) -> TeamMember | None:
        return await _member(info, self.owner_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The plan's measurable objectives, due soonest first, undated ones last.")
    async def objectives(self, info: Info) -> list[Objective]:
        return await reads.plan_objectives(context(info), self.id)  # type: ignore[return-value]

    @strawberry.field(description="The plan's actions, due soonest first, undated ones last.")
    async def actions(
        self,
        info: Info,
        filter: Annotated[ActionFilter | None, FILTER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Action]:
        ctx = context(info)
        criteria, page = action_list_request(ctx, filter, first, after, last, before)
        return Connection(page=await reads.plan_actions(ctx, self.id, criteria, page))

    @strawberry.field(description="How many of the plan's actions are done, blocked, and in all.")
    async def progress(self, info: Info) -> PlanProgress:
        p = await reads.plan_progress(context(info), self.id)
        return PlanProgress(done=p.done, total=p.total, blocked=p.blocked, ratio=p.ratio)


@node_type(model.Objective, description="A measurable objective of a plan: a metric, its target and when it is due.")
class Objective(relay.Node):
    id: relay.NodeID[int]
    description: str = strawberry.field(description="What the objective is.")
    metric: str = strawberry.field(description="What is measured, e.g. annual revenue or decision makers covered.")
    target: Decimal = strawberry.field(description="The value of the metric to reach.")
    due_on: date | None = strawberry.field(description="When the target should be reached; inside the plan's dates.")
    created_at: datetime = strawberry.field(description="When the objective was set (UTC).")
    updated_at: datetime = strawberry.field(description="When the objective was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(description="The plan the objective belongs to.")
    async def plan(self, info: Info) -> ActionPlan:
        return await _plan(info, self.plan_id)  # type: ignore[attr-defined]


@node_type(model.Action, description="A step of a plan, with an owner and a due date, serving a need or a stakeholder.")
class Action(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="What is to be done.")
    due_on: date | None = strawberry.field(description="When it is due; inside the plan's dates.")
    status: ActionStatus = strawberry.field(description="Where the action stands.")  # type: ignore[valid-type]
    completed_at: datetime | None = strawberry.field(description="When the action was done (UTC); null unless DONE.")
    created_at: datetime = strawberry.field(description="When the action was added (UTC).")
    updated_at: datetime = strawberry.field(description="When the action was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(description="The plan the action belongs to.")
    async def plan(self, info: Info) -> ActionPlan:
        return await _plan(info, self.plan_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The team member who does it.")
    async def owner(self, info: Info) -> TeamMember | None:
        return await _member(info, self.owner_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The need the action serves, of the plan's account.")
    async def need(self, info: Info) -> Need | None:
        if self.need_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), need_model.Need).load(self.need_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The stakeholder the action is aimed at, of the plan's account.")
    async def stakeholder(self, info: Info) -> Annotated[Stakeholder, strawberry.lazy("schema.stakeholder")] | None:
        if self.stakeholder_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), stakeholder_model.Stakeholder).load(self.stakeholder_id)  # type: ignore[attr-defined,return-value]


PlanValue = strawberry.enum(reads.PlanValue, name="ActionPlanValue", description="A value a plan may lack, for `isNull` and `isNotNull`.")


@strawberry.input(description="Which plans to list; every given condition must hold, list values mean any of.")
@logical
class ActionPlanFilter:
    statuses: list[PlanStatus] | None = strawberry.field(default=None, description="Any of these statuses.")  # type: ignore[valid-type]
    owner_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Owned by any of these team members.")
    starts_on: DateRange | None = strawberry.field(default=None, description="`startsOn` within these bounds.")
    ends_on: DateRange | None = strawberry.field(default=None, description="`endsOn` within these bounds (open-ended plans never are).")
    created_on: DateRange | None = strawberry.field(default=None, description="`createdAt` on a day within these bounds (UTC).")
    is_null: list[PlanValue] | None = strawberry.field(default=None, description=IS_NULL)  # type: ignore[valid-type]
    is_not_null: list[PlanValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.PlanFilter:
        return reads.PlanFilter(
            statuses=any_of(self.statuses, f"{path}.statuses"), owner_ids=ids_of(self.owner_ids, "TeamMember", f"{path}.ownerIds"),
            starts_on=range_of(self.starts_on), ends_on=range_of(self.ends_on), created_on=range_of(self.created_on),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


async def account_plans(
    root: Any,
    info: Info,
    filter: Annotated[ActionPlanFilter | None, FILTER] = None,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[ActionPlan]:
    """`Account.plans`: the plan that starts latest first, batched with every account on the page."""
    ctx = context(info)
    criteria, page = plan_list_request(ctx, filter, first, after, last, before)
    return Connection(page=await reads.account_plans(ctx, root.id, criteria, page))


def plan_list_request(
    ctx: RequestContext,
    filter: ActionPlanFilter | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> tuple[reads.PlanFilter, PageRequest]:
    """`Account.plans`' arguments as the reads take them (BAD_USER_INPUT for a bad page or cursor)."""
    page = page_request(ctx, reads.LATEST_START_FIRST, first, after, last, before)
    return (filter or ActionPlanFilter()).to_criteria(), page


def action_list_request(
    ctx: RequestContext,
    filter: ActionFilter | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> tuple[reads.ActionFilter, PageRequest]:
    """`ActionPlan.actions`' arguments as the reads take them (BAD_USER_INPUT for a bad page or cursor)."""
    page = page_request(ctx, reads.BY_DUE_DATE, first, after, last, before)
    return (filter or ActionFilter()).to_criteria(), page


@strawberry.input(description="A new plan for an account.")
class ActionPlanCreateInput:
    account_id: strawberry.ID = strawberry.field(description="The account; not archived.")
    title: str = strawberry.field(description="Name of the plan; not blank.")
    starts_on: date = strawberry.field(description="First day of the plan.")
    ends_on: date | None = strawberry.field(default=None, description="Last day; not before `startsOn` (INVALID_DATE_RANGE).")
    status: PlanStatus = strawberry.field(default=model.PlanStatus.DRAFT, description="Where the plan stands.")  # type: ignore[valid-type]
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="The team member responsible.")
    description: str | None = strawberry.field(default=None, description="What the plan is about.")


@strawberry.input(description="Changes to a plan; fields left out stay as they are, null clears optional ones.")
class ActionPlanUpdateInput:
    id: strawberry.ID = strawberry.field(description="The plan to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Name of the plan; not blank.")
    starts_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="First day; nothing of the plan may then be due before it (INVALID_DATE_RANGE)."
    )
    ends_on: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="Last day, null for open-ended; nothing of the plan may then be due after it (INVALID_DATE_RANGE).",
    )
    status: PlanStatus | None = strawberry.field(default=strawberry.UNSET, description="Where the plan stands.")  # type: ignore[valid-type]
    owner_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The team member responsible; null clears it.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="What the plan is about; null clears it.")


@strawberry.input(description="The plan to delete, with its objectives and actions.")
class ActionPlanDeleteInput:
    id: strawberry.ID = strawberry.field(description="The plan.")


@strawberry.input(description="A new objective of a plan.")
class ObjectiveCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    description: str = strawberry.field(description="What the objective is; not blank.")
    metric: str = strawberry.field(description="What is measured; not blank.")
    target: Decimal = strawberry.field(description="The value to reach; not negative, at most two decimals.")
    due_on: date | None = strawberry.field(default=None, description="When it is due; inside the plan's dates (INVALID_DATE_RANGE).")


@strawberry.input(description="Changes to an objective; fields left out stay as they are.")
class ObjectiveUpdateInput:
    id: strawberry.ID = strawberry.field(description="The objective to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="What the objective is; not blank.")
    metric: str | None = strawberry.field(default=strawberry.UNSET, description="What is measured; not blank.")
    target: Decimal | None = strawberry.field(default=strawberry.UNSET, description="The value to reach.")
    due_on: date | None = strawberry.field(default=strawberry.UNSET, description="When it is due, inside the plan's dates; null clears it.")


@strawberry.input(description="The objective to delete.")
class ObjectiveDeleteInput:
    id: strawberry.ID = strawberry.field(description="The objective.")


@strawberry.input(description="A new action of a plan.")
class ActionCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    title: str = strawberry.field(description="What is to be done; not blank.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="The team member who does it.")
    due_on: date | None = strawberry.field(default=None, description="When it is due; inside the plan's dates (INVALID_DATE_RANGE).")
    status: ActionStatus = strawberry.field(default=model.ActionStatus.TODO, description="Where the action stands; DONE stamps `completedAt`.")  # type: ignore[valid-type]
    need_id: strawberry.ID | None = strawberry.field(default=None, description="The need it serves; of the plan's account (CROSS_ACCOUNT).")
    stakeholder_id: strawberry.ID | None = strawberry.field(
        default=None, description="The stakeholder it is aimed at; of the plan's account (CROSS_ACCOUNT)."
    )


@strawberry.input(description="Changes to an action; fields left out stay as they are, null clears optional ones.")
class ActionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The action to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="What is to be done; not blank.")
    owner_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The team member who does it; null clears it.")
    due_on: date | None = strawberry.field(default=strawberry.UNSET, description="When it is due, inside the plan's dates; null clears it.")
    status: ActionStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Where the action stands; DONE stamps `completedAt`, any other status clears it."
    )
    need_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The need it serves; null clears it.")
    stakeholder_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The stakeholder it is aimed at; null clears it.")


@strawberry.input(description="The action to mark done.")
class ActionCompleteInput:
    id: strawberry.ID = strawberry.field(description="The action.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")


@strawberry.input(description="The action to delete.")
class ActionDeleteInput:
    id: strawberry.ID = strawberry.field(description="The action.")


@strawberry.type(description="Result of a plan mutation.")
class ActionPlanPayload:
    action_plan: ActionPlan | None = strawberry.field(description="The plan as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="Result of an objective mutation.")
class ObjectivePayload:
    objective: Objective | None = strawberry.field(description="The objective as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="Result of an action mutation.")
class ActionPayload:
    action: Action | None = strawberry.field(description="The action as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _plan_payload(outcome: Outcome[model.ActionPlan]) -> ActionPlanPayload:
    return ActionPlanPayload(action_plan=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


def _objective_payload(outcome: Outcome[model.Objective]) -> ObjectivePayload:
    return ObjectivePayload(objective=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


def _action_payload(outcome: Outcome[model.Action]) -> ActionPayload:
    return ActionPayload(action=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


@strawberry.type
class PlanMutation:
    @strawberry.mutation(description="Create a plan for an account.")
    async def action_plan_create(self, info: Info, input: ActionPlanCreateInput) -> ActionPlanPayload:
        data = provided(input)
        return _plan_payload(await mutate(info, lambda s: mutations.create_plan(s, data)))

    @strawberry.mutation(description="Change a plan; new dates must still hold everything due in the plan.")
    async def action_plan_update(self, info: Info, input: ActionPlanUpdateInput) -> ActionPlanPayload:
        data = provided(input)
        return _plan_payload(await mutate(info, lambda s: mutations.update_plan(s, data)))

    @strawberry.mutation(description="Delete a plan with its objectives and actions.")
    async def action_plan_delete(self, info: Info, input: ActionPlanDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_plan(s, input.id)))

    @strawberry.mutation(description="Add an objective to a plan.")
    async def objective_create(self, info: Info, input: ObjectiveCreateInput) -> ObjectivePayload:
        data = provided(input)
        return _objective_payload(await mutate(info, lambda s: mutations.create_objective(s, data)))

    @strawberry.mutation(description="Change an objective.")
    async def objective_update(self, info: Info, input: ObjectiveUpdateInput) -> ObjectivePayload:
        data = provided(input)
        return _objective_payload(await mutate(info, lambda s: mutations.update_objective(s, data)))

    @strawberry.mutation(description="Delete an objective.")
    async def objective_delete(self, info: Info, input: ObjectiveDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_objective(s, input.id)))

    @strawberry.mutation(description="Add an action to a plan.")
    async def action_create(self, info: Info, input: ActionCreateInput) -> ActionPayload:
        data = provided(input)
        return _action_payload(await mutate(info, lambda s: mutations.create_action(s, data)))

    @strawberry.mutation(description="Change an action; setting another status than DONE reopens it and clears `completedAt`.")
    async def action_update(self, info: Info, input: ActionUpdateInput) -> ActionPayload:
        data = provided(input)
        return _action_payload(await mutate(info, lambda s: mutations.update_action(s, data)))

    @strawberry.mutation(description="Mark an action done and stamp `completedAt`; an action already done keeps its completion time.")
    async def action_complete(self, info: Info, input: ActionCompleteInput) -> ActionPayload:
        return _action_payload(
            await mutate(info, lambda s: mutations.complete_action(s, input.id, input.version))
        )

    @strawberry.mutation(description="Delete an action.")
    async def action_delete(self, info: Info, input: ActionDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_action(s, input.id)))
