"""Query cost: an estimate of how many objects an operation may return, checked before it runs.

Every field that returns an object costs 1 for each object it may return.
A connection's `edges` and `nodes` return as many objects as the page asked
for (`first`/`last`, the default page size when neither is given, never more
than the maximum page size), and everything selected inside them is counted
that many times. `nodes(ids:)` counts one per ID; a list that never holds
more than a few items says so (`LIST_SIZE`: a path of influence's steps) and
counts that many; other lists, whose length the client cannot choose, count
as one default page. Scalars and enums are
free. So `{ accounts(first: 50) { nodes { name owner { name } } } }` costs
1 + 50 x (1 + 1) = 101.

Introspection is priced the same way, its lists at what they can hold in this
schema (`introspection_sizes`): a nested introspection (`types { fields { type
{ fields ...`) multiplies the largest of them, as it may, and is refused; the
full introspection GraphiQL sends counts the schema's types, fields and
arguments once each (7,681 in kam's schema). That 30 aliased copies of it still
cost less than the limit is why `__schema` has a limit of its own (kam/limits.py).

The cost of the operation that runs is reported in the response's
`extensions.cost` as `{requested, maximum}`; above the maximum, nothing runs
and the error says by how much.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_composite_type,
    is_input_object_type,
)
from strawberry.extensions import SchemaExtension

from kam.heavy import HeavyTurns, introspects_schema
from kam.limits import QUERY_TOO_COSTLY, past_limit
from resolvers.aggregates.grouping import DEFAULT_GROUPS, MAX_GROUPS
from schema.common import LIST_SIZE

CONNECTION_FIELDS = ("edges", "pageInfo")
PAGE_ARGUMENTS = ("first", "last")
META_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}
Cost = int | Fraction  # introspection lists count fractions of objects per parent


def list_size(field: GraphQLField) -> int | None:
    """The most items a list field holds when its schema field says (`metadata={LIST_SIZE: n}`), as the
    cost directive's `@listSize(assumedSize:)` does; None for the others (counted as a default page)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    size = getattr(definition, "metadata", None) and definition.metadata.get(LIST_SIZE)
    return size if isinstance(size, int) else None


def is_connection(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLObjectType) and all(name in type_.fields for name in CONNECTION_FIELDS)


class ListSize(NamedTuple):
    """What one introspection list (`__Type.fields`, ...) holds in a schema."""

    largest: int  # items in the longest such list
    total: int  # items in all of them together
    parents: int  # objects having such a list (all types, all fields, ...)
    whole: bool  # the items of all parents are all objects of their kind (every type's fields: every field)


IntrospectionSizes = dict[tuple[str, str], ListSize]
_introspection_sizes: WeakKeyDictionary[GraphQLSchema, IntrospectionSizes] = WeakKeyDictionary()


def introspection_sizes(schema: GraphQLSchema) -> IntrospectionSizes:
    """The sizes of the introspection lists of `schema`, computed once per schema.

    A list reached from one object counts its `largest`; reached from all
    objects of their kind (`__schema { types { fields ...`), `total / parents`
    per object, so the whole list costs what it holds, not the largest of
    them times the number of types.
    """
    sizes = _introspection_sizes.get(schema)
    if sizes is not None:
        return sizes
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType))]
    fields = [f for t in with_fields for f in t.fields.values()]
    directives = schema.directives

    def size(counts: Iterable[int], parents: int, whole: bool) -> ListSize:
        counted = list(counts)
        return ListSize(max(counted, default=0), sum(counted), parents, whole)

    sizes = _introspection_sizes[schema] = {
        ("__Schema", "types"): size([len(types)], 1, True),
        ("__Schema", "directives"): size([len(directives)], 1, True),
        ("__Type", "fields"): size((len(t.fields) for t in with_fields), len(types), True),
        ("__Type", "inputFields"): size((len(t.fields) for t in types if is_input_object_type(t)), len(types), True),
        ("__Type", "enumValues"): size(
            (len(t.values) for t in types if isinstance(t, GraphQLEnumType)), len(types), True
        ),
        ("__Type", "interfaces"): size((len(t.interfaces) for t in with_fields), len(types), False),
        ("__Type", "possibleTypes"): size(
            (len(schema.get_possible_types(t)) for t in types if is_abstract_type(t)), len(types), False
        ),
        ("__Field", "args"): size((len(f.args) for f in fields), len(fields), True),
        ("__Directive", "args"): size((len(d.args) for d in directives), len(directives), True),
    }
    return sizes


