"""Schema extensions kam adds around every operation."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

log = logging.getLogger("kam.errors")


class CloseSession(SchemaExtension):
    """Give the request's database connection back as soon as the operation is done."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context = self.execution_context.context
            session = getattr(context, "session", None)
            if session is not None:
                await session.close()


def is_unexpected(error: GraphQLError) -> bool:
    """Errors kam raises on purpose carry a code; anything else is a bug the client must not see."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected errors reach the client as INTERNAL_SERVER_ERROR and the log in full."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        log.error("unexpected error at %s", error.path, exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked
