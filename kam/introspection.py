"""Introspection answered once per selection: the schema does not change while a worker runs.

GraphiQL, code generators and schema registries send the same introspection
again and again, and answering one is some ten thousand fields through the
executor (tens of milliseconds on the worker's thread). An operation that
selects nothing but `__schema`, `__type` and `__typename` at its root is
answered field by field from answers kept per worker: the key of a root field
is its printed form without the alias (so arguments and the whole selection),
the fragments it spreads, and the request's variables, so that documents that
differ in whitespace, comments or aliases share an answer, and documents whose
fragments of one name differ do not. An answer is computed by graphql-core's
executor on a document of that one field, and kept as JSON bytes (nothing for
the garbage collector to walk), bounded by `KEPT_BYTES`. Anything else, or an
answer with errors, is left to the executor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from graphql import DocumentNode, ExecutionResult, FieldNode, FragmentDefinitionNode, FragmentSpreadNode
from graphql import GraphQLSchema, InlineFragmentNode, OperationDefinitionNode, OperationType, SelectionSetNode
from graphql import execute, print_ast
from strawberry.extensions import SchemaExtension

from kam.cost import select_operation
from kam.documents import SizedLRU

ROOT_FIELDS = frozenset({"__schema", "__type", "__typename"})
KEPT_ANSWERS = 32  # answers per worker
KEPT_BYTES = 8 * 1024 * 1024  # of JSON per worker; GraphiQL's whole-schema introspection is about 200 KB

Key = tuple[str, tuple[str, ...], bytes]


def root_fields(operation: OperationDefinitionNode) -> list[FieldNode] | None:
    """The root fields of a query that selects introspection only, without directives or fragments at its root
    (None for any other operation: the executor answers it)."""
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    fields = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in ROOT_FIELDS or selection.directives:
            return None
        fields.append(selection)
    return fields


def spread_fragments(node: FieldNode, fragments: Mapping[str, FragmentDefinitionNode]) -> list[FragmentDefinitionNode]:
    """The fragment definitions a field spreads, directly or through other fragments, by name."""
    found: dict[str, FragmentDefinitionNode] = {}
    pending: list[SelectionSetNode] = [node.selection_set] if node.selection_set else []
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in found and name in fragments:
                    found[name] = fragments[name]
                    pending.append(fragments[name].selection_set)
            elif isinstance(selection, (FieldNode, InlineFragmentNode)) and selection.selection_set:
                pending.append(selection.selection_set)
    return [found[name] for name in sorted(found)]


class IntrospectionAnswers:
    """A worker's kept answers of introspection root fields, as JSON."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.kept: SizedLRU[bytes] = SizedLRU(KEPT_ANSWERS, KEPT_BYTES, largest=KEPT_BYTES // 4)
        self.computed = 0  # answers computed, not found kept: for tests and the curious

    def data(self, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]) -> dict[str, Any] | None:
        """The operation's `data` from kept answers (computing those missing), or None when the executor must
        answer it."""
        operation = select_operation(document, operation_name)
        fields = root_fields(operation) if operation is not None else None
        if not fields:
            return None
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        try:
            values = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # e.g. an integer past 64 bits: the executor reports what it makes of it
            return None
        data: dict[str, Any] = {}
        for node in fields:
            answer = self.answer(operation, node, spread_fragments(node, fragments), variables, values)
            if answer is None:
                return None
            # Fields of one response name were merged by validation's rule: they are the same field.
            data.setdefault(node.alias.value if node.alias else node.name.value, orjson.loads(answer))
        return data

    def answer(
        self,
        operation: OperationDefinitionNode,
        node: FieldNode,
        fragments: list[FragmentDefinitionNode],
        variables: Mapping[str, Any],
        values: bytes,
    ) -> bytes | None:
        field = FieldNode(name=node.name, arguments=node.arguments, directives=(), selection_set=node.selection_set)
        key: Key = (print_ast(field), tuple(print_ast(f) for f in fragments), values)
        found = self.kept.get(key)
        if found is not None:
            return found
        alone = DocumentNode(
            definitions=(
                OperationDefinitionNode(
                    operation=OperationType.QUERY,
                    variable_definitions=operation.variable_definitions,
                    directives=(),
                    selection_set=SelectionSetNode(selections=(field,)),
                ),
                *fragments,
            )
        )
        result = execute(self.schema, alone, variable_values=dict(variables))
        if not isinstance(result, ExecutionResult) or result.errors or result.data is None:
            return None
        self.computed += 1
        answer = orjson.dumps(result.data[node.name.value])
        self.kept.put(key, answer, len(answer))
        return answer


_answers: WeakKeyDictionary[GraphQLSchema, IntrospectionAnswers] = WeakKeyDictionary()


def answers_of(schema: GraphQLSchema) -> IntrospectionAnswers:
    """The worker's kept answers for `schema`."""
    found = _answers.get(schema)
    if found is None:
        found = _answers[schema] = IntrospectionAnswers(schema)
    return found


class KeptIntrospection(SchemaExtension):
    """Answers an introspection-only query from the worker's kept answers (after validation, limits and cost)."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            variables = context.variables if isinstance(context.variables, Mapping) else {}
            data = answers_of(context.schema._schema).data(context.graphql_document, context.operation_name, variables)
            if data is not None:
                context.result = ExecutionResult(data=data)
        yield