class CostCounter:
    """Computes the cost of one operation; fragments are costed once per page size (and introspection scope) they are
    used with."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        default_page_size: int,
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = literal(definition.default_value, {})
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size
        self.introspection = introspection_sizes(schema)
        self._costed: dict[tuple[str, int | None, bool], Cost] = {}
        self._costing: set[str] = set()
        self.read: set[str] = set()  # the variables the cost depends on

    def signature(self, names: Iterable[str]) -> tuple[Any, ...]:
        """What the cost sees of these variables: integers, and the lengths of lists."""
        values = (self.variables.get(name) for name in names)
        return tuple(v if is_int(v) else len(v) if isinstance(v, list) else None for v in values)

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return math.ceil(self.selection_cost(operation.selection_set, root, None, False)) if root else 0

    def selection_cost(
        self, selection_set: SelectionSetNode | None, parent: Any, page: int | None, whole: bool
    ) -> Cost:
        """Cost of one object's selections; `page` is the page size when the object is a connection, `whole` whether
        it is one of all introspection objects of its kind."""
        total: Cost = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, page, whole)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(selection.selection_set, inner, page, whole)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_cost(selection.name.value, page, whole)
        return total

    def field_cost(self, node: FieldNode, parent: Any, page: int | None, whole: bool) -> Cost:
        name = node.name.value
        if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return 0
        field = META_FIELDS.get(name) or parent.fields.get(name)
        if field is None:
            return 0
        returned = get_named_type(field.type)
        if not is_composite_type(returned):
            return 0
        if name in META_FIELDS or parent.name.startswith("__"):
            count, whole = self.introspected(parent.name, name, field, whole)
            return count * (1 + self.selection_cost(node.selection_set, returned, None, whole))
        count = self.objects_returned(node, field, page)
        inner_page = self.page_size(node) if is_connection(returned) else self.groups(node, field, returned)
        return count * (1 + self.selection_cost(node.selection_set, returned, inner_page, False))

    def introspected(self, parent: str, name: str, field: GraphQLField, whole: bool) -> tuple[Cost, bool]:
        """Objects an introspection field returns, and whether they are all of their kind."""
        if not isinstance(get_nullable_type(field.type), GraphQLList):
            return 1, False
        size = self.introspection.get((parent, name))
        if size is None:  # no such list in graphql-core's introspection today: as long as the list of all types
            return len(self.schema.type_map), False
        whole = whole or size.parents == 1
        return (Fraction(size.total, size.parents) if whole else size.largest), whole and size.whole

    def objects_returned(self, node: FieldNode, field: GraphQLField, page: int | None) -> int:
        if not isinstance(get_nullable_type(field.type), GraphQLList):
            return 1
        if page is not None:
            return page
        ids = self.argument(node, "ids")
        if ids is not None:
            return min(len(ids) if isinstance(ids, list) else 1, self.max_page_size)
        return list_size(field) or self.default_page_size

    def groups(self, node: FieldNode, field: GraphQLField, returned: GraphQLNamedType) -> int | None:
        """An aggregate's `groups(by:, first:)` returns `first` groups as `nodes` (the default when not given)."""
        if "by" not in field.args or not isinstance(returned, GraphQLObjectType) or "nodes" not in returned.fields:
            return None
        asked = self.argument(node, "first")
        return max(0, min(asked, MAX_GROUPS)) if is_int(asked) else DEFAULT_GROUPS

    def page_size(self, node: FieldNode) -> int:
        asked = [value for name in PAGE_ARGUMENTS if is_int(value := self.argument(node, name))]
        if not asked:
            return self.default_page_size
        return max(0, min(max(asked), self.max_page_size))

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                if isinstance(argument.value, VariableNode):
                    self.read.add(argument.value.name.value)
                return literal(argument.value, self.variables)
        return None

    def fragment_cost(self, name: str, page: int | None, whole: bool) -> Cost:
        key = (name, page, whole)
        if key in self._costed:
            return self._costed[key]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._costing:
            return 0  # unknown fragments and cycles are reported by graphql's own rules
        self._costing.add(name)
        try:
            parent = self.schema.get_type(fragment.type_condition.name.value)
            cost = self._costed[key] = self.selection_cost(fragment.selection_set, parent, page, whole)
        finally:
            self._costing.discard(name)
        return cost


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def literal(value: ValueNode, variables: Mapping[str, Any]) -> Any:
    """The few argument values cost depends on (integers and list lengths), from the document or the variables."""
    if isinstance(value, VariableNode):
        return variables.get(value.name.value)
    if isinstance(value, IntValueNode):
        try:
            return int(value.value)
        except ValueError:
            return None
    if isinstance(value, ListValueNode):
        return list(value.values)
    return None


