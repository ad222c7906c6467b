"""The schema as clients see it: one Query and one Mutation composed from every area."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.account import AccountMutation, AccountQuery
from schema.aggregates import AggregateQuery
from schema.audit import AuditQuery
from schema.boards import BoardQuery
from schema.growth import GrowthMutation, GrowthQuery
from schema.interaction import InteractionMutation, InteractionQuery
from schema.need import NeedMutation
from schema.overrides import JudgmentOverrideMutation
from schema.node import NODE_TYPES, NodeQuery
from schema.opportunity import OpportunityMutation, OpportunityQuery
from schema.plan import PlanMutation
from schema.policy import PolicyMutation, PolicyQuery
from schema.revenue import RevenueMutation
from schema.relationship_map import RelationshipMapQuery
from schema.scalars import SCALAR_OVERRIDES
from schema.stakeholder import StakeholderMutation, StakeholderQuery
from schema.stakeholder_facts import StakeholderFactMutation
from schema.team import TeamMutation, TeamQuery
from schema.transitions import JudgmentTransitionQuery

log = logging.getLogger("kam.graphql")


@strawberry.type(description="Everything kam lets you read: start from `accounts`, `relationshipMap` or `growthMatrix`.")
class Query(
    NodeQuery,
    AccountQuery,
    TeamQuery,
    StakeholderQuery,
    RelationshipMapQuery,
    GrowthQuery,
    InteractionQuery,
    OpportunityQuery,
    PolicyQuery,
    JudgmentTransitionQuery,
    AggregateQuery,
    BoardQuery,
    AuditQuery,
):
    pass


@strawberry.type(
    description=(
        "Everything kam lets you change. Each mutation reports `userErrors` instead of failing; an operation's"
        " mutations are kept only when its whole answer has no error."
    )
)
class Mutation(
    AccountMutation,
    TeamMutation,
    StakeholderMutation,
    StakeholderFactMutation,
    NeedMutation,
    GrowthMutation,
    PlanMutation,
    InteractionMutation,
    OpportunityMutation,
    RevenueMutation,
    PolicyMutation,
    JudgmentOverrideMutation,
):
    pass


class KamSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Client errors are answers, not server faults: debug level. Unexpected ones are logged whole when masked."""
        for error in errors:
            log.debug("%s at %s", error.message, error.path)


def build_schema(extensions: Sequence[type | Callable[[], Any]] = ()) -> strawberry.Schema:
    return KamSchema(
        query=Query,
        mutation=Mutation,
        types=[entry[0] for entry in NODE_TYPES.values()],
        extensions=list(extensions),
        scalar_overrides=SCALAR_OVERRIDES,
    )


def sdl() -> str:
    """The schema in SDL, as committed in schema/schema.graphql."""
    return build_schema().as_str() + "\n"
