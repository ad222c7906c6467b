"""Aggregates for reporting tools: `<kind>Aggregate(filter:)` with totals and `groups(by:)`, one shape for all.

Each kind gets the same types, built here from its description in
resolvers/aggregates/kinds.py: a `<Kind>Dimension` enum, a `<Kind>GroupKey`
with one field per dimension (set when grouped by it), `<Kind>Measures` (money
as one amount per currency), `<Kind>Group` and `<Kind>Aggregate`. A BI tool asks
`groups(by: [GRADE, INDUSTRY])` and reads flat rows: no alias per value.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Optional

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from domain.revenue import Grain
from resolvers.aggregates import buckets
from resolvers.aggregates.grouping import (
    STATISTICS,
    DEFAULT_GROUPS,
    MAX_DIMENSIONS,
    MAX_GROUPS,
    Group,
    Groups,
    Kind,
    Rows,
    Stats,
    aggregate,
    derivable,
    dimensions_of,
    group_limit,
)
from domain.interaction import Interaction
from domain.need import Need
from domain.opportunity import Opportunity
from domain.plan import ActionPlan
from domain.revenue import RevenueRecord
from domain.stakeholder import Stakeholder
from resolvers.aggregates import kinds
from resolvers.aggregates.kinds import MEMBER_KEYS
from resolvers.loaders import by_id
from schema import enums  # noqa: F401  (registers the domain enums the keys hold)
from schema.account import AccountFilter, AccountsOf, accounts_criteria
from schema.common import FILTER, Money, context
from schema.interaction import InteractionFilter
from schema.need import NeedFilter
from schema.opportunity import OpportunityFilter
from schema.plan import ActionFilter, ActionPlanFilter
from schema.revenue import RevenueFilter
from schema.stakeholder import StakeholderFilter
from schema.team import TeamMember



@strawberry.type(description="A month, quarter or year that dated rows fall in (UTC days).")
class TimeBucket:
    grain: Grain = strawberry.field(description="Month, quarter or year.")  # type: ignore[valid-type]
    start: date = strawberry.field(description="Its first day.")
    end: date = strawberry.field(description="Its last day.")
    label: str = strawberry.field(description="`2026-03`, `2026-Q1` or `2026`: sorts as time does.")


def _words(key: str) -> str:
    return key.replace("_", " ")


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _make(name: str, description: str, fields: dict[str, tuple[Any, str, Any]], base: type = object) -> Any:
    """A strawberry type named `name` with `fields` (python name: (annotation, description, default))."""
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": __name__}
    for key, (annotation, text, default) in fields.items():
        namespace["__annotations__"][key] = annotation
        namespace[key] = strawberry.field(description=text, default=default)
    return strawberry.type(type(name, (base,), namespace), description=description)


def _key_annotation(kind: Kind, name: str) -> Any:
    dimension = kind.dimensions[name]
    if dimension.key in MEMBER_KEYS:
        return Optional[TeamMember]  # noqa: UP007 (a runtime annotation of a generated type)
    if dimension.value_type is buckets.Bucket:
        return Optional[TimeBucket]  # noqa: UP007
    return Optional[dimension.value_type]  # noqa: UP007


class Totals:
    """The totals of an aggregate, worked out once for all its total fields: by a statement of their own, or,
    when a grouping of the same rows reads each row once and all of them (`source`, its response key), added up
    from that grouping's rows. No task of its own: the resolvers asking compute or wait, so a request that ends
    (or a sibling field that fails) leaves nothing running behind it."""

    rows: Rows
    kind: Kind
    source: str | None
    memo: Group | None
    ready: asyncio.Event | None  # set when the grouping named by `source` is done
    lock: asyncio.Lock | None

    def _ready(self) -> asyncio.Event:
        if self.ready is None:
            self.ready = asyncio.Event()
        return self.ready

    def settle(self, found: Group | None, failed: bool = False) -> None:
        """The grouping named by `source` is done: its totals, or None when it could not give them. When it
        failed, the whole aggregate is an error (the grouping is not nullable): the totals read nothing."""
        if self.memo is None:
            self.memo = Group({}) if failed else found
        self._ready().set()

    async def totals(self, ctx: Any) -> Group:
        if self.source is not None:
            await self._ready().wait()
        if self.lock is None:
            self.lock = asyncio.Lock()
        async with self.lock:
            if self.memo is None:
                self.memo = (await aggregate(ctx, self.kind, self.rows, ())).groups[0]
        return self.memo


def deriving(kind: Kind, totals: Kind, selections: list[Any]) -> str | None:
    """The response key of a `groups` field whose rows give the totals too: its dimensions repeat no row, it
    computes every measure the totals need, and no directive may skip it; None when there is none."""
    for field in _fields(selections):
        if field.name != "groups" or field.directives:
            continue
        names = [getattr(d, "value", d) for d in field.arguments.get("by") or ()]
        if not names or any(n not in kind.dimensions or kind.dimensions[n].join is not None for n in names):
            continue
        nodes = [f for f in _fields(field.selections) if f.name == "nodes"]
        if derivable(requested(kind, [s for f in nodes for s in f.selections]), totals):
            return field.alias or field.name
    return None


class AggregateTypes:
    """The GraphQL types of one kind's aggregate."""

    def __init__(self, kind: Kind, name: str, rows_name: str) -> None:
        self.kind = kind
        self.dimension = strawberry.enum(
            enum.Enum(f"{name}Dimension", {n: n for n in kind.dimensions}),  # type: ignore[misc]
            description=f"What {rows_name} can be grouped by; `*_MONTH`, `*_QUARTER` and `*_YEAR` group a date by period.",
        )
        self.key = _make(
            f"{name}GroupKey",
            f"The values {rows_name} of one group share: the dimensions grouped by are set, the others null.",
            {
                d.key: (_key_annotation(kind, n), f"`{n}`: the rows' {_words(d.key)} (null when not grouped by it, or for rows without one).", None)
                for n, d in kind.dimensions.items()
            },
        )
        self.measures = None
        if kind.measures:
            self.measures = _make(
                f"{name}Measures",
                f"Numbers over {rows_name}: money as one amount per currency (sorted by code), others as numbers.",
                {
                    m.key: (list[Money] if m.money else Optional[float], f"Of `{camel(m.key)}`; rows without one are left out.", None)  # noqa: UP007
                    for m in kind.measures
                },
            )
        measured: dict[str, tuple[Any, str, Any]] = {"count": (int, f"How many {rows_name}.", 0)}
        if self.measures is not None:
            for aggregate_name, text in (("sum", "Sums"), ("avg", "Averages"), ("min", "Least values"), ("max", "Greatest values")):
                measured[aggregate_name] = (self.measures, f"{text} of the measures.", None)
        self.group = _make(f"{name}Group", f"{rows_name.capitalize()} sharing one key.", {
            "key": (self.key, "What the group's rows share.", None), **measured,
        })
        self.groups = _make(f"{name}Groups", f"Groups of {rows_name}, in the order of their key (null values last).", {
            "nodes": (list[self.group], "The groups, at most `first`.", strawberry.UNSET),  # type: ignore[name-defined]
            "has_more": (bool, "Whether there are groups past `first`.", False),
        })
        self.aggregate = self._aggregate(name, rows_name)

    def of(self, info: Info, rows: Rows) -> Any:
        """The `<Kind>Aggregate` of `rows`; its totals compute the measures the field's selection asks for, and
        are added up from one of its groupings when that one reads every row once (`deriving`)."""
        selections = [s for f in info.selected_fields for s in f.selections]
        kind = requested(self.kind, selections)
        return self.aggregate(rows=rows, kind=kind, source=deriving(self.kind, kind, selections))

    def answer(self, group: Group, members: dict[int, Any], wanted: frozenset[str] = frozenset(STATISTICS)) -> Any:
        """The `<Kind>Group` of one computed group, with the statistics `wanted` (the others left empty)."""
        key_values: dict[str, Any] = {}
        for dimension in self.kind.dimensions.values():
            value = group.key.get(dimension.key)
            if isinstance(value, buckets.Bucket):
                value = TimeBucket(grain=value.grain, start=value.start, end=value.end, label=value.label)
            elif dimension.key in MEMBER_KEYS and value is not None:
                value = members.get(value)
            key_values[dimension.key] = value
        fields: dict[str, Any] = {"key": self.key(**key_values), "count": group.count}
        if self.measures is not None:
            for name in STATISTICS:
                if name not in wanted:  # never read: never built
                    fields[name] = None
                    continue
                fields[name] = self.measures(
                    **{m.key: _measure(getattr(group.stats.get(m.key, EMPTY), name), m.money) for m in self.kind.measures}
                )
        return self.group(**fields)

    def _aggregate(self, name: str, rows_name: str) -> Any:
        types = self

        async def groups(
            self: Any,
            info: Info,
            by: list[Any],
            first: int | None = None,
        ) -> Any:
            ctx = context(info)
            deriving = self.source == info.path.key
            try:
                dimensions = dimensions_of(types.kind, [d.value for d in by])
                nodes = [f for f in _fields([s for sf in info.selected_fields for s in sf.selections]) if f.name == "nodes"]
                kind = requested(types.kind, [s for f in nodes for s in f.selections])
                found: Groups = await aggregate(ctx, kind, self.rows, dimensions, group_limit(first))
            except BaseException:
                if deriving:
                    self.settle(None, failed=True)
                raise
            if deriving:
                self.settle(found.totals)
            ids = sorted({g.key[k] for g in found.groups for k in MEMBER_KEYS if g.key.get(k) is not None})
            from domain.team import TeamMember as MemberRow

            members = dict(zip(ids, await by_id(ctx, MemberRow).load_many(ids), strict=True))
            wanted = frozenset(f.name for n in nodes for f in _fields(n.selections) if f.name in STATISTICS)
            return types.groups(nodes=[types.answer(g, members, wanted) for g in found.groups], has_more=found.has_more)

        groups.__annotations__ = {
            "info": Info,
            "by": Annotated[
                list[self.dimension],  # type: ignore[name-defined]
                strawberry.argument(description=f"The dimensions to group by, 1 to {MAX_DIMENSIONS}, in the order the key sorts by."),
            ],
            "first": Annotated[
                Optional[int],  # noqa: UP007
                strawberry.argument(description=f"At most this many groups (default {DEFAULT_GROUPS}, up to {MAX_GROUPS})."),
            ],
            "return": self.groups,
        }

        async def totals(self: Any, info: Info) -> Any:
            return types.answer(await self.totals(context(info)), {})

        namespace: dict[str, Any] = {
            "__module__": __name__,
            "__annotations__": {
                "rows": strawberry.Private[Rows],
                "kind": strawberry.Private[Kind],
                "source": strawberry.Private[Optional[str]],  # noqa: UP007
                "memo": strawberry.Private[Any],
                "ready": strawberry.Private[Any],
                "lock": strawberry.Private[Any],
            },
            "source": None,
            "memo": None,
            "ready": None,
            "lock": None,
            "groups": strawberry.field(
                resolver=groups,
                description=(
                    f"{rows_name.capitalize()} grouped by the dimensions given: one SQL grouping; each group counts"
                    " and measures its rows."
                ),
            ),
        }
        for aggregate_name in ["count"] + (["sum", "avg", "min", "max"] if self.measures is not None else []):
            namespace[aggregate_name] = strawberry.field(resolver=_total(totals, aggregate_name, self), description=_TOTAL_TEXT[aggregate_name].format(rows_name))
        return strawberry.type(type(f"{name}Aggregate", (Totals,), namespace), description=f"Counts and measures of {rows_name}, in all and by group.")


