"""Schema extensions kam adds around every operation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import suppress
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
)
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    SchemaExtension,
)

from kam.cost import QueryCost
from kam.documents import DEFAULT_BYTES, Document, DocumentCache, cache_of, validated
from kam.heavy import HeavyTurns
from kam.inputs import text_problem, unstorable_text
from kam.limits import TokenLimit, shape_rule
from kam.request_id import current_request_id
from kam.settings import Settings
from kam.unavailable import is_unavailable, reason, unavailable_error

log = logging.getLogger("kam.errors")


class CloseSession(SchemaExtension):
    """End the request's transaction and give its connection back as soon as the operation is done.

    What the operation's mutations wrote is committed only when the whole
    answer resolved without an error; otherwise all of it is rolled back and
    `data` becomes null, with a `ROLLED_BACK` error saying so, so no client
    reads a payload that was not kept.

    A read still running in another task (a DataLoader batch whose callers
    GraphQL cancelled when a sibling field failed) finishes first: the session
    is ended under the context's lock, never in the middle of a statement. An
    operation stopped by the time limit does not wait for such a read; its
    transaction is rolled back and its connection goes back when the read ends.
    """

    async def on_operation(self) -> AsyncIterator[None]:
        if hasattr(self.execution_context.context, "operating"):
            self.execution_context.context.operating = True
        try:
            yield
        finally:
            context = self.execution_context.context
            if getattr(context, "session", None) is not None:
                task = asyncio.current_task()
                lock = getattr(context, "lock", None)
                if task is not None and task.cancelling() and lock is not None and lock.locked():
                    closing = asyncio.ensure_future(end_session(context, keep=False))
                    _closing.add(closing)
                    closing.add_done_callback(_closing.discard)
                else:
                    await self.finish(context)

    async def finish(self, context: Any) -> None:
        result = self.execution_context.result
        keep = result is not None and not result.errors
        await end_session(context, keep=keep)
        if result is not None and result.errors and context.changed:
            result.data = None
            result.errors = [*result.errors, ROLLED_BACK]


ROLLED_BACK = GraphQLError(
    "Nothing was saved: the operation had errors, so every change it made was rolled back.",
    extensions={"code": "ROLLED_BACK"},
)

_closing: set[asyncio.Future[None]] = set()


async def end_session(context: Any, *, keep: bool) -> None:
    try:
        await context.finish(keep=keep)
    except Exception:
        log.warning("ending the request's session failed (request %s)", current_request_id.get(), exc_info=True)
        with suppress(Exception):
            if context.opened is not None:
                await context.opened.invalidate()
        if keep:
            raise


class ParseOnce(SchemaExtension):
    """Each distinct document is parsed and validated once per worker, while kam's document cache keeps it.

    The cache (kam/documents.py) is bounded by the total length of the texts
    kept (`KAM_DOCUMENT_CACHE_BYTES`) as well as by their number
    (`KAM_DOCUMENT_CACHE_SIZE`), and keeps no document longer than a sixteenth
    of that: those are parsed and validated per request. One entry holds the
    document and its validation errors per set of rules, keyed by the text and
    the parse options. A document that does not parse is left to strawberry,
    whose own parse reports it, so the error is coded and limited like any
    other. Validation happens when its on_validate is entered, so the
    extensions after it see the errors (strawberry's own validation, after every
    on_validate was entered, then finds it done).
    """

    def __init__(self, maxsize: int, max_bytes: int = DEFAULT_BYTES) -> None:
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.entry: Document | None = None

    def cache(self) -> DocumentCache:
        return cache_of(self.execution_context.schema._schema, self.maxsize, self.max_bytes)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            with suppress(GraphQLError):
                self.entry = self.cache().parsed(context.query, context.parse_options)
                context.graphql_document = self.entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = validated(
                context.schema._schema, self.entry, context.graphql_document, tuple(context.validation_rules)
            )
        yield


def is_unexpected(error: GraphQLError) -> bool:
    """Errors kam raises on purpose carry a code; the client must not see anything else: a bug, or a database
    that cannot answer right now (`masked` tells them apart)."""
    original = error.original_error
    coded = bool(error.extensions and error.extensions.get("code"))
    return original is not None and not isinstance(original, GraphQLError) and not coded


def code_errors(errors: list[GraphQLError] | None, code: str) -> None:
    for error in errors or ():
        if not (error.extensions and error.extensions.get("code")):
            error.extensions = {**(error.extensions or {}), "code": code}


class RequestErrorCodes(SchemaExtension):
    """Give every error of a request that could not run a code, so clients can tell them apart.

    GRAPHQL_PARSE_FAILED: not GraphQL. GRAPHQL_VALIDATION_FAILED: not valid
    against the schema (including a literal of the wrong type). BAD_USER_INPUT:
    the variables do not fit their declared types.

    It also notes on the request's context when execution begins (`executed`): only then does the answer have a
    `data` entry (kam/app.py).
    """

    def on_parse(self) -> Iterator[None]:
        yield
        errors = self.execution_context.pre_execution_errors or []
        code_errors([e for e in errors if isinstance(e, GraphQLSyntaxError)], "GRAPHQL_PARSE_FAILED")

    def on_validate(self) -> Iterator[None]:
        yield
        code_errors(self.execution_context.pre_execution_errors, "GRAPHQL_VALIDATION_FAILED")

    def on_execute(self) -> Iterator[None]:
        # Execution begins (a heavy operation's wait for its turn, and a time limit met from here on, included):
        # the request's answer has `data`, null if need be (kam/app.py), unless graphql refuses the variables.
        context = self.execution_context.context
        noted = hasattr(context, "executed")
        if noted:
            context.executed = True
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors and getattr(result, "data", None) is None and all(e.path is None for e in errors):
            # Nothing was resolved: graphql refused the variables (or found no operation) before executing.
            code_errors(errors, "BAD_USER_INPUT")
            if noted:
                context.executed = False


class OperationNameRule(ValidationRule):
    """A document with several operations needs `operationName`, as GraphQL says, rather than running the first."""

    def enter_document(self, node: DocumentNode, *_args: Any) -> Any:
        operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            self.report_error(
                GraphQLError("The document holds several operations: name the one to run in `operationName`.")
            )
        return self.SKIP


class RequireOperationName(SchemaExtension):
    """Checks `OperationNameRule` for requests that name no operation (before parsing, only what the request named)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        if context.operation_name is None:
            context.validation_rules = (*context.validation_rules, OperationNameRule)
        yield


