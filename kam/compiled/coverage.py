"""Which fields compile, and into which plan nodes: the one table to edit to make a field compiled.

A field of a node type (MODELS) that has no resolver and reads a column of its
model compiles by itself (planner.Planner.column). Every other field compiles
only when it is listed here, with the arguments its plan takes; the planner
sends a document asking for anything else to the executor. To compile a new
field: write (or reuse) a plan node that answers it as its resolver does,
from the same rules (domain/, resolvers/), add its entry here, and run
tests/test_parity.py, which selects every field of every type a plan covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from graphql import GraphQLField

from domain.account import Account
from domain.base import today
from domain.cadence import days_overdue
from domain.growth import GrowthAssessment
from domain.interaction import Interaction, InteractionMember, InteractionStakeholder
from domain.judgment import JudgmentTransition
from domain.need import Need, NeedPeakQuarter, NeedStatus, Quarter, is_open
from domain.plan import Action, ActionPlan, Objective
from domain.revenue import RevenueRecord
from domain.stakeholder import BuyingRole, Coverage, InfluenceLink, Stakeholder, StakeholderBuyingRole
from domain.team import TeamMember
from kam.compiled.connections import ChildConnection, FirstChild, ListRequest, RootConnection
from kam.compiled.growth_matrix import MatrixOf, matrix_request
from kam.compiled.objects import ChildRows, Computed, Embedded, FieldPlan, Linked, Nullable, ToOne, ValueList, arguments_of
from kam.compiled.relationship_map import AccountMaps, MapOf
from kam.compiled.revenue import account_revenue
from kam.compiled.roots import AccountById
from resolvers.accounts.reads import accounts_query
from resolvers.context import RequestContext
from resolvers.growth.reads import NEWEST_FIRST
from resolvers.ids import argument_id
from resolvers.judgments.reads import NEWEST_FIRST as NEWEST_FIRST_CHANGES
from resolvers.judgments.transitions import transitions_query
from resolvers.plans.reads import BY_DUE_DATE, LATEST_START_FIRST
from schema.account import account_list_request
from schema.aggregates import ROOTS as AGGREGATE_ROOTS
from schema.growth import matrix_criteria, quadrant_list_request
from schema.interaction import interaction_list_request
from schema.need import need_list_request
from schema.plan import action_list_request, plan_list_request
from schema.stakeholder import stakeholder_list_request
from schema.transitions import transition_list_request

if TYPE_CHECKING:
    from kam.compiled.planner import FieldNodes, Planner

Build = Callable[["Planner", GraphQLField, "FieldNodes"], FieldPlan]


@dataclass(frozen=True)
class Compiles:
    """How one field compiles: `build` makes its plan node; `arguments` are the (Python) names of the
    arguments that plan takes, all of them (a field with another argument is not compiled)."""

    build: Build
    arguments: frozenset[str] = frozenset()
    # Arguments the plan answers only when a document leaves them out (`relationshipMap(asOf:)`): a document
    # giving one goes to the executor.
    absent: frozenset[str] = frozenset()



# Node types whose objects plans read from their model's rows.
MODELS: dict[str, Any] = {
    "Account": Account,
    "Stakeholder": Stakeholder,
    "Interaction": Interaction,
    "Need": Need,
    "ActionPlan": ActionPlan,
    "Objective": Objective,
    "Action": Action,
    "TeamMember": TeamMember,
    "Coverage": Coverage,
    "InfluenceLink": InfluenceLink,
    "GrowthAssessment": GrowthAssessment,
    "RevenueRecord": RevenueRecord,
    "JudgmentTransition": JudgmentTransition,
}


def listed(spec: Callable[..., tuple[Any, ...]], order: Any = None) -> Callable[..., ListRequest]:
    """A list field's arguments as the resolvers' request function turns them into SQL: its criteria's
    conditions, its order (the function's, or the fixed `order`) and its page."""

    def request(ctx: RequestContext, **arguments: Any) -> ListRequest:
        criteria, *rest = spec(ctx, **arguments)
        list_order, page = (order, rest[0]) if order is not None else rest
        return ListRequest(list_order, page, criteria.where())

    return request


def _transitions(ctx: RequestContext, **arguments: Any) -> ListRequest:
    criteria, page = transition_list_request(ctx, **arguments)
    paged, counted = transitions_query(ctx, criteria)
    return ListRequest(NEWEST_FIRST_CHANGES, page, statement=paged, counted=counted)


def _accounts(ctx: RequestContext, **arguments: Any) -> ListRequest:
    criteria, order, page = account_list_request(ctx, **arguments)
    return ListRequest(order, page, statement=accounts_query(ctx, criteria))


def to_one(key: Any) -> Compiles:
    """The object a foreign key points at (the field's type says which)."""
    return Compiles(lambda planner, field, nodes: ToOne(key, planner.object_plan(planner.target(field, many=False), nodes)))


def child_connection(parent: Any, spec: Callable[..., tuple[Any, ...]], order: Any = None) -> Compiles:
    request = listed(spec, order)
    return Compiles(
        lambda planner, field, nodes: ChildConnection(parent, planner.binder(field, nodes, request), planner.connection(field, nodes)),
        arguments_of(spec),
    )


def child_rows(parent: Any, *order_by: Any) -> Compiles:
    return Compiles(
        lambda planner, field, nodes: ChildRows(parent, planner.object_plan(planner.target(field, many=True), nodes), order_by)
    )


def money(amount: Any, currency: Any) -> Compiles:
    """A `Money` of two columns of the row."""
    return Compiles(lambda planner, field, nodes: Embedded(planner.money_columns(field, nodes, amount, currency)))


def nullable_money(amount: Any, currency: Any) -> Compiles:
    """A `Money` of two columns of the row, null where the amount is."""
    return Compiles(
        lambda planner, field, nodes: Nullable(amount, Embedded(planner.money_columns(field, nodes, amount, currency)))
    )


def columns_object(type_name: str, columns: dict[str, Any]) -> Compiles:
    """A value type made of columns of the row (GraphQL field name -> column)."""
    return Compiles(lambda planner, field, nodes: Embedded(planner.columns_object(field, nodes, type_name, columns)))


def recency(model: Any) -> Compiles:
    """`interactionRecency`: what the writes of interactions keep on the row (domain/interaction.py)."""
    return columns_object(
        "InteractionRecency",
        {
            "lastInteractionAt": model.last_interaction_at,
            "last30Days": model.interactions_30d,
            "last90Days": model.interactions_90d,
            "last365Days": model.interactions_365d,
            "countedOn": model.interactions_counted_on,
        },
    )


def judgment() -> Compiles:
    """`Account.judgment`'s figures kept on the row (the contact due, the score, the version and day); the values
    in force, which an override may end on the day, and the explanations fall back to the executor. Null until
    the account is first judged, as the executor answers."""

    def computed(columns: tuple[Any, ...], compute: Callable[..., Any]) -> Callable[[GraphQLField, Any], FieldPlan]:
        return lambda _f, _n: Computed(columns, compute)

    def due(ordinal: int) -> str:
        return date.fromordinal(ordinal).isoformat()

    def overdue(ordinal: int) -> int:
        return days_overdue(date.fromordinal(ordinal), today())

    def figures(planner: Planner, field: GraphQLField, nodes: Any) -> FieldPlan:
        table = {
            "score": computed((Account.grade_score,), float),
            "nextContactDue": computed((Account.next_contact_day,), due),
            "daysOverdue": computed((Account.next_contact_day,), overdue),
            "policyVersion": lambda f, _n: planner.column_value(f, Account.judged_policy_version, "AccountJudgment.policyVersion"),
            "judgedOn": lambda f, _n: planner.column_value(f, Account.judged_on, "AccountJudgment.judgedOn"),
        }
        return Nullable(Account.judged_grade, Embedded(planner.row_object(field, nodes, "AccountJudgment", table)))

    return Compiles(figures)


def linked(parent: Any, child: Any) -> Compiles:
    """The objects a link table pairs with the row, in id order (the field's type says which)."""
    return Compiles(lambda planner, field, nodes: Linked(parent, child, planner.object_plan(planner.target(field, many=True), nodes)))


def value_list(parent: Any, value: Any, enum: Any) -> Compiles:
    return Compiles(lambda planner, field, nodes: ValueList(parent, value, planner.enum_list(field, enum)))


def aggregate_root(field_name: str) -> Compiles:
    """A root `<kind>Aggregate`: its rows from its arguments as its resolver makes them (schema/aggregates.ROOTS)."""
    types, rows = AGGREGATE_ROOTS[field_name]
    return Compiles(
        lambda planner, field, nodes: planner.aggregate(field, nodes, types.kind, planner.binder(field, nodes, rows)),
        arguments_of(rows),
    )


def _account_id(_ctx: RequestContext, id: Any) -> int:
    return argument_id(id, "Account", "id")


def _map_account_id(_ctx: RequestContext, account_id: Any, as_of: None = None) -> int:
    """The account of a map as it stands (a document giving `asOf` is not compiled: `Compiles.absent`)."""
    return argument_id(account_id, "Account", "accountId")


def _matrix(ctx: RequestContext, filter: Any = None) -> Any:
    return matrix_request(ctx, matrix_criteria(filter))


# Fields compiled beyond plain columns, by (GraphQL type, field).
FIELDS: dict[tuple[str, str], Compiles] = {
    ("Query", "accounts"): Compiles(
        lambda planner, field, nodes: RootConnection(
            Account, planner.binder(field, nodes, _accounts, cursors=True), planner.connection(field, nodes)
        ),
        arguments_of(account_list_request),
    ),
    ("Query", "judgmentTransitions"): Compiles(
        lambda planner, field, nodes: RootConnection(
            JudgmentTransition, planner.binder(field, nodes, _transitions, cursors=True), planner.connection(field, nodes)
        ),
        arguments_of(transition_list_request),
    ),
    ("JudgmentTransition", "account"): to_one(JudgmentTransition.account_id),
    ("JudgmentTransition", "by"): to_one(JudgmentTransition.by_id),
    ("JudgmentTransition", "score"): Compiles(
        lambda planner, field, nodes: Computed((JudgmentTransition.score,), lambda v: None if v is None else float(v))
    ),
    ("Query", "account"): Compiles(
        lambda planner, field, nodes: AccountById(
            planner.binder(field, nodes, _account_id), planner.object_plan(planner.target(field, many=False), nodes)
        ),
        arguments_of(_account_id),
    ),
    ("Query", "relationshipMap"): Compiles(
        lambda planner, field, nodes: MapOf(planner.binder(field, nodes, _map_account_id), planner.map_plan(field, nodes)),
        arguments_of(_map_account_id),
        absent=frozenset({"as_of"}),
    ),
    ("Query", "growthMatrix"): Compiles(
        lambda planner, field, nodes: MatrixOf(planner.binder(field, nodes, _matrix), planner.matrix_plan(field, nodes)),
        arguments_of(_matrix),
    ),
    ("Account", "currentAnnualValue"): money(Account.current_annual_value, Account.currency),
    ("Account", "enteredAnnualValue"): money(Account.entered_annual_value, Account.currency),
    ("Account", "interactionRecency"): recency(Account),
    ("Account", "judgment"): judgment(),
    ("Stakeholder", "interactionRecency"): recency(Stakeholder),
    ("Account", "estimatedWallet"): money(Account.estimated_wallet, Account.currency),
    ("Account", "latestAssessment"): Compiles(
        lambda planner, field, nodes: FirstChild(
            GrowthAssessment.account_id, planner.object_plan(planner.target(field, many=False), nodes), NEWEST_FIRST
        )
    ),
    ("Account", "owner"): to_one(Account.owner_id),
    ("Account", "stakeholders"): child_connection(Stakeholder.account_id, stakeholder_list_request),
    ("Account", "needs"): child_connection(Need.account_id, need_list_request),
    ("Account", "plans"): child_connection(ActionPlan.account_id, plan_list_request, LATEST_START_FIRST),
    ("Account", "interactions"): child_connection(Interaction.account_id, interaction_list_request),
    ("Account", "revenue"): Compiles(account_revenue),
    ("RevenueRecord", "amount"): money(RevenueRecord.amount, RevenueRecord.currency),
    ("RevenueRecord", "margin"): nullable_money(RevenueRecord.margin, RevenueRecord.currency),
    ("RevenueRecord", "account"): to_one(RevenueRecord.account_id),
    ("Interaction", "account"): to_one(Interaction.account_id),
    ("Interaction", "need"): to_one(Interaction.need_id),
    ("Interaction", "stakeholders"): linked(InteractionStakeholder.interaction_id, InteractionStakeholder.stakeholder_id),
    ("Interaction", "members"): linked(InteractionMember.interaction_id, InteractionMember.member_id),
    ("Account", "relationshipMap"): Compiles(lambda planner, field, nodes: AccountMaps(planner.map_plan(field, nodes))),
    ("Stakeholder", "account"): to_one(Stakeholder.account_id),
    ("Stakeholder", "manager"): to_one(Stakeholder.reports_to_id),
    ("Stakeholder", "buyingRoles"): value_list(StakeholderBuyingRole.stakeholder_id, StakeholderBuyingRole.role, BuyingRole),
    ("Stakeholder", "needs"): child_rows(Need.stakeholder_id, Need.id),
    ("Need", "peakQuarters"): value_list(NeedPeakQuarter.need_id, NeedPeakQuarter.quarter, Quarter),
    ("Need", "isOpen"): Compiles(
        lambda planner, field, nodes: Computed((Need.status,), lambda status: is_open(NeedStatus[status]))
    ),
    ("Need", "account"): to_one(Need.account_id),
    ("Need", "stakeholder"): to_one(Need.stakeholder_id),
    ("ActionPlan", "account"): to_one(ActionPlan.account_id),
    ("ActionPlan", "owner"): to_one(ActionPlan.owner_id),
    ("ActionPlan", "objectives"): child_rows(Objective.plan_id, Objective.due_on.is_(None), Objective.due_on, Objective.id),
    ("ActionPlan", "actions"): child_connection(Action.plan_id, action_list_request, BY_DUE_DATE),
    ("Objective", "plan"): to_one(Objective.plan_id),
    ("Action", "plan"): to_one(Action.plan_id),
    ("Action", "owner"): to_one(Action.owner_id),
    ("Action", "need"): to_one(Action.need_id),
    ("Action", "stakeholder"): to_one(Action.stakeholder_id),
    ("GrowthAssessment", "currentValue"): money(GrowthAssessment.current_value, GrowthAssessment.currency),
    ("GrowthAssessment", "potential"): money(GrowthAssessment.potential, GrowthAssessment.currency),
    ("GrowthAssessment", "account"): to_one(GrowthAssessment.account_id),
    ("GrowthAssessment", "assessedBy"): to_one(GrowthAssessment.assessed_by_id),
    ("TeamMember", "manager"): to_one(TeamMember.manager_id),
    ("Coverage", "member"): to_one(Coverage.member_id),
    ("Coverage", "stakeholder"): to_one(Coverage.stakeholder_id),
    ("InfluenceLink", "source"): to_one(InfluenceLink.source_id),
    ("InfluenceLink", "target"): to_one(InfluenceLink.target_id),
    ("InfluenceLink", "account"): to_one(InfluenceLink.account_id),
    **{("Query", name): aggregate_root(name) for name in AGGREGATE_ROOTS},
}

def listed_quadrant(ctx: RequestContext, **arguments: Any) -> ListRequest:
    """`GrowthMatrixQuadrant.accounts`'s arguments (the matrix's filter is its own)."""
    return ListRequest(*quadrant_list_request(ctx, **arguments))


QUADRANT_ACCOUNTS = arguments_of(quadrant_list_request)
