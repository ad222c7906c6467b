"""Compiled reads: a query whose every field has a plan is answered without the general executor.

The planner turns a validated document's operation into a plan
(resolvers/compiled/) once per worker and document, from the table of
compilable fields below: columns of the node types, their lists and the
objects they point at, and relationship maps. Running the plan sends one
statement per field and level, reads tuples and builds the answer in one pass.

What is not covered runs through the general executor unchanged, and so does
every request whose arguments the plan cannot take (a bad cursor, a page size
above the maximum, an ID of the wrong type): its error then comes from the
resolvers, as always. Both paths give the same answer; tests/test_compiled.py
checks it on both stores.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any
from weakref import WeakKeyDictionary

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values
from strawberry.extensions import SchemaExtension
from strawberry.types.arguments import convert_arguments

from domain.account import Account
from domain.growth import GrowthAssessment
from domain.need import Need, NeedPeakQuarter, NeedStatus, Quarter, is_open
from domain.plan import Action, ActionPlan, Objective
from domain.stakeholder import (
    BuyingRole,
    Coverage,
    InfluenceLink,
    Stakeholder,
    StakeholderBuyingRole,
)
from domain.team import TeamMember
from kam.documents import DEFAULT_BYTES as DOCUMENT_CACHE_BYTES
from kam.documents import SizedLRU
from kam.variables import Variables
from resolvers.access import access_of
from resolvers.accounts.reads import accounts_query
from resolvers.compiled import (
    ChildRows,
    Computed,
    Constant,
    FieldPlan,
    GlobalId,
    MoneyField,
    ObjectPlan,
    Run,
    Scalar,
    ToOne,
    ValueList,
)
from resolvers.compiled.connections import (
    ChildConnection,
    ConnectionShape,
    FirstChild,
    ListRequest,
    RootConnection,
)
from resolvers.compiled.growth_matrix import (
    MatrixOf,
    MatrixPlan,
    QuadrantAccounts,
    matrix_request,
)
from resolvers.compiled.objects import Arguments, Layout
from resolvers.compiled.relationship_map import AccountMaps, MapOf, MapPlan
from resolvers.compiled.roots import AccountById
from resolvers.context import RequestContext
from resolvers.growth.reads import NEWEST_FIRST
from resolvers.ids import argument_id
from resolvers.plans.reads import BY_DUE_DATE, LATEST_START_FIRST
from schema.account import account_list_request
from schema.growth import matrix_criteria, quadrant_list_request
from schema.need import need_list_request
from schema.node import NODE_TYPES
from schema.plan import action_list_request, plan_list_request
from schema.stakeholder import stakeholder_list_request

log = logging.getLogger("kam.compiled")


BOUND_ARGUMENTS_KEPT = 256  # per field of a plan
ABSENT = object()  # a variable the request did not give (its argument takes its default)


def frozen(value: Any) -> Any:
    """Argument values as a key: input objects and lists made hashable."""
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    return value


def variables_in(node: FieldNode) -> tuple[str, ...]:
    """The names of the variables a field's arguments use, each once."""
    names: list[str] = []

    def visit(value: ValueNode) -> None:
        if isinstance(value, VariableNode):
            names.append(value.name.value)
        elif isinstance(value, ListValueNode):
            for item in value.values:
                visit(item)
        elif isinstance(value, ObjectValueNode):
            for item in value.fields:
                visit(item.value)

    for argument in node.arguments or ():
        visit(argument.value)
    return tuple(dict.fromkeys(names))


class Unsupported(Exception):
    """The document asks for something no plan covers; the general executor answers it."""


Nodes = list[FieldNode]
Build = Callable[["Planner", GraphQLField, Nodes], FieldPlan]

# How scalars leave a row for the answer, by GraphQL type; others (strings, numbers, enum names) as they are.
CONVERT: dict[str, Callable[[Any], Any]] = {
    "DateTime": datetime.isoformat,
    "Date": date.isoformat,
    "Decimal": str,
}


def _stakeholder_list(ctx: RequestContext, **arguments: Any) -> ListRequest:
    criteria, order, page = stakeholder_list_request(ctx, **arguments)
    return ListRequest(order, page, criteria.where())


def _need_list(ctx: RequestContext, **arguments: Any) -> ListRequest:
    criteria, order, page = need_list_request(ctx, **arguments)
    return ListRequest(order, page, criteria.where())