EMPTY = Stats()
_TOTAL_TEXT = {
    "count": "How many {} in all.",
    "sum": "Sums of the measures over all {}.",
    "avg": "Averages of the measures over all {}.",
    "min": "Least values of the measures over all {}.",
    "max": "Greatest values of the measures over all {}.",
}


def _total(totals: Callable[..., Any], name: str, types: AggregateTypes) -> Callable[..., Any]:
    async def total(self: Any, info: Info) -> Any:
        return getattr(await totals(self, info), name)

    total.__annotations__ = {"info": Info, "return": int if name == "count" else types.measures}
    return total


def _fields(selections: list[Any]) -> list[SelectedField]:
    """The fields among `selections`, fragments spread."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append(selection)
        else:
            found.extend(_fields(selection.selections))
    return found


def requested(kind: Kind, selections: list[Any]) -> Kind:
    """`kind` narrowed to the measures `selections` (those of an aggregate or of a group) ask any aggregate
    of: the statement computes no other (and splits by currency only for money asked for)."""
    asked = [field for field in _fields(selections) if field.name in STATISTICS]
    names = {measure.name for field in asked for measure in _fields(field.selections)}
    return replace(
        kind,
        measures=tuple(m for m in kind.measures if camel(m.key) in names),
        statistics=frozenset(field.name for field in asked),
    )


def _measure(value: Any, money: bool) -> Any:
    if not money:
        return value
    return [Money(amount=amount, currency=currency) for currency, amount in sorted((value or {}).items())]


ACCOUNTS = AggregateTypes(kinds.ACCOUNTS, "Account", "accounts")
STAKEHOLDERS = AggregateTypes(kinds.STAKEHOLDERS, "Stakeholder", "stakeholders")
NEEDS = AggregateTypes(kinds.NEEDS, "Need", "needs")
PLANS = AggregateTypes(kinds.PLANS, "Plan", "account plans")
ACTIONS = AggregateTypes(kinds.ACTIONS, "Action", "actions")
INTERACTIONS = AggregateTypes(kinds.INTERACTIONS, "Interaction", "interactions")
OPPORTUNITIES = AggregateTypes(kinds.OPPORTUNITIES, "Opportunity", "deals")
REVENUE = AggregateTypes(kinds.REVENUE, "Revenue", "revenue records")

def _criteria(filter: Any, default: Callable[[], Any]) -> Any:
    return (filter or default()).to_criteria()


def account_rows(ctx: Any, filter: AccountFilter | None = None) -> Rows:
    """`accountsAggregate(filter:)`'s rows: the accounts the filter selects among those the caller may read."""
    return kinds.account_rows(ctx, _criteria(filter, AccountFilter))


