"""An operation's variables, coerced as graphql-core coerces them, with what depends only on the document
worked out once.

graphql-core's `get_variable_values` finds each variable's type in the schema from the document's type
node, and walks the value once for its depth before coercing it, on every request; for a planned
operation those types are the same every time. A request whose variables all fit their types and leave
none with a default value unset is coerced here with graphql-core's own `coerce_input_value`; any other
(a value that does not fit, a default to apply, a value nested too deeply) goes to `get_variable_values`,
which coerces it or reports its errors exactly as the executor would.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    Undefined,
    VariableDefinitionNode,
    is_non_null_type,
)
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)
from graphql.execution.values import (
    VariableValues,
    VariableValueSource,
    get_variable_values,
)
from graphql.utilities.coerce_input_value import coerce_input_value


class Variables:
    """The variables of one operation of a document, against one schema."""

    def __init__(self, schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]) -> None:
        self.schema = schema
        self.definitions = definitions

    @cached_property
    def signatures(self) -> list[tuple[GraphQLVariableSignature, bool]] | None:
        """Each variable's signature and whether it must be given; None when one has no input type
        (validation refuses that; `get_variable_values` reports it)."""
        found = []
        for node in self.definitions:
            signature = get_variable_signature(self.schema, node)
            if isinstance(signature, GraphQLError):
                return None
            found.append((signature, signature.default is not None or is_non_null_type(signature.type)))
        return found

    def coerce(self, given: dict[str, Any]) -> VariableValues | list[GraphQLError]:
        """The coerced variables, or the errors `get_variable_values` reports for them."""
        return self._fits(given) or get_variable_values(self.schema, self.definitions, given)

    def _fits(self, given: dict[str, Any]) -> VariableValues | None:
        signatures = self.signatures
        if signatures is None:
            return None
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for signature, settled_elsewhere in signatures:
            name = signature.name
            value = given.get(name, Undefined)
            if value is Undefined:
                if settled_elsewhere:
                    return None  # a default to coerce, or a required variable missing
                sources[name] = VariableValueSource(signature)
                continue
            sources[name] = VariableValueSource(signature, value)
            try:
                value = coerce_input_value(value, signature.type)
            except RecursionError:
                return None
            if value is Undefined:
                return None
            coerced[name] = value
        return VariableValues(sources, coerced)
