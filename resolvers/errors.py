"""Client errors that abort a whole request (as opposed to a mutation's userErrors)."""

from __future__ import annotations

from graphql import GraphQLError


class BadUserInput(GraphQLError):
    """A malformed ID, cursor, page size or argument: the client's fault, reported with a code."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
        if argument:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)


class Forbidden(GraphQLError):
    """The caller is known but may not do this; reported as a top-level error with a code."""

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})