def rows_of_accounts(model: Any, default: Any) -> Callable[..., Rows]:
    """`<kind>Aggregate(filter:, accounts:)`'s rows for a kind whose rows name their account (`model.account_id`)."""

    def rows(ctx: Any, filter: Any = None, accounts: AccountFilter | None = None) -> Rows:
        where = _criteria(filter, default).where()
        return kinds.rows_of_accounts(ctx, model, model.account_id, where, accounts_criteria(accounts))

    return rows


def action_rows(ctx: Any, filter: ActionFilter | None = None, accounts: AccountFilter | None = None) -> Rows:
    """`actionsAggregate`'s rows: actions read with their plan, which names their account."""
    return kinds.action_rows(ctx, _criteria(filter, ActionFilter).where(), accounts_criteria(accounts))


stakeholder_rows = rows_of_accounts(Stakeholder, StakeholderFilter)
need_rows = rows_of_accounts(Need, NeedFilter)
plan_rows = rows_of_accounts(ActionPlan, ActionPlanFilter)
interaction_rows = rows_of_accounts(Interaction, InteractionFilter)
opportunity_rows = rows_of_accounts(Opportunity, OpportunityFilter)
revenue_rows = rows_of_accounts(RevenueRecord, RevenueFilter)

# Each root aggregate field: its kind's types and the function of its arguments giving its rows (which the
# compiled reads take as they are: kam/compiled/coverage.py).
ROOTS: dict[str, tuple[AggregateTypes, Callable[..., Rows]]] = {
    "accountsAggregate": (ACCOUNTS, account_rows),
    "stakeholdersAggregate": (STAKEHOLDERS, stakeholder_rows),
    "needsAggregate": (NEEDS, need_rows),
    "plansAggregate": (PLANS, plan_rows),
    "actionsAggregate": (ACTIONS, action_rows),
    "interactionsAggregate": (INTERACTIONS, interaction_rows),
    "opportunitiesAggregate": (OPPORTUNITIES, opportunity_rows),
    "revenueAggregate": (REVENUE, revenue_rows),
}