def _account_list(ctx: RequestContext, **arguments: Any) -> ListRequest:
    criteria, order, page = account_list_request(ctx, **arguments)
    return ListRequest(order, page, statement=accounts_query(ctx, criteria))


def _plan_list(ctx: RequestContext, **arguments: Any) -> ListRequest:
    criteria, page = plan_list_request(ctx, **arguments)
    return ListRequest(LATEST_START_FIRST, page, criteria.where())


def _action_list(ctx: RequestContext, **arguments: Any) -> ListRequest:
    criteria, page = action_list_request(ctx, **arguments)
    return ListRequest(BY_DUE_DATE, page, criteria.where())


def _quadrant_list(ctx: RequestContext, **arguments: Any) -> ListRequest:
    return ListRequest(*quadrant_list_request(ctx, **arguments))


def _to_one(key: Any, type_name: str) -> Build:
    return lambda planner, _field, nodes: ToOne(key, planner.object_plan(type_name, nodes))


def _child_connection(parent: Any, spec: Callable[..., ListRequest]) -> Build:
    return lambda planner, field, nodes: ChildConnection(
        parent, planner.binder(field, nodes, spec), planner.connection(field, nodes)
    )


def _money(amount: Any, currency: Any) -> Build:
    def build(planner: Planner, field: GraphQLField, nodes: Nodes) -> FieldPlan:
        parts = {"amount": Scalar(amount, str), "currency": Scalar(currency), "__typename": Constant("Money")}
        fields = planner.collect("Money", nodes)
        return MoneyField([(key, parts[found[0].name.value]) for key, found in fields.items()])

    return build