def cost_exceeded(requested: int, maximum: int) -> GraphQLError:
    return GraphQLError(
        f"The operation would cost {requested}; the limit is {maximum}. "
        "Ask for smaller pages (`first`/`last`) or fewer nested lists.",
        extensions=past_limit(QUERY_TOO_COSTLY, "maxQueryCost", maximum, requested),
    )


# Costs by document and by what the cost sees of the variables (LRU), per schema: walking a large
# document per request costs more than answering a small query.
COSTS_KEPT = 2048
COSTS_KEPT_LARGEST = 16_384  # characters: the largest document the document cache keeps by default
_costs: WeakKeyDictionary[GraphQLSchema, OrderedDict[Any, Any]] = WeakKeyDictionary()


def operation_cost(
    schema: GraphQLSchema,
    query: str | None,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    default_page_size: int,
    max_page_size: int,
    maximum: int,
) -> int | None:
    """The cost of the named operation of `document` (`query` is its text) with these variables; None when the
    document holds no such operation. Kept per document and what the cost sees of the variables."""
    operation = select_operation(document, operation_name)
    if operation is None:
        return None
    counter = CostCounter(schema, document, operation, variables, default_page_size, max_page_size)
    kept = _costs.setdefault(schema, OrderedDict())
    document_key = (query, operation_name, default_page_size, max_page_size)
    names = kept.get(document_key)
    key = None if names is None else (document_key, counter.signature(names))
    requested = None if key is None else kept.get(key)
    if requested is None:
        try:
            requested = counter.operation_cost(operation)
        except RecursionError:
            requested = maximum + 1
        else:
            if query is not None and len(query) > COSTS_KEPT_LARGEST:
                return requested  # a document too large for the document cache is not kept here either
            names = tuple(sorted(counter.read))
            kept[document_key] = names
            kept[document_key, counter.signature(names)] = requested
            while len(kept) > COSTS_KEPT:
                kept.popitem(last=False)
    return requested  # type: ignore[no-any-return]


class QueryCost(SchemaExtension):
    """Refuses operations costing more than `maximum` and reports the cost in `extensions.cost`."""

    def __init__(
        self, *, maximum: int, default_page_size: int, max_page_size: int, turns: HeavyTurns | None = None
    ) -> None:
        self.maximum = maximum
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size
        self.turns = turns
        self.requested: int | None = None

    def on_validate(self) -> Iterator[None]:
        """Measured per request once the document is validated (`ParseOnce` validates first), since it depends on
        the variables; reported beside the other limits the document breaks."""
        self.requested = None
        self.measure()
        yield

    def measure(self) -> None:
        context = self.execution_context
        if context.graphql_document is None:
            return
        variables = context.variables if isinstance(context.variables, Mapping) else {}
        requested = operation_cost(
            context.schema._schema,
            context.query,
            context.graphql_document,
            context.operation_name,
            variables,
            default_page_size=self.default_page_size,
            max_page_size=self.max_page_size,
            maximum=self.maximum,
        )
        if requested is None:
            return
        self.requested = requested
        if requested > self.maximum:
            context.pre_execution_errors = [*(context.pre_execution_errors or ()), cost_exceeded(requested, self.maximum)]

    async def on_execute(self) -> AsyncIterator[None]:
        """A heavy operation waits for its turn (`kam.heavy`) before it runs."""
        if self.turns is None:
            yield
            return
        context = self.execution_context
        operation = select_operation(context.graphql_document, context.operation_name) if context.graphql_document else None
        heavy = self.turns.is_heavy(self.requested) or introspects_schema(context.graphql_document, operation)
        async with self.turns.admitted(heavy):
            yield

    def get_results(self) -> dict[str, Any]:
        if self.requested is None:
            return {}
        return {"cost": {"requested": self.requested, "maximum": self.maximum}}


def select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if operations else None
    return next((o for o in operations if o.name and o.name.value == name), None)