@strawberry.type
class AggregateQuery:
    @strawberry.field(description="Accounts counted, summed and grouped: archived ones are left out unless the filter asks for them.")
    def accounts_aggregate(self, info: Info, filter: Annotated[AccountFilter | None, FILTER] = None) -> ACCOUNTS.aggregate:  # type: ignore[valid-type]
        return ACCOUNTS.of(info, account_rows(context(info), filter))

    @strawberry.field(description="Stakeholders across accounts, counted and grouped.")
    def stakeholders_aggregate(
        self, info: Info, filter: Annotated[StakeholderFilter | None, FILTER] = None, accounts: AccountsOf = None
    ) -> STAKEHOLDERS.aggregate:  # type: ignore[valid-type]
        return STAKEHOLDERS.of(info, stakeholder_rows(context(info), filter, accounts))

    @strawberry.field(description="Needs across accounts, counted and grouped (a need peaking in two quarters counts in each).")
    def needs_aggregate(
        self, info: Info, filter: Annotated[NeedFilter | None, FILTER] = None, accounts: AccountsOf = None
    ) -> NEEDS.aggregate:  # type: ignore[valid-type]
        return NEEDS.of(info, need_rows(context(info), filter, accounts))

    @strawberry.field(description="Account plans across accounts, counted and grouped.")
    def plans_aggregate(
        self, info: Info, filter: Annotated[ActionPlanFilter | None, FILTER] = None, accounts: AccountsOf = None
    ) -> PLANS.aggregate:  # type: ignore[valid-type]
        return PLANS.of(info, plan_rows(context(info), filter, accounts))

    @strawberry.field(description="Actions of account plans across accounts, counted and grouped.")
    def actions_aggregate(
        self, info: Info, filter: Annotated[ActionFilter | None, FILTER] = None, accounts: AccountsOf = None
    ) -> ACTIONS.aggregate:  # type: ignore[valid-type]
        return ACTIONS.of(info, action_rows(context(info), filter, accounts))

    @strawberry.field(description="Interactions across accounts, counted, measured and grouped.")
    def interactions_aggregate(
        self, info: Info, filter: Annotated[InteractionFilter | None, FILTER] = None, accounts: AccountsOf = None
    ) -> INTERACTIONS.aggregate:  # type: ignore[valid-type]
        return INTERACTIONS.of(info, interaction_rows(context(info), filter, accounts))

    @strawberry.field(description="Deals across accounts, counted, measured (amounts per currency) and grouped.")
    def opportunities_aggregate(
        self, info: Info, filter: Annotated[OpportunityFilter | None, FILTER] = None, accounts: AccountsOf = None
    ) -> OPPORTUNITIES.aggregate:  # type: ignore[valid-type]
        return OPPORTUNITIES.of(info, opportunity_rows(context(info), filter, accounts))

    @strawberry.field(description="Revenue records across accounts, summed per currency and grouped.")
    def revenue_aggregate(
        self, info: Info, filter: Annotated[RevenueFilter | None, FILTER] = None, accounts: AccountsOf = None
    ) -> REVENUE.aggregate:  # type: ignore[valid-type]
        return REVENUE.of(info, revenue_rows(context(info), filter, accounts))
