"""The planner: a validated document's query operation turned into a plan, once per worker and document.

It walks the selection from the operation's root fields, with the schema's
own types, and builds a plan node for every field from coverage.py's table
(or, for a plain column of a node type, by itself). Whatever it does not know
raises `NotCompiled`, and the document goes to the executor: a field, an
argument, a type or a directive it has no rule for, a field with permission
classes or field extensions, a leaf whose value it cannot give exactly as the
schema's scalar would. No branch answers a default.
"""

from __future__ import annotations

import enum
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from graphql.execution.values import get_argument_values
from sqlalchemy import Enum as SQLEnum
from sqlalchemy.orm import ColumnProperty
from strawberry.types.arguments import convert_arguments

from domain.growth import GrowthQuadrant
from domain.revenue import Grain
from domain.influence_paths import StartReason, StepKind
from domain.relationship_map import EdgeKind
from domain.stakeholder import Attitude, BuyingRole, CoverageStrength, DecisionLevel, Influence, LinkStrength
from kam.compiled.connections import (
    ConnectionShape,
    EdgeCursor,
    EdgeNode,
    Edges,
    EdgeTypename,
    HasNextPage,
    HasPreviousPage,
    Nodes,
    PageCursor,
    PageInfo,
    TotalCount,
)
from kam.compiled.coverage import FIELDS, MODELS, QUADRANT_ACCOUNTS, Compiles, listed_quadrant
from kam.compiled.growth_matrix import (
    AccountCount,
    CellAccounts,
    MatrixPlan,
    QuadrantAccounts,
    QuadrantName,
    Quadrants,
    Thresholds,
    Totals,
    UnassessedCount,
)
from kam.compiled.aggregates import (
    AggregateOf,
    Count,
    GroupNodes,
    GroupsOf,
    HasMore,
    Key,
    KeyBucket,
    KeyMember,
    KeyValue,
    MoneyMeasure,
    NumberMeasure,
    Statistic,
    TotalsOf,
    enum_name,
    groups_request,
)
from kam.compiled.fallbacks import FallBacks
from kam.compiled.objects import (
    Arguments,
    Attribute,
    Constant,
    FieldPlan,
    GlobalId,
    ObjectPlan,
    Scalar,
    Selection,
    Typename,
)
from kam.compiled.relationship_map import (
    PERSON_ATTITUDE,
    PERSON_DECISION_LEVEL,
    PERSON_INFLUENCE,
    LINE_KIND,
    LINE_SOURCE,
    LINE_STRENGTH,
    LINE_TARGET,
    LineColumn,
    LineEnd,
    LineInfluenceLink,
    MapAccount,
    MapCoverageList,
    MapInfluencePaths,
    MapPlan,
    MapRows,
    MapSummaryOf,
    MapTypename,
    NodeBuyingRoles,
    NodeCoverage,
    NodeCoveredByCount,
    NodeStakeholder,
    NodeStrongestCoverage,
    PathPeople,
    PathSteps,
    PathValue,
    PersonColumn,
    RoleCounts,
    RowTypename,
    StepLink,
    SummaryPeople,
    SummaryTypename,
    SummaryUnreachable,
    SummaryValue,
    step_factor,
)
from kam.compiled.run import Run
from kam.documents import DEFAULT_BYTES as DOCUMENT_CACHE_BYTES
from kam.documents import SizedLRU
from kam.variables import Variables
from resolvers.access import access_of
from resolvers.aggregates.buckets import Bucket
from resolvers.aggregates.grouping import Dimension, Kind, Measure
from resolvers.aggregates.kinds import MEMBER_KEYS
from schema.aggregates import STATISTICS, camel

log = logging.getLogger("kam.compiled")

BOUND_ARGUMENTS_KEPT = 256  # per field of a plan
ABSENT = object()  # a variable the request did not give (its argument takes its default)
# Scalars a column gives as GraphQL answers them (the Python type the column must hold); the schema's other
# scalars are answered by their own `serialize`.
PLAIN_SCALARS: dict[str, type] = {"String": str, "Int": int, "Boolean": bool}
SERIALIZED_SCALARS: dict[str, type] = {"DateTime": datetime, "Date": date, "Decimal": Decimal}

FieldNodes = list[FieldNode]  # the field nodes of one response key (merged)


class NotCompiled(Exception):
    """The document asks for something no plan covers; the general executor answers it."""


def frozen(value: Any) -> Any:
    """Argument values as a key: input objects and lists made hashable."""
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    return value


