"""The schema as clients see it: one Query and one Mutation composed from every area."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry

from schema.account import AccountMutation, AccountQuery
from schema.audit import AuditQuery
from schema.growth import GrowthMutation, GrowthQuery
from schema.need import NeedMutation
from schema.node import NODE_TYPES, NodeQuery
from schema.plan import PlanMutation
from schema.relationship_map import RelationshipMapQuery
from schema.stakeholder import StakeholderMutation, StakeholderQuery
from schema.team import TeamMutation, TeamQuery


@strawberry.type(description="Everything kam lets you read: start from `accounts`, `relationshipMap` or `growthMatrix`.")
class Query(NodeQuery, AccountQuery, TeamQuery, StakeholderQuery, RelationshipMapQuery, GrowthQuery, AuditQuery):
    pass


@strawberry.type(
    description="Everything kam lets you change; each mutation is one transaction and reports `userErrors` instead of failing."
)
class Mutation(AccountMutation, TeamMutation, StakeholderMutation, NeedMutation, GrowthMutation, PlanMutation):
    pass


def build_schema(extensions: Sequence[type | Callable[[], Any]] = ()) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[entry[0] for entry in NODE_TYPES.values()],
        extensions=list(extensions),
    )


def sdl() -> str:
    """The schema in SDL, as committed in schema/schema.graphql."""
    return build_schema().as_str() + "\n"
