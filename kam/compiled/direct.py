"""Direct reads: a query once answered from its plan is answered again without GraphQL's request pipeline.

A document whose operation has a plan (planner.py) and that was answered
from it through the whole pipeline has shown everything the pipeline decides
per document: it parses, passes validation with kam's rules and the limits of
tokens, depth, aliases, fields and introspections, and names one query. What
the pipeline decides per request is decided here as it decides it: the JSON
body (its nesting, its lists, text no store keeps), the variables' types, the
query's cost and whether it is heavy, the arguments the plan binds.

Whatever is unusual (another media type or a streamed response, a body that
is not plain JSON, variables that do not fit, a cost above the limit, an
argument the resolvers refuse, a read that fails) goes through the pipeline as
before, so every error keeps its shape; a direct answer is the pipeline's
answer, byte for byte (tests/test_direct.py). The pipeline's view, its
parse, validation and cost hooks and its executor cost a request more than
the seven statements of a relationship map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import strawberry

from kam.compiled.extension import answer, planner_of
from kam.compiled.planner import Planned
from kam.cost import operation_cost
from kam.inputs import json_problem, unstorable_text
from kam.settings import Settings
from resolvers.context import RequestContext


@dataclass(frozen=True, slots=True)
class DirectRequest:
    planned: Planned
    variables: dict[str, Any]
    cost: int


class DirectReads:
    """Finds requests for operations answered from their plans before, and answers them."""

    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        self.planner = planner_of(schema, settings.document_cache_size, settings.document_cache_bytes)
        self.graphql = schema._schema
        self.default_page_size = settings.default_page_size
        self.max_page_size = settings.max_page_size
        self.max_cost = settings.max_query_cost
        self.max_depth = settings.max_json_depth
        self.max_items = settings.max_json_items

    def find(self, body: bytes) -> DirectRequest | None:
        """The request in `body` when it asks for an operation answered from its plan before, with variables it can run with."""
        try:
            data = orjson.loads(body)  # stricter than the pipeline's json: what it refuses goes there
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict):
            return None
        query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
        if not (
            isinstance(query, str)
            and isinstance(variables, dict | None)
            and isinstance(name, str | None)
            and isinstance(data.get("extensions"), dict | None)
        ):
            return None
        planned = self.planner.answered_before(query, name)
        variables = variables or {}
        if (
            planned is None
            or json_problem(data, self.max_depth, self.max_items) is not None
            or unstorable_text(data) is not None
        ):
            return None
        cost = operation_cost(
            self.graphql,
            query,
            planned.document,
            name,
            variables,
            default_page_size=self.default_page_size,
            max_page_size=self.max_page_size,
            maximum=self.max_cost,
        )
        if cost is None or cost > self.max_cost:
            return None
        return DirectRequest(planned, variables, cost)

    async def answer(self, request: DirectRequest, ctx: RequestContext) -> bytes | None:
        """The response body, or None when the pipeline must answer (nothing was kept of the attempt)."""
        data = await answer(request.planned, request.variables, ctx)
        if data is None:
            return None
        return orjson.dumps({"data": data, "extensions": {"cost": {"requested": request.cost, "maximum": self.max_cost}}})