def variables_in(node: FieldNode) -> tuple[str, ...]:
    """The names of the variables a field's arguments use, each once."""
    return tuple(dict.fromkeys(name for argument in node.arguments or () for name in variables_in_value(argument.value)))


def variables_in_value(value: ValueNode) -> list[str]:
    """The names of the variables an argument's value uses."""
    if isinstance(value, VariableNode):
        return [value.name.value]
    if isinstance(value, ListValueNode):
        return [name for item in value.values for name in variables_in_value(item)]
    if isinstance(value, ObjectValueNode):
        return [name for item in value.fields for name in variables_in_value(item.value)]
    return []


def cursor_variables(node: FieldNode) -> dict[str, str]:
    """The variables given as a field's `after` or `before` argument and as nothing else of its arguments
    (variable name -> argument name)."""
    given = [
        (argument.name.value, argument.value.name.value if isinstance(argument.value, VariableNode) else None)
        for argument in node.arguments or ()
    ]
    uses = [name for argument in node.arguments or () for name in variables_in_value(argument.value)]
    return {
        name: argument
        for argument, name in given
        if argument in ("after", "before") and name is not None and uses.count(name) == 1
    }


def shape(graphql_type: Any) -> tuple[bool, Any]:
    """(whether it is a list, its named type) of a field's type, nullability aside; nested lists are not planned."""
    inner = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    if isinstance(inner, GraphQLList):
        item = inner.of_type.of_type if isinstance(inner.of_type, GraphQLNonNull) else inner.of_type
        if isinstance(item, GraphQLList):
            raise NotCompiled("a list of lists")
        return True, item
    return False, inner


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


