"""The compiled reads' part of strawberry's pipeline: after validation, a query with a plan is answered by it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from weakref import WeakKeyDictionary

import strawberry
from graphql import ExecutionResult, GraphQLError
from strawberry.types.graphql import OperationType
from strawberry.extensions import SchemaExtension

from kam.compiled.planner import Planned, Planner
from kam.compiled.run import Layout, Run
from kam.documents import DEFAULT_BYTES as DOCUMENT_CACHE_BYTES
from resolvers.context import RequestContext

log = logging.getLogger("kam.compiled")

_planners: WeakKeyDictionary[strawberry.Schema, Planner] = WeakKeyDictionary()


def planner_of(schema: strawberry.Schema, maxsize: int, max_bytes: int = DOCUMENT_CACHE_BYTES) -> Planner:
    """The schema's planner (one per schema and worker: plans are kept per document)."""
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
    except Exception:
        log.warning("binding a plan's arguments failed; answering through the executor", exc_info=True)
        return None  # nothing ran yet
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
            elif context.operation_type is OperationType.QUERY:
                reason = planner.reason(context.query, context.operation_name) or "not planned"
                planner.fallbacks.count(context.query, self.named, reason)
            if data is not None:
                planner.served(context.query, self.named, planned)  # type: ignore[arg-type]
                context.result = ExecutionResult(data=data)
        yield
