"""Limits on what one request may ask of the server.

Every limit has a `KAM_*` setting and is on by default. A request past a limit
gets an error whose `extensions` name it, the same way for every limit:
`{"code": "QUERY_TOO_DEEP", "limit": "maxQueryDepth", "maximum": 15, "requested": 16}`.
Depth, aliases, fields and whole-schema introspections are checked by kam's own
validation rule rather than strawberry's `QueryDepthLimiter`/`MaxAliasesLimiter`:
those walk a fragment again at every spread, so a few nested fragments spread
twice each keep a worker busy for minutes; here each fragment is measured once.
A document past one of these limits stops its validation there, before
graphql-core's own rules (some of them quadratic in the fields) run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.validation.validate import ValidationAbortedError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import MaxTokensLimiter

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_FIELDS = "TOO_MANY_FIELDS"
TOO_MANY_INTROSPECTIONS = "TOO_MANY_INTROSPECTIONS"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
TIMEOUT = "TIMEOUT"


def past_limit(code: str, limit: str, maximum: float, requested: int | None = None) -> dict[str, Any]:
    """The `extensions` of an error that reports a passed limit."""
    extensions: dict[str, Any] = {"code": code, "limit": limit, "maximum": maximum}
    if requested is not None:
        extensions["requested"] = requested
    return extensions


class Shape(NamedTuple):
    depth: int = 0
    aliases: int = 0
    fields: int = 0
    schemas: int = 0  # `__schema` fields: introspections of the whole schema


class DocumentShape:
    """Nesting depth, aliases, fields and `__schema` fields of a document's selections, each fragment measured once.

    Depth counts fields that have selections, as strawberry's limiter does:
    `{ accounts { totalCount } }` is 1 deep. Introspection fields (`__schema`,
    `__type`) do not add depth. Aliases, fields and `__schema` fields count once
    per place they end up in, so a fragment spread three times counts its fields
    three times.
    """

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._measured: dict[str, Shape] = {}
        self._measuring: set[str] = set()

    def measure(self, selection_set: SelectionSetNode | None) -> Shape:
        """The shape of a selection set."""
        depth = aliases = fields = schemas = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                name = selection.name.value
                fields += 1
                aliases += selection.alias is not None
                schemas += name == "__schema"
                if selection.selection_set is None:
                    continue
                inner = self.measure(selection.selection_set)
                if not name.startswith("__"):
                    depth = max(depth, inner.depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.measure(selection.selection_set)
                depth = max(depth, inner.depth)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                depth = max(depth, inner.depth)
            else:
                continue
            aliases, fields, schemas = aliases + inner.aliases, fields + inner.fields, schemas + inner.schemas
        return Shape(depth, aliases, fields, schemas)

    def fragment(self, name: str) -> Shape:
        if name in self._measured:
            return self._measured[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._measuring:
            return Shape()  # unknown fragments and cycles are reported by graphql's own rules
        self._measuring.add(name)
        try:
            result = self._measured[name] = self.measure(fragment.selection_set)
        finally:
            self._measuring.discard(name)
        return result

    def unspread(self) -> Shape:
        """Aliases and fields of the fragments no operation spreads (call after measuring the operations): they
        are validated all the same."""
        aliases = fields = 0
        for name in self.fragments:
            if name in self._measured:
                continue
            shape = self.fragment(name)
            aliases, fields = aliases + shape.aliases, fields + shape.fields
        return Shape(aliases=aliases, fields=fields)


def shape_errors(
    document: DocumentNode, *, max_depth: int, max_aliases: int, max_fields: int, max_introspections: int
) -> list[GraphQLError]:
    """The limits on the shape of a document that it passes: depth and `__schema` fields per operation, aliases
    and fields in the whole document."""
    shape = DocumentShape(document)
    errors: list[GraphQLError] = []
    aliases = fields = 0
    try:
        for operation in document.definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            measured = shape.measure(operation.selection_set)
            aliases, fields = aliases + measured.aliases, fields + measured.fields
            if measured.depth > max_depth:
                errors.append(
                    GraphQLError(
                        f"The operation is nested {measured.depth} levels deep; the limit is {max_depth}.",
                        operation,
                        extensions=past_limit(QUERY_TOO_DEEP, "maxQueryDepth", max_depth, measured.depth),
                    )
                )
            if measured.schemas > max_introspections:
                errors.append(
                    GraphQLError(
                        f"The operation introspects the whole schema (`__schema`) {measured.schemas} times;"
                        f" the limit is {max_introspections}.",
                        operation,
                        extensions=past_limit(
                            TOO_MANY_INTROSPECTIONS, "maxIntrospections", max_introspections, measured.schemas
                        ),
                    )
                )
        unspread = shape.unspread()
    except RecursionError:
        return [
            GraphQLError(
                f"The document is nested too deeply to measure; the limit is {max_depth}.",
                extensions=past_limit(QUERY_TOO_DEEP, "maxQueryDepth", max_depth),
            )
        ]
    aliases, fields = aliases + unspread.aliases, fields + unspread.fields
    if aliases > max_aliases:
        errors.append(
            GraphQLError(
                f"The document uses {aliases} aliases; the limit is {max_aliases}.",
                extensions=past_limit(TOO_MANY_ALIASES, "maxAliases", max_aliases, aliases),
            )
        )
    if fields > max_fields:
        errors.append(
            GraphQLError(
                f"The document selects {fields} fields; the limit is {max_fields}.",
                extensions=past_limit(TOO_MANY_FIELDS, "maxFields", max_fields, fields),
            )
        )
    return errors


class LimitPassed(ValidationAbortedError):
    """A passed limit that ends validation: graphql-core keeps this error and runs no rule further."""


def shape_rule(*, max_depth: int, max_aliases: int, max_fields: int, max_introspections: int) -> type[ValidationRule]:
    """A validation rule refusing documents past the limits of `shape_errors`.

    It measures the document when validation enters it, before any rule visits a
    selection, and ends the validation of a document past a limit: graphql-core
    runs its rules side by side over the document, so reporting alone would not
    spare a refused document their work.
    """

    class DocumentShapeRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> bool:
            errors = shape_errors(
                node,
                max_depth=max_depth,
                max_aliases=max_aliases,
                max_fields=max_fields,
                max_introspections=max_introspections,
            )
            if errors:
                *reported, last = errors
                for error in reported:
                    self.report_error(error)
                raise LimitPassed(last.message, last.nodes, extensions=last.extensions)
            return self.SKIP

    return DocumentShapeRule


class TokenLimit(MaxTokensLimiter):
    """strawberry's token limit (enforced by the parser), with its error coded like every other limit."""

    def on_parse(self) -> Iterator[None]:
        yield
        marker = f"more than {self.max_token_count} tokens"
        for error in self.execution_context.pre_execution_errors or ():
            if isinstance(error, GraphQLSyntaxError) and marker in error.message:
                error.message = f"The document has more than {self.max_token_count} tokens, the limit."
                error.extensions = past_limit(TOO_MANY_TOKENS, "maxTokens", self.max_token_count)


def error_body(message: str, extensions: dict[str, Any]) -> bytes:
    """A GraphQL-shaped response body for an error found before any GraphQL ran."""
    return json.dumps({"errors": [{"message": message, "extensions": extensions}]}).encode()


class BodyLimit:
    """ASGI wrapper that refuses request bodies above `max_bytes` with 413, before anything parses them.

    A declared Content-Length above the limit is refused unread; a body sent
    without one is read only up to the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.refuse(headers, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self.refuse(headers, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def refuse(self, headers: dict[bytes, bytes], send: Send) -> None:
        accept = headers.get(b"accept", b"").decode("latin-1")
        graphql_response = "application/graphql-response+json"
        media_type = graphql_response if graphql_response in accept else "application/json"
        body = error_body(
            f"The request body is larger than {self.max_bytes} bytes, the limit.",
            past_limit(REQUEST_TOO_LARGE, "maxBodyBytes", self.max_bytes),
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def timeout_error(seconds: float) -> GraphQLError:
    return GraphQLError(
        f"The request took longer than {seconds:g} seconds, the limit, and was stopped.",
        extensions=past_limit(TIMEOUT, "requestTimeout", seconds),
    )