def left_out(label: str, field: GraphQLField, nodes: FieldNodes, absent: frozenset[str]) -> None:
    """NotCompiled when a document gives one of the `absent` arguments (by Python name) of `field`."""
    if not absent:
        return
    python_names = {name: argument.extensions["strawberry-definition"].python_name for name, argument in field.args.items()}
    given = {python_names.get(a.name.value) for node in nodes for a in node.arguments or ()}
    if given & absent:
        raise NotCompiled(f"{label}: an argument the plan answers only when left out")


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
        self.reasons: SizedLRU[str] = SizedLRU(maxsize, max_bytes)  # why a document has no plan
        self.fallbacks = FallBacks()

    def plan(self, query: str, document: DocumentNode, operation_name: str | None) -> Planned | None:
        """The plan of the operation, or None when the executor must answer it (`reason` says why)."""
        key = (query, operation_name)
        if key in self.plans:
            return self.plans.get(key)
        found: Planned | None = None
        try:
            plan, operation = self._operation(document, operation_name)
            variables = Variables(self.graphql, operation.variable_definitions or ())
            found = Planned(plan, document, operation, variables)
        except NotCompiled as reason:
            self.reasons.put(key, str(reason), len(query))
        except Exception as error:  # a planner that cannot plan a document is a bug, never an answer
            log.warning("planning a document failed; the executor answers it", exc_info=True)
            self.reasons.put(key, f"planning failed: {error!r}", len(query))
        self.plans.put(key, found, len(query))
        return found

    def reason(self, query: str, operation_name: str | None) -> str | None:
        """Why the operation has no plan (None: it has one, or it was never planned or is forgotten)."""
        return self.reasons.get((query, operation_name))

    def served(self, query: str, operation_name: str | None, planned: Planned) -> None:
        """`planned` answered a request for `query` naming `operation_name` (None: none) through the whole GraphQL
        pipeline: the document parses, passes validation and the limits that depend on it alone, and the name
        picks this query (kam/compiled/direct.py)."""
        self.answered.put((query, operation_name), planned, len(query))

    def answered_before(self, query: str, operation_name: str | None) -> Planned | None:
        """The plan that answered such a request before (`served`), if it is still kept."""
        return self.answered.get((query, operation_name))

    # Building a plan.

    def _operation(self, document: DocumentNode, operation_name: str | None) -> tuple[ObjectPlan, OperationDefinitionNode]:
        operations = [
            d for d in document.definitions
            if isinstance(d, OperationDefinitionNode) and (operation_name is None or (d.name and d.name.value == operation_name))
        ]
        if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
            raise NotCompiled("not one query")
        operation = operations[0]
        if operation.directives:
            raise NotCompiled("directives")
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        fields: list[tuple[str, FieldPlan]] = []
        for key, nodes in self._collect("Query", [operation.selection_set]).items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append((key, Constant("Query")))
            else:
                fields.append((key, self.listed_field("Query", name, nodes)))
        return ObjectPlan(None, fields), operation

    def collect(self, type_name: str, nodes: FieldNodes) -> dict[str, FieldNodes]:
        """The fields selected under `nodes`, merged by response key, in answer order."""
        return self._collect(type_name, [node.selection_set for node in nodes if node.selection_set])

    def _collect(self, type_name: str, selection_sets: list[SelectionSetNode]) -> dict[str, FieldNodes]:
        graphql_type = self.graphql.get_type(type_name)
        names = {type_name, *(i.name for i in getattr(graphql_type, "interfaces", ()))}
        fields: dict[str, FieldNodes] = {}

        def visit(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if selection.directives:
                    raise NotCompiled("directives")
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    fields.setdefault(key, []).append(selection)
                    continue
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments[selection.name.value]
                    if fragment.directives:
                        raise NotCompiled("directives")
                    condition, inner = fragment.type_condition, fragment.selection_set
                elif isinstance(selection, InlineFragmentNode):
                    condition, inner = selection.type_condition, selection.selection_set
                else:
                    raise NotCompiled(f"a selection of kind {selection.kind}")
                if condition is not None and condition.name.value not in names:
                    raise NotCompiled(f"fragment on {condition.name.value} in {type_name}")
                visit(inner)

        for selection_set in selection_sets:
            visit(selection_set)
        return fields

    def field(self, type_name: str, name: str, arguments: Iterable[str] = ()) -> GraphQLField:
        """The schema's field, when the plan knows everything about how it answers: no argument but
        `arguments`, no permission classes, field extensions or directives."""
        graphql_type = self.graphql.get_type(type_name)
        field = graphql_type.fields.get(name) if isinstance(graphql_type, GraphQLObjectType) else None
        if field is None:
            raise NotCompiled(f"{type_name}.{name}")
        definition = field.extensions.get("strawberry-definition")
        if definition is None or definition.permission_classes or definition.extensions or definition.directives:
            raise NotCompiled(f"{type_name}.{name}: not a plain strawberry field")
        known = set(arguments)
        if any(argument.python_name not in known for argument in definition.arguments):
            raise NotCompiled(f"{type_name}.{name}: an argument the plan does not take")
        return field

    def listed_field(self, type_name: str, name: str, nodes: FieldNodes) -> Any:
        """The plan of a field listed in coverage.FIELDS."""
        entry: Compiles | None = FIELDS.get((type_name, name))
        if entry is None:
            raise NotCompiled(f"{type_name}.{name}")
        field = self.field(type_name, name, entry.arguments | entry.absent)
        left_out(f"{type_name}.{name}", field, nodes, entry.absent)
        return entry.build(self, field, nodes)

    def target(self, field: GraphQLField, *, many: bool) -> str:
        """The node type a field answers objects of (a list of them when `many`)."""
        is_list, named = shape(field.type)
        if is_list != many or named.name not in MODELS:
            raise NotCompiled(f"a field of type {field.type}")
        return named.name  # type: ignore[no-any-return]

    def object_plan(self, type_name: str, nodes: FieldNodes) -> ObjectPlan:
        model = MODELS.get(type_name)
        if model is None:
            raise NotCompiled(type_name)
        fields: list[tuple[str, FieldPlan]] = []
        for key, found in self.collect(type_name, nodes).items():
            name = found[0].name.value
            if name == "__typename":
                fields.append((key, Constant(type_name)))
            elif name == "id":
                self.field(type_name, name)
                fields.append((key, GlobalId(type_name, model.id)))
            elif (type_name, name) in FIELDS:
                fields.append((key, self.listed_field(type_name, name, found)))
            else:
                fields.append((key, self.column(type_name, model, name)))
        return ObjectPlan(model, fields)

    def column(self, type_name: str, model: Any, name: str) -> FieldPlan:
        """A field without a resolver that reads a column of the model, as the executor reads its attribute."""
        field = self.field(type_name, name)
        definition = field.extensions["strawberry-definition"]
        column = getattr(model, definition.python_name, None)
        if definition.base_resolver is not None or not isinstance(getattr(column, "property", None), ColumnProperty):
            raise NotCompiled(f"{type_name}.{name}")
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            raise NotCompiled(f"{type_name}.{name}: a column of type {column.type}") from None
        if isinstance(column.type, SQLEnum) and list(column.type.enums) != list(getattr(python_type, "__members__", ())):
            raise NotCompiled(f"{type_name}.{name}: an enum not stored by its members' names")
        return Scalar(column, self.leaf(field, python_type, f"{type_name}.{name}"))

    def leaf(self, field: GraphQLField, python_type: type, what: str) -> Callable[[Any], Any] | None:
        """How a value of `python_type` becomes the field's answer, exactly as the schema's type serializes
        it: None when it is taken as it is."""
        is_list, named = shape(field.type)
        if is_list:
            raise NotCompiled(f"{what}: a list")
        if isinstance(named, GraphQLEnumType):
            self.enum(named, python_type, what)
            return None  # enums are selected as the names they are stored by (run.selected)
        if isinstance(named, GraphQLScalarType):
            if PLAIN_SCALARS.get(named.name) is python_type:
                return None
            if SERIALIZED_SCALARS.get(named.name) is python_type:
                return named.serialize
        raise NotCompiled(f"{what}: a {named} from {python_type.__name__}")

    def enum(self, named: GraphQLEnumType, python_type: Any, what: str) -> None:
        """The GraphQL enum answers exactly the member names of the Python enum a column holds."""
        members = getattr(python_type, "__members__", None)
        values = {name: value.value for name, value in named.values.items()}
        if members is None or set(values) != set(members) or any(
            members[name] is not value and members[name].value != value for name, value in values.items()
        ):
            raise NotCompiled(f"{what}: enum {named.name} is not {getattr(python_type, '__name__', python_type)}")

    def enum_list(self, field: GraphQLField, enum: Any) -> Any:
        is_list, named = shape(field.type)
        if not is_list or not isinstance(named, GraphQLEnumType):
            raise NotCompiled(f"a field of type {field.type}")
        self.enum(named, enum, str(field.type))
        return enum

    def values(
        self, type_name: str, nodes: FieldNodes, table: dict[str, Callable[[GraphQLField, FieldNodes], Any]],
        typename: Callable[[str], Any] = Typename, arguments: dict[str, Iterable[str]] | None = None,
    ) -> list[tuple[str, Any]]:
        """The fields asked of a value type (not a node type), each made by its entry of `table` (taking no
        argument but its `arguments`); `__typename` by `typename`; anything else is not compiled."""
        selection: list[tuple[str, Any]] = []
        for key, found in self.collect(type_name, nodes).items():
            name = found[0].name.value
            if name == "__typename":
                selection.append((key, typename(type_name)))
            elif name in table:
                field = self.field(type_name, name, (arguments or {}).get(name, ()))
                selection.append((key, table[name](field, found)))
            else:
                raise NotCompiled(f"{type_name}.{name}")
        return selection

    def value_type(self, field: GraphQLField, *, many: bool) -> str:
        is_list, named = shape(field.type)
        if is_list != many or not isinstance(named, GraphQLObjectType):
            raise NotCompiled(f"a field of type {field.type}")
        return named.name  # type: ignore[no-any-return]

    def money(self, field: GraphQLField, nodes: FieldNodes, *, many: bool) -> Selection:
        """`Money`'s fields over an object with `amount` and `currency`."""
        name = self.value_type(field, many=many)
        if name != "Money":
            raise NotCompiled(f"a field of type {field.type}")
        return self.values(name, nodes, {
            "amount": lambda f, _n: Attribute("amount", self.leaf(f, Decimal, "Money.amount")),
            "currency": lambda f, _n: Attribute("currency", self.leaf(f, str, "Money.currency")),
        })

    def money_columns(self, field: GraphQLField, nodes: FieldNodes, amount: Any, currency: Any) -> list[tuple[str, FieldPlan]]:
        """`Money`'s fields from two columns of a row."""
        return self.columns_object(field, nodes, "Money", {"amount": amount, "currency": currency})

    def columns_object(
        self, field: GraphQLField, nodes: FieldNodes, type_name: str, columns: dict[str, Any]
    ) -> list[tuple[str, FieldPlan]]:
        """The fields of a value type made of columns of the same row (GraphQL field name -> column), each
        converted as the schema serializes it; a field of the type not in `columns` is not compiled."""

        def part(name: str, column: Any) -> Callable[[GraphQLField, FieldNodes], FieldPlan]:
            return lambda f, _n: self.column_value(f, column, f"{type_name}.{name}")

        return self.row_object(field, nodes, type_name, {name: part(name, column) for name, column in columns.items()})

    def row_object(
        self, field: GraphQLField, nodes: FieldNodes, type_name: str,
        table: dict[str, Callable[[GraphQLField, FieldNodes], FieldPlan]], arguments: dict[str, Iterable[str]] | None = None,
    ) -> list[tuple[str, FieldPlan]]:
        """The fields of a value type (not a node type) made from the row of the object holding it, each by its
        entry of `table`, as `values` makes them."""
        if self.value_type(field, many=False) != type_name:
            raise NotCompiled(f"a field of type {field.type}")
        return self.values(type_name, nodes, table, Constant, arguments)

    def column_value(self, field: GraphQLField, column: Any, what: str) -> Scalar:
        """A column of the row, converted as the field's type serializes it."""
        return Scalar(column, self.leaf(field, column.type.python_type, what))

    def binder(
        self, field: GraphQLField, nodes: FieldNodes, spec: Callable[..., Any], *, cursors: bool = False
    ) -> Callable[[Run], Any]:
        """Evaluates the field's arguments for a request and hands them to `spec`, as its resolver would get them.

        What `spec` makes of them (a list request with its statement, an id) depends only on the
        arguments and on what the caller may read, so it is kept per both (LRU): a request repeating
        them skips turning them into SQL. The arguments are the document's literals and the variables
        they name, so the values of those variables (as coerced) stand for them in the key.

        `cursors`: `spec` makes a `ListRequest` whose statements take its cursors' values as parameters;
        a variable given as `after` or `before` alone then keys by whether it is given, and each request
        takes the kept request `with_cursors` of its own (paging through a list is one key, not one per page)."""
        definition = field.extensions["strawberry-definition"]
        node = nodes[0]  # validation makes every node of a merged field take the same arguments
        registry, config = self.schema.schema_converter.scalar_registry, self.schema.config
        kept: OrderedDict[Any, Any] = OrderedDict()
        paging = cursor_variables(node) if cursors else {}
        named = tuple(name for name in variables_in(node) if name not in paging)

        def bind(run: Run) -> Any:
            access = access_of(run.ctx)
            given = run.variables.coerced
            key = (
                tuple(frozen(given.get(name, ABSENT)) for name in named),
                tuple(given.get(name) is None for name in paging),
                access.read_scope,
                access.member_id,
            )
            found = kept.get(key)
            if found is None:
                raw = get_argument_values(field, node, run.variables)
                found = spec(run.ctx, **convert_arguments(raw, definition.arguments, registry, config))
                kept[key] = found
                if len(kept) > BOUND_ARGUMENTS_KEPT:
                    kept.popitem(last=False)
            else:
                kept.move_to_end(key)
                if paging:
                    return found.with_cursors({argument: given.get(name) for name, argument in paging.items()})
            return found

        return bind

    def connection(self, field: GraphQLField, nodes: FieldNodes) -> ConnectionShape:
        """What is asked of a connection of node objects (kam's `Connection` type)."""
        connection_type = self.value_type(field, many=False)
        node_field = self.field(connection_type, "nodes")
        node_type = self.target(node_field, many=True)
        edge_type = self.value_type(self.field(connection_type, "edges"), many=True)

        def edge_node(f: GraphQLField, found: FieldNodes) -> EdgeNode:
            return EdgeNode(self.object_plan(self.target(f, many=False), found))

        def edges(_f: GraphQLField, found: FieldNodes) -> Edges:
            table = {"node": edge_node, "cursor": lambda f, _n: self.plain(f, str, EdgeCursor())}
            return Edges(self.values(edge_type, found, table, EdgeTypename))

        def page_info(f: GraphQLField, found: FieldNodes) -> PageInfo:
            table = {
                "hasNextPage": lambda f, _n: self.plain(f, bool, HasNextPage()),
                "hasPreviousPage": lambda f, _n: self.plain(f, bool, HasPreviousPage()),
                "startCursor": lambda f, _n: self.plain(f, str, PageCursor(last=False)),
                "endCursor": lambda f, _n: self.plain(f, str, PageCursor(last=True)),
            }
            return PageInfo(self.values(self.value_type(f, many=False), found, table))

        return ConnectionShape(self.values(connection_type, nodes, {
            "nodes": lambda f, found: Nodes(self.object_plan(node_type, found)),
            "edges": edges,
            "pageInfo": page_info,
            "totalCount": lambda f, _n: self.plain(f, int, TotalCount()),
        }))

    def plain(self, field: GraphQLField, python_type: type, part: Any) -> Any:
        """`part`, which answers values of `python_type` as they are, when the field's type answers them so."""
        if self.leaf(field, python_type, str(field.type)) is not None:
            raise NotCompiled(f"a field of type {field.type}")
        return part

    def matrix_plan(self, field: GraphQLField, nodes: FieldNodes) -> MatrixPlan:
        matrix_type = self.value_type(field, many=False)
        if matrix_type != "GrowthMatrix":
            raise NotCompiled(f"a field of type {field.type}")

        def accounts(f: GraphQLField, found: FieldNodes) -> CellAccounts:
            return CellAccounts(QuadrantAccounts(self.binder(f, found, listed_quadrant), self.connection(f, found)))

        def quadrants(f: GraphQLField, found: FieldNodes) -> Quadrants:
            cell_type = self.value_type(f, many=True)
            return Quadrants(self.values(cell_type, found, {
                "quadrant": lambda f, _n: self.plain(f, GrowthQuadrant, QuadrantName()),
                "accountCount": lambda f, _n: self.plain(f, int, AccountCount()),
                "totalCurrentValue": lambda f, found: Totals("current_value", self.money(f, found, many=True)),
                "totalPotential": lambda f, found: Totals("potential", self.money(f, found, many=True)),
                "accounts": accounts,
            }, arguments={"accounts": QUADRANT_ACCOUNTS}))

        def thresholds(f: GraphQLField, found: FieldNodes) -> Thresholds:
            return Thresholds(self.values(self.value_type(f, many=False), found, {
                "currentValue": lambda f, _n: Attribute("current_value", self.leaf(f, Decimal, "currentValue")),
                "potential": lambda f, _n: Attribute("potential", self.leaf(f, Decimal, "potential")),
            }))

        return MatrixPlan(self.values(matrix_type, nodes, {
            "thresholds": thresholds,
            "unassessedCount": lambda f, _n: self.plain(f, int, UnassessedCount()),
            "quadrants": quadrants,
        }))

    def map_plan(self, field: GraphQLField, nodes: FieldNodes) -> MapPlan:
        map_type = self.value_type(field, many=False)
        if map_type != "RelationshipMap":
            raise NotCompiled(f"a field of type {field.type}")

        def people(f: GraphQLField, found: FieldNodes, many: bool) -> Any:
            return self.object_plan(self._node_type(f, "Stakeholder", many), found)

        def objects(f: GraphQLField, found: FieldNodes, type_name: str, many: bool) -> Any:
            return self.object_plan(self._node_type(f, type_name, many), found)

        def enum_column(at: int, enum: Any) -> Callable[[GraphQLField, FieldNodes], Any]:
            return lambda f, _n: self.plain(f, enum, PersonColumn(at))

        def node(f: GraphQLField, found: FieldNodes) -> MapRows:
            return MapRows(False, self.values(self.value_type(f, many=True), found, {
                "stakeholder": lambda f, found: NodeStakeholder(people(f, found, False)),
                "buyingRoles": lambda f, _n: self.enum_list(f, BuyingRole) and NodeBuyingRoles(),
                "attitude": enum_column(PERSON_ATTITUDE, Attitude),
                "influence": enum_column(PERSON_INFLUENCE, Influence),
                "decisionLevel": enum_column(PERSON_DECISION_LEVEL, DecisionLevel),
                "coveredByCount": lambda f, _n: self.plain(f, int, NodeCoveredByCount()),
                "strongestCoverage": lambda f, _n: self.plain(f, CoverageStrength, NodeStrongestCoverage()),
                "coverage": lambda f, found: NodeCoverage(objects(f, found, "Coverage", True)),
            }, RowTypename))

        def edge(f: GraphQLField, found: FieldNodes) -> MapRows:
            return MapRows(True, self.values(self.value_type(f, many=True), found, {
                "kind": lambda f, _n: self.plain(f, EdgeKind, LineColumn(LINE_KIND)),
                "source": lambda f, found: LineEnd(LINE_SOURCE, people(f, found, False)),
                "target": lambda f, found: LineEnd(LINE_TARGET, people(f, found, False)),
                "strength": lambda f, _n: self.plain(f, LinkStrength, LineColumn(LINE_STRENGTH)),
                "influenceLink": lambda f, found: LineInfluenceLink(objects(f, found, "InfluenceLink", False)),
            }, RowTypename))

        def summary(f: GraphQLField, found: FieldNodes) -> MapSummaryOf:
            def role_counts(f: GraphQLField, found: FieldNodes) -> RoleCounts:
                return RoleCounts(self.values(self.value_type(f, many=True), found, {
                    "role": lambda f, _n: Attribute("role", self.leaf(f, BuyingRole, "role")),
                    "count": lambda f, _n: self.plain(f, int, Attribute("count")),
                }))

            return MapSummaryOf(self.values(self.value_type(f, many=False), found, {
                "stakeholdersByRole": role_counts,
                "uncoveredDecisionMakers": lambda f, found: SummaryPeople("uncovered_decision_maker_ids", people(f, found, True)),
                "influentialOpponents": lambda f, found: SummaryPeople("influential_opponent_ids", people(f, found, True)),
                "coveredStakeholderCount": lambda f, _n: self.plain(f, int, SummaryValue("covered_stakeholder_count", True)),
                "singleThreaded": lambda f, _n: self.plain(f, bool, SummaryValue("single_threaded", True)),
                "supportIndex": lambda f, _n: self.float_value(f, SummaryValue("support_index", False)),
                "unreachableDecisionMakers": lambda f, found: SummaryUnreachable(people(f, found, True)),
            }, SummaryTypename))

        def influence_paths(f: GraphQLField, found: FieldNodes) -> MapInfluencePaths:
            def steps(f: GraphQLField, found: FieldNodes) -> PathSteps:
                return PathSteps(self.values(self.value_type(f, many=True), found, {
                    "kind": lambda f, _n: self.plain(f, StepKind, PathValue(lambda step: step.kind.name)),
                    "source": lambda f, found: PathPeople("source_id", people(f, found, False)),
                    "target": lambda f, found: PathPeople("target_id", people(f, found, False)),
                    "strength": lambda f, _n: self.plain(f, LinkStrength, PathValue(lambda step: step.strength.name)),
                    "factor": lambda f, _n: self.float_value(f, PathValue(step_factor)),
                    "influenceLink": lambda f, found: StepLink(objects(f, found, "InfluenceLink", False)),
                }))

            return MapInfluencePaths(self.values(self.value_type(f, many=True), found, {
                "decisionMaker": lambda f, found: PathPeople("decision_maker_id", people(f, found, False)),
                "start": lambda f, found: PathPeople("start_id", people(f, found, False)),
                "startReasons": lambda f, _n: self.enum_list(f, StartReason) and PathValue(
                    lambda path: [reason.name for reason in path.start_reasons]
                ),
                "steps": steps,
                "strength": lambda f, _n: self.float_value(f, PathValue(lambda path: round(float(path.strength), 6))),
                "length": lambda f, _n: self.plain(f, int, PathValue(lambda path: len(path.steps))),
            }))

        return MapPlan(self.values(map_type, nodes, {
            "account": lambda f, found: MapAccount(objects(f, found, "Account", False)),
            "nodes": node,
            "edges": edge,
            "coverage": lambda f, found: MapCoverageList(objects(f, found, "Coverage", True)),
            "summary": summary,
            "influencePaths": influence_paths,
        }, MapTypename))

    def _node_type(self, field: GraphQLField, type_name: str, many: bool) -> str:
        if self.target(field, many=many) != type_name:
            raise NotCompiled(f"a field of type {field.type}")
        return type_name

    def aggregate(self, field: GraphQLField, nodes: FieldNodes, kind: Kind, binder: Callable[[Run], Any]) -> AggregateOf:
        """`<kind>Aggregate`: its totals, and each `groups` field with the keys, counts and measures of its groups."""
        totals: set[str] = set()
        totals_statistics: set[str] = set()
        asked_totals = False
        groupings: list[GroupsOf] = []

        def statistic(name: str, measured: set[str], statistics: set[str]) -> Callable[[GraphQLField, FieldNodes], Statistic]:
            def build(f: GraphQLField, found: FieldNodes) -> Statistic:
                statistics.add(name)
                table: dict[str, Callable[[GraphQLField, FieldNodes], Any]] = {}
                for m in kind.measures:
                    def measure(f: GraphQLField, found: FieldNodes, m: Measure = m) -> Any:
                        measured.add(m.key)
                        if m.money:
                            return MoneyMeasure(m.key, name, self.money(f, found, many=True))
                        return self.float_value(f, NumberMeasure(m.key, name))
                    table[camel(m.key)] = measure
                return Statistic(self.values(self.value_type(f, many=False), found, table))
            return build

        def measured_fields(measured: set[str], statistics: set[str]) -> dict[str, Callable[[GraphQLField, FieldNodes], Any]]:
            table: dict[str, Callable[[GraphQLField, FieldNodes], Any]] = {"count": lambda f, _n: self.plain(f, int, Count())}
            for name in STATISTICS:
                table[name] = statistic(name, measured, statistics)
            return table

        def key(members: list[ObjectPlan]) -> Callable[[GraphQLField, FieldNodes], Key]:
            def build(f: GraphQLField, found: FieldNodes) -> Key:
                return Key(self.values(self.value_type(f, many=False), found, {
                    camel(d.key): self.key_value(d, members) for d in kind.dimensions.values()
                }))
            return build

        def groups(f: GraphQLField, found: FieldNodes) -> GroupsOf:
            measured: set[str] = set()
            statistics: set[str] = set()
            members: list[ObjectPlan] = []
            group_type = self.value_type(self.field(self.value_type(f, many=False), "nodes"), many=True)
            fields = self.values(self.value_type(f, many=False), found, {
                "hasMore": lambda f, _n: self.plain(f, bool, HasMore()),
                "nodes": lambda _f, found: GroupNodes(self.values(group_type, found, {
                    "key": key(members), **measured_fields(measured, statistics),
                })),
            })
            asked = replace(kind, measures=tuple(m for m in kind.measures if m.key in measured), statistics=frozenset(statistics))
            grouping = GroupsOf(self.binder(f, found, groups_request(kind)), fields, asked, tuple(members))
            groupings.append(grouping)
            return grouping

        def total(build: Callable[[GraphQLField, FieldNodes], Any]) -> Callable[[GraphQLField, FieldNodes], TotalsOf]:
            def made(f: GraphQLField, found: FieldNodes) -> TotalsOf:
                nonlocal asked_totals
                asked_totals = True
                return TotalsOf(build(f, found))
            return made

        aggregate_type = self.value_type(field, many=False)
        table = {name: total(build) for name, build in measured_fields(totals, totals_statistics).items()}
        fields = self.values(aggregate_type, nodes, {**table, "groups": groups}, arguments={"groups": ("by", "first")})
        asked = replace(kind, measures=tuple(m for m in kind.measures if m.key in totals), statistics=frozenset(totals_statistics))
        return AggregateOf(binder, fields, tuple(groupings), asked if asked_totals else None)

    def key_value(self, dimension: Dimension, members: list[ObjectPlan]) -> Callable[[GraphQLField, FieldNodes], Any]:
        """A dimension's field of a group key: a team member (an object of its own), a period, an enum or a plain value."""
        what = f"key.{camel(dimension.key)}"

        def build(f: GraphQLField, found: FieldNodes) -> Any:
            if dimension.key in MEMBER_KEYS:
                target = self.object_plan(self.target(f, many=False), found)
                members.append(target)
                return KeyMember(dimension.key, target)
            python_type = dimension.value_type
            if python_type is Bucket:
                bucket_type = self.value_type(f, many=False)
                return KeyBucket(dimension.key, self.values(bucket_type, found, {
                    "grain": lambda f, _n: Attribute("grain", self.enum_value(f, Grain, "TimeBucket.grain")),
                    "start": lambda f, _n: Attribute("start", self.leaf(f, date, "TimeBucket.start")),
                    "end": lambda f, _n: Attribute("end", self.leaf(f, date, "TimeBucket.end")),
                    "label": lambda f, _n: Attribute("label", self.leaf(f, str, "TimeBucket.label")),
                }))
            if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
                return KeyValue(dimension.key, self.enum_value(f, python_type, what))
            return KeyValue(dimension.key, self.leaf(f, python_type, what))

        return build

    def enum_value(self, field: GraphQLField, python_type: Any, what: str) -> Callable[[Any], str]:
        """An enum field answering values of `python_type` (members, or the names they are stored by)."""
        is_list, named = shape(field.type)
        if is_list or not isinstance(named, GraphQLEnumType):
            raise NotCompiled(f"{what}: a field of type {field.type}")
        self.enum(named, python_type, what)
        return enum_name(python_type)

    def float_value(self, field: GraphQLField, part: Any) -> Any:
        """A Float field whose value is a Python float (or null), which JSON writes as GraphQL serializes it."""
        is_list, named = shape(field.type)
        if is_list or named.name != "Float":
            raise NotCompiled(f"a field of type {field.type}")
        return part