def text_error(problem: str, node: StringValueNode | None = None) -> GraphQLError:
    return GraphQLError(f"Text must not contain {problem}.", node, extensions={"code": "BAD_USER_INPUT"})


class UnstorableLiteralRule(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        problem = text_problem(node.value)
        if problem is not None:
            self.report_error(text_error(problem, node))


class RefuseUnstorableText(SchemaExtension):
    """Refuse text no store keeps (U+0000, lone surrogates: `kam.inputs`) anywhere in arguments or variables.

    Literals are checked with the (cached) validation of the document, variables per request after it.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, UnstorableLiteralRule)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context  # validated already: `ParseOnce` comes first
        if not context.pre_execution_errors:
            problem = unstorable_text(context.variables or {})
            if problem is not None:
                context.pre_execution_errors = [text_error(problem)]
        yield


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected errors reach the client as INTERNAL_SERVER_ERROR and the log in full."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return masked(error)


def statement_timed_out(error: GraphQLError) -> bool:
    """PostgreSQL stopped a statement at `statement_timeout` (SQLSTATE 57014), which kam sets to the time limit."""
    original = error.original_error
    return isinstance(original, DBAPIError) and getattr(original.orig, "pgcode", None) == "57014"


def masked(error: GraphQLError) -> GraphQLError:
    """What the client sees of an unexpected error; the log gets all of it, with the request ID.

    A database that cannot answer right now (kam/unavailable.py) is no bug: a warning, and SERVICE_UNAVAILABLE,
    which kam/app.py makes the answer to the whole request."""
    request_id = current_request_id.get()
    if is_unavailable(error.original_error):
        log.warning(
            "the database is unavailable at %s (request %s): %s",
            error.path,
            request_id,
            reason(error),
            extra={"request_id": request_id},
        )
        return unavailable_error()
    if statement_timed_out(error):
        log.warning("a statement ran into the time limit at %s (request %s)", error.path, request_id)
        return GraphQLError(
            "A database statement ran past the request time limit and was stopped.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "TIMEOUT", "requestId": request_id},
        )
    log.error(
        "unexpected error at %s (request %s)",
        error.path,
        request_id,
        exc_info=error.original_error,
        extra={"request_id": request_id},
    )
    return GraphQLError(
        "Internal server error.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def mask_unexpected(errors: list[GraphQLError]) -> list[GraphQLError]:
    """The last line of defence: errors that escaped the operation (and so the masking extension) masked too."""
    return [masked(error) if is_unexpected(error) else error for error in errors]


def schema_extensions(settings: Settings, turns: HeavyTurns | None = None) -> list[Callable[[], Any]]:
    """Everything kam adds around an operation: session handling, error codes and masking, and the limits."""
    from kam.overlap import CheckMergedFields

    rules = [
        shape_rule(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_fields=settings.max_fields,
            max_introspections=settings.max_introspections,
        )
    ]
    extensions: list[Callable[[], Any]] = [
        CloseSession,
        # Parses and validates through kam's document cache. It validates when its on_validate is entered, so
        # the per-request checks of the extensions after it (NUL characters in variables, cost) see the
        # document's validation errors.
        lambda: ParseOnce(maxsize=settings.document_cache_size, max_bytes=settings.document_cache_bytes),
        MaskUnexpectedErrors,
        RequestErrorCodes,
        RefuseUnstorableText,
        RequireOperationName,
        lambda: TokenLimit(max_token_count=settings.max_tokens),
        # The limits on a document's shape end its validation before graphql-core's own rules do any work.
        lambda: AddValidationRules(rules),
        CheckMergedFields,
        lambda: QueryCost(
            maximum=settings.max_query_cost,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
            turns=turns,
        ),
    ]
    if settings.introspection:
        from kam.introspection import KeptIntrospection

        extensions.append(KeptIntrospection)
    else:
        extensions.append(DisableIntrospection)
    if settings.compiled_reads:
        from kam.compiled.extension import CompiledReads  # imports the schema, which imports this module

        extensions.append(lambda: CompiledReads(maxsize=settings.document_cache_size, max_bytes=settings.document_cache_bytes))
    return extensions
