"""The schema as clients see it: one Query and one Mutation composed from every area."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from schema.account import AccountMutation, AccountQuery
from schema.node import NODE_TYPES, NodeQuery
from schema.team import TeamMutation, TeamQuery

Query = merge_types("Query", (NodeQuery, AccountQuery, TeamQuery))
Mutation = merge_types("Mutation", (AccountMutation, TeamMutation))


def build_schema(extensions: list = ()) -> strawberry.Schema:  # type: ignore[assignment]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[entry[0] for entry in NODE_TYPES.values()],
        extensions=list(extensions),
    )


def sdl() -> str:
    """The schema in SDL, as committed in schema/schema.graphql."""
    return build_schema().as_str() + "\n"