# The fields a plan covers beyond plain columns (which every node type's field without a resolver is).
FIELDS: dict[tuple[str, str], Build] = {
    ("Query", "accounts"): lambda planner, field, nodes: RootConnection(
        Account, planner.binder(field, nodes, _account_list), planner.connection(field, nodes)
    ),
    ("Query", "account"): lambda planner, field, nodes: AccountById(
        planner.binder(field, nodes, lambda _ctx, id: argument_id(id, "Account", "id")),
        planner.object_plan("Account", nodes),
    ),
    ("Query", "relationshipMap"): lambda planner, field, nodes: MapOf(
        planner.binder(field, nodes, lambda _ctx, account_id: argument_id(account_id, "Account", "accountId")),
        planner.map_plan(nodes),
    ),
    ("Query", "growthMatrix"): lambda planner, field, nodes: MatrixOf(
        planner.binder(field, nodes, lambda ctx, filter=None: matrix_request(ctx, matrix_criteria(filter))),
        planner.matrix_plan(nodes),
    ),
    ("Account", "currentAnnualValue"): _money(Account.current_annual_value, Account.currency),
    ("Account", "latestAssessment"): lambda planner, _field, nodes: FirstChild(
        GrowthAssessment.account_id, planner.object_plan("GrowthAssessment", nodes), NEWEST_FIRST
    ),
    ("Account", "estimatedWallet"): _money(Account.estimated_wallet, Account.currency),
    ("Account", "owner"): _to_one(Account.owner_id, "TeamMember"),
    ("Account", "stakeholders"): _child_connection(Stakeholder.account_id, _stakeholder_list),
    ("Account", "needs"): _child_connection(Need.account_id, _need_list),
    ("Account", "plans"): _child_connection(ActionPlan.account_id, _plan_list),
    ("Account", "relationshipMap"): lambda planner, _field, nodes: AccountMaps(planner.map_plan(nodes)),
    ("Stakeholder", "account"): _to_one(Stakeholder.account_id, "Account"),
    ("Stakeholder", "manager"): _to_one(Stakeholder.reports_to_id, "Stakeholder"),
    ("Stakeholder", "buyingRoles"): lambda *_: ValueList(
        StakeholderBuyingRole.stakeholder_id, StakeholderBuyingRole.role, BuyingRole
    ),
    ("Stakeholder", "needs"): lambda planner, _field, nodes: ChildRows(
        Need.stakeholder_id, planner.object_plan("Need", nodes), (Need.id,)
    ),
    ("Need", "peakQuarters"): lambda *_: ValueList(NeedPeakQuarter.need_id, NeedPeakQuarter.quarter, Quarter),
    ("Need", "isOpen"): lambda *_: Computed((Need.status,), lambda status: is_open(NeedStatus[status])),
    ("Need", "account"): _to_one(Need.account_id, "Account"),
    ("Need", "stakeholder"): _to_one(Need.stakeholder_id, "Stakeholder"),
    ("ActionPlan", "account"): _to_one(ActionPlan.account_id, "Account"),
    ("ActionPlan", "owner"): _to_one(ActionPlan.owner_id, "TeamMember"),
    ("ActionPlan", "objectives"): lambda planner, _field, nodes: ChildRows(
        Objective.plan_id,
        planner.object_plan("Objective", nodes),
        (Objective.due_on.is_(None), Objective.due_on, Objective.id),
    ),
    ("ActionPlan", "actions"): _child_connection(Action.plan_id, _action_list),
    ("Objective", "plan"): _to_one(Objective.plan_id, "ActionPlan"),
    ("Action", "plan"): _to_one(Action.plan_id, "ActionPlan"),
    ("Action", "owner"): _to_one(Action.owner_id, "TeamMember"),
    ("Action", "need"): _to_one(Action.need_id, "Need"),
    ("Action", "stakeholder"): _to_one(Action.stakeholder_id, "Stakeholder"),
    ("GrowthAssessment", "currentValue"): _money(GrowthAssessment.current_value, GrowthAssessment.currency),
    ("GrowthAssessment", "potential"): _money(GrowthAssessment.potential, GrowthAssessment.currency),
    ("GrowthAssessment", "account"): _to_one(GrowthAssessment.account_id, "Account"),
    ("GrowthAssessment", "assessedBy"): _to_one(GrowthAssessment.assessed_by_id, "TeamMember"),
    ("TeamMember", "manager"): _to_one(TeamMember.manager_id, "TeamMember"),
    ("Coverage", "member"): _to_one(Coverage.member_id, "TeamMember"),
    ("Coverage", "stakeholder"): _to_one(Coverage.stakeholder_id, "Stakeholder"),
    ("InfluenceLink", "source"): _to_one(InfluenceLink.source_id, "Stakeholder"),
    ("InfluenceLink", "target"): _to_one(InfluenceLink.target_id, "Stakeholder"),
    ("InfluenceLink", "account"): _to_one(InfluenceLink.account_id, "Account"),
}
MODELS = {
    name: model
    for name, (_, model) in NODE_TYPES.items()
    if model
    in (Account, Stakeholder, Need, ActionPlan, Objective, Action, TeamMember, Coverage, InfluenceLink, GrowthAssessment)
}
# Parts of a relationship map computed from the rows it loads anyway.
MAP_NODE_VALUES = {"buyingRoles", "attitude", "influence", "decisionLevel", "coveredByCount", "strongestCoverage"}
MAP_SUMMARY_VALUES = {"coveredStakeholderCount", "singleThreaded", "supportIndex"}
PAGE_INFO = {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"}


@dataclass(eq=False)
class Planned:
    """The plan of one operation of a document."""

    plan: ObjectPlan
    document: DocumentNode
    operation: OperationDefinitionNode
    variables: Variables

    @cached_property
    def arguments(self) -> list[Arguments]:
        """The parts of the plan that take arguments (the only ones a request binds), found once."""
        return [part for part in self.plan.walk() if isinstance(part, Arguments)]


class Planner:
    """Plans of one schema's operations, kept per document (LRU).

    A plan holds its document, so what is kept is bounded as kam's document cache is (kam/documents.py): by the
    number of entries and by the total length of their texts, no document longer than a sixteenth of that kept.
    """

    def __init__(self, schema: strawberry.Schema, maxsize: int, max_bytes: int = DOCUMENT_CACHE_BYTES) -> None:
        self.schema = schema
        self.graphql = schema._schema
        self.maxsize = maxsize
        self.plans: SizedLRU[Planned | None] = SizedLRU(maxsize, max_bytes)
        self.answered: SizedLRU[Planned] = SizedLRU(maxsize, max_bytes)
        self.fragments: dict[str, FragmentDefinitionNode] = {}

    def plan(self, query: str, document: DocumentNode, operation_name: str | None) -> Planned | None:
        key = (query, operation_name)
        if key in self.plans:
            return self.plans.get(key)
        try:
            plan, operation = self._operation(document, operation_name)
            variables = Variables(self.graphql, operation.variable_definitions or ())
            found: Planned | None = Planned(plan, document, operation, variables)
        except Unsupported as reason:
            log.debug("no plan for operation %s: %s", operation_name, reason)
            found = None
        self.plans.put(key, found, len(query))
        return found

    def served(self, query: str, operation_name: str | None, planned: Planned) -> None:
        """`planned` answered a request for `query` naming `operation_name` (None: none) through the whole GraphQL
        pipeline: the document parses, passes validation and the limits that depend on it alone, and the name
        picks this query (kam/prepared.py)."""
        self.answered.put((query, operation_name), planned, len(query))

    def prepared(self, query: str, operation_name: str | None) -> Planned | None:
        """The plan that answered such a request before (`served`), if it is still kept."""
        return self.answered.get((query, operation_name))

    def _operation(
        self, document: DocumentNode, operation_name: str | None
    ) -> tuple[ObjectPlan, OperationDefinitionNode]:
        operations = [
            d for d in document.definitions
            if isinstance(d, OperationDefinitionNode) and (operation_name is None or (d.name and d.name.value == operation_name))
        ]
        if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
            raise Unsupported("not one query")
        operation = operations[0]
        if operation.directives:
            raise Unsupported("directives")
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        fields = []
        query = self.graphql.query_type
        for key, nodes in self._collect("Query", [operation.selection_set]).items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append((key, Constant("Query")))
                continue
            build = FIELDS.get(("Query", name))
            if build is None:
                raise Unsupported(f"Query.{name}")
            fields.append((key, build(self, query.fields[name], nodes)))
        return ObjectPlan(None, fields), operation

    def collect(self, type_name: str, nodes: Nodes) -> dict[str, Nodes]:
        """The fields selected under `nodes`, merged by response key, in answer order."""
        return self._collect(type_name, [node.selection_set for node in nodes if node.selection_set])

    def _collect(self, type_name: str, selection_sets: list[SelectionSetNode]) -> dict[str, Nodes]:
        graphql_type = self.graphql.get_type(type_name)
        names = {type_name, *(i.name for i in getattr(graphql_type, "interfaces", ()))}
        fields: dict[str, Nodes] = {}

        def visit(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if selection.directives:
                    raise Unsupported("directives")
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    fields.setdefault(key, []).append(selection)
                    continue
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments[selection.name.value]
                    if fragment.directives:
                        raise Unsupported("directives")
                    condition, inner = fragment.type_condition, fragment.selection_set
                else:
                    assert isinstance(selection, InlineFragmentNode)
                    condition, inner = selection.type_condition, selection.selection_set
                if condition is not None and condition.name.value not in names:
                    raise Unsupported(f"fragment on {condition.name.value} in {type_name}")
                visit(inner)

        for selection_set in selection_sets:
            visit(selection_set)
        return fields

    def object_plan(self, type_name: str, nodes: Nodes) -> ObjectPlan:
        model = MODELS.get(type_name)
        if model is None:
            raise Unsupported(type_name)
        graphql_type = self.graphql.get_type(type_name)
        fields: list[tuple[str, FieldPlan]] = []
        for key, found in self.collect(type_name, nodes).items():
            name = found[0].name.value
            if name == "__typename":
                fields.append((key, Constant(type_name)))
            elif name == "id":
                fields.append((key, GlobalId(type_name, model.id)))
            elif (type_name, name) in FIELDS:
                fields.append((key, FIELDS[type_name, name](self, graphql_type.fields[name], found)))
            else:
                fields.append((key, self._column(type_name, model, graphql_type.fields[name], found)))
        return ObjectPlan(model, fields)

    def _column(self, type_name: str, model: Any, field: GraphQLField, nodes: Nodes) -> FieldPlan:
        """A field without a resolver that reads a column of the model."""
        definition = field.extensions.get("strawberry-definition")
        column = getattr(model, getattr(definition, "python_name", ""), None)
        if definition is None or definition.base_resolver is not None or not hasattr(column, "property"):
            raise Unsupported(f"{type_name}.{nodes[0].name.value}")
        return Scalar(column, CONVERT.get(get_named_type(field.type).name))

    def binder(self, field: GraphQLField, nodes: Nodes, spec: Callable[..., Any]) -> Callable[[Run], Any]:
        """Evaluates the field's arguments for a request and hands them to `spec`, as its resolver would get them.

        What `spec` makes of them (a list request with its statement, an id) depends only on the
        arguments and on what the caller may read, so it is kept per both (LRU): a request repeating
        them skips turning them into SQL. The arguments are the document's literals and the variables
        they name, so the values of those variables (as coerced) stand for them in the key."""
        definition = field.extensions["strawberry-definition"]
        node = nodes[0]  # validation makes every node of a merged field take the same arguments
        registry, config = self.schema.schema_converter.scalar_registry, self.schema.config
        kept: OrderedDict[Any, Any] = OrderedDict()
        named = variables_in(node)

        def bind(run: Run) -> Any:
            access = access_of(run.ctx)
            given = run.variables.coerced
            key = (tuple(frozen(given.get(name, ABSENT)) for name in named), access.read_scope, access.member_id)
            found = kept.get(key)
            if found is None:
                raw = get_argument_values(field, node, run.variables)
                found = spec(run.ctx, **convert_arguments(raw, definition.arguments, registry, config))
                kept[key] = found
                if len(kept) > BOUND_ARGUMENTS_KEPT:
                    kept.popitem(last=False)
            else:
                kept.move_to_end(key)
            return found

        return bind

    def connection(self, field: GraphQLField, nodes: Nodes) -> ConnectionShape:
        connection_type = self.graphql.get_type(get_named_type(field.type).name)
        node_type = get_named_type(connection_type.fields["nodes"].type).name
        parts: list[tuple[str, tuple[Any, ...]]] = []
        for key, found in self.collect(connection_type.name, nodes).items():
            name = found[0].name.value
            if name == "nodes":
                parts.append((key, ("nodes", self.object_plan(node_type, found))))
            elif name == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type).name
                edge = []
                for edge_key, inner in self.collect(edge_type, found).items():
                    inner_name = inner[0].name.value
                    if inner_name == "node":
                        edge.append((edge_key, ("node", self.object_plan(node_type, inner))))
                    else:
                        edge.append((edge_key, ("cursor",) if inner_name == "cursor" else ("typename", edge_type)))
                parts.append((key, ("edges", edge)))
            elif name == "pageInfo":
                info = self.names("PageInfo", found)
                if any(n not in PAGE_INFO for _, n in info):
                    raise Unsupported("PageInfo")
                parts.append((key, ("pageInfo", info)))
            elif name == "totalCount":
                parts.append((key, ("totalCount",)))
            else:
                parts.append((key, ("typename", connection_type.name)))
        return ConnectionShape(parts)

    def names(self, type_name: str, nodes: Nodes) -> list[tuple[str, str]]:
        """The (response key, field name) of each field selected under `nodes`, of a type whose fields are values."""
        return [(key, found[0].name.value) for key, found in self.collect(type_name, nodes).items()]

    def matrix_plan(self, nodes: Nodes) -> MatrixPlan:
        def quadrant(found: Nodes) -> list[tuple[str, tuple[Any, ...]]]:
            cell_type = self.graphql.get_type("GrowthMatrixQuadrant")
            parts: list[tuple[str, tuple[Any, ...]]] = []
            for key, inner in self.collect("GrowthMatrixQuadrant", found).items():
                name = inner[0].name.value
                if name in ("quadrant", "accountCount"):
                    parts.append((key, (name,)))
                elif name in ("totalCurrentValue", "totalPotential"):
                    parts.append((key, (name, self.names("Money", inner))))
                elif name == "accounts":
                    field = cell_type.fields[name]
                    accounts = QuadrantAccounts(self.binder(field, inner, _quadrant_list), self.connection(field, inner))
                    parts.append((key, (name, accounts)))
                else:
                    parts.append((key, ("typename", "GrowthMatrixQuadrant")))
            return parts

        plan = MatrixPlan([])
        for key, found in self.collect("GrowthMatrix", nodes).items():
            name = found[0].name.value
            if name == "thresholds":
                plan.parts.append((key, (name, self.names("GrowthMatrixThresholds", found))))
            elif name == "unassessedCount":
                plan.parts.append((key, (name,)))
            elif name == "quadrants":
                plan.parts.append((key, (name, quadrant(found))))
            else:
                plan.parts.append((key, ("typename", "GrowthMatrix")))
        return plan

    def map_plan(self, nodes: Nodes) -> MapPlan:
        plan = MapPlan([])
        flat: dict[tuple[Any, ...], ObjectPlan] = {}

        def people(found: Nodes) -> ObjectPlan:
            """The map's stakeholders as asked in one place; places asking alike share a plan (built once)."""
            stakeholders = self.object_plan("Stakeholder", found)
            shape = stakeholders.flat_shape()
            if shape is not None:
                stakeholders = flat.setdefault(shape, stakeholders)
            if stakeholders not in plan.stakeholder_plans:
                plan.stakeholder_plans.append(stakeholders)
            return stakeholders

        def parts(type_name: str, found: Nodes, people_fields: set[str], values: set[str]) -> list[Any]:
            out = []
            for key, inner in self.collect(type_name, found).items():
                name = inner[0].name.value
                if name == "__typename":
                    out.append((key, ("typename", type_name)))
                elif name in people_fields:
                    out.append((key, (name, people(inner))))
                elif name in values:
                    out.append((key, (name,)))
                elif name == "coverage":
                    out.append((key, (name, self.object_plan("Coverage", inner))))
                elif name == "influenceLink":
                    out.append((key, (name, self.object_plan("InfluenceLink", inner))))
                elif name == "stakeholdersByRole":
                    counts = self.collect("BuyingRoleCount", inner).items()
                    out.append((key, (name, [(k, "BuyingRoleCount" if n[0].name.value == "__typename" else n[0].name.value) for k, n in counts])))
                else:
                    raise Unsupported(f"{type_name}.{name}")
            return out

        for key, found in self.collect("RelationshipMap", nodes).items():
            name = found[0].name.value
            if name == "__typename":
                plan.parts.append((key, ("typename", "RelationshipMap")))
            elif name == "account":
                plan.parts.append((key, ("account", self.object_plan("Account", found))))
            elif name == "coverage":
                plan.parts.append((key, ("coverage", self.object_plan("Coverage", found))))
            elif name == "nodes":
                plan.parts.append((key, ("nodes", parts("RelationshipMapNode", found, {"stakeholder"}, MAP_NODE_VALUES))))
            elif name == "edges":
                plan.parts.append((key, ("edges", parts("RelationshipMapEdge", found, {"source", "target"}, {"kind", "strength"}))))
            elif name == "summary":
                people_fields = {"uncoveredDecisionMakers", "influentialOpponents"}
                plan.parts.append((key, ("summary", parts("RelationshipMapSummary", found, people_fields, MAP_SUMMARY_VALUES))))
            else:
                raise Unsupported(f"RelationshipMap.{name}")
        return plan


_planners: WeakKeyDictionary[strawberry.Schema, Planner] = WeakKeyDictionary()


def planner_of(schema: strawberry.Schema, maxsize: int, max_bytes: int = DOCUMENT_CACHE_BYTES) -> Planner:
    found = _planners.get(schema)
    if found is None:
        found = _planners[schema] = Planner(schema, maxsize, max_bytes)
    return found


async def answer(planned: Planned, variables: Any, ctx: RequestContext) -> dict[str, Any] | None:
    """The data of the planned operation for these (raw) variables, or None when the general executor must answer:
    variables that do not fit their types or arguments the resolvers refuse (nothing ran then), or a read that
    failed (its transaction is rolled back)."""
    coerced = planned.variables.coerce(variables or {})
    if isinstance(coerced, list):
        return None  # the executor reports variables that do not fit
    run = Run(ctx, coerced)
    try:
        run.bind(planned.arguments)
    except GraphQLError:
        return None  # an argument the resolvers refuse: they answer with the error
    try:
        return (await planned.plan.resolve(run, [()], Layout(())))[0]
    except Exception:
        # The general executor runs the query again and reports what went wrong, as for any query.
        log.warning("a compiled read failed; answering through the executor", exc_info=True)
        if ctx.reader is None:
            await ctx.run(lambda session: session.rollback())
        return None


class CompiledReads(SchemaExtension):
    """Answers a query from its plan when it has one; the general executor answers the rest."""

    def __init__(self, maxsize: int, max_bytes: int = DOCUMENT_CACHE_BYTES) -> None:
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.named: str | None = None

    def on_operation(self) -> Iterator[None]:
        # Before parsing, strawberry's `operation_name` is the name the request gave (after, the document's).
        self.named = self.execution_context.operation_name
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.result is None and isinstance(context.context, RequestContext) and context.query:
            planner = planner_of(context.schema, self.maxsize, self.max_bytes)
            planned = planner.plan(context.query, context.graphql_document, context.operation_name)
            data = None
            if planned is not None:
                data = await answer(planned, context.variables, context.context)
            if data is not None:
                planner.served(context.query, self.named, planned)
                context.result = ExecutionResult(data=data)
        yield
