"""Team members (our own people): type, list, and mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import team as model
from resolvers.filters import any_of, search_term
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.pagination import page_request
from resolvers.team import mutations, reads
from schema.common import (
    FILTER,
    After,
    Before,
    Connection,
    DeletePayload,
    First,
    Last,
    UserError,
    context,
    mutate,
    provided,
    user_errors,
)
from schema.enums import MemberRole, TeamRole
from schema.node import node_type


@node_type(model.TeamMember, description="One of our own people: account managers, their managers, admins.")
class TeamMember(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Work email, unique, lower case.")
    title: str | None = strawberry.field(description="Job title.")
    role: MemberRole = strawberry.field(description="What this member may do in kam.")  # type: ignore[valid-type]
    active: bool = strawberry.field(description="False for members who left; they keep their history.")
    created_at: datetime = strawberry.field(description="When the member was added (UTC).")
    updated_at: datetime = strawberry.field(description="When the member was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(description="The member's own manager, if any.")
    async def manager(self, info: Info) -> TeamMember | None:
        if self.manager_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), model.TeamMember).load(self.manager_id)  # type: ignore[attr-defined]


@strawberry.type(description="A member of an account's team and their role on it.")
class AccountTeamMembership:
    team_role: TeamRole = strawberry.field(description="The member's role on this account.")  # type: ignore[valid-type]

    @strawberry.field(description="The team member.")
    async def member(self, info: Info) -> TeamMember:
        return await by_id(context(info), model.TeamMember).load(self.member_id)  # type: ignore[attr-defined,return-value]


@strawberry.input(description="Which team members to list; all conditions must hold.")
class TeamMemberFilter:
    roles: list[MemberRole] | None = strawberry.field(default=None, description="Any of these roles.")  # type: ignore[valid-type]
    active: bool | None = strawberry.field(default=None, description="Only active (true) or only inactive (false) members.")
    search: str | None = strawberry.field(default=None, description="Part of the name or email, case-insensitive.")


@strawberry.type
class TeamQuery:
    @strawberry.field(description="The team member the request's token belongs to, with the role that decides what they may do.")
    async def me(self, info: Info) -> TeamMember:
        ctx = context(info)
        assert ctx.member is not None  # requests without a member are refused before GraphQL runs
        return await by_id(ctx, model.TeamMember).load(ctx.member.id)

    @strawberry.field(description="Our team members, ordered by name.")
    async def team_members(
        self,
        info: Info,
        filter: Annotated[TeamMemberFilter | None, FILTER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[TeamMember]:
        flt = filter or TeamMemberFilter()
        page = page_request(context(info), reads.BY_NAME, first, after, last, before)
        criteria = reads.TeamMemberFilter(
            roles=any_of(flt.roles, "filter.roles"), active=flt.active, search=search_term(flt.search, "filter.search")
        )
        return Connection(page=await reads.list_team_members(context(info), criteria, page))


@strawberry.input(description="A new team member.")
class TeamMemberCreateInput:
    name: str = strawberry.field(description="Full name; not blank.")
    email: str = strawberry.field(description="Work email; unique.")
    role: MemberRole = strawberry.field(description="What the member may do in kam.")  # type: ignore[valid-type]
    title: str | None = strawberry.field(default=None, description="Job title.")
    manager_id: strawberry.ID | None = strawberry.field(default=None, description="The member's manager.")


@strawberry.input(description="Changes to a team member; fields left out stay as they are.")
class TeamMemberUpdateInput:
    id: strawberry.ID = strawberry.field(description="The team member to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Full name; not blank.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Work email; unique.")
    role: MemberRole | None = strawberry.field(default=strawberry.UNSET, description="What the member may do in kam.")  # type: ignore[valid-type]
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Job title; null clears it.")
    manager_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The member's manager; null clears it.")
    active: bool | None = strawberry.field(default=strawberry.UNSET, description="False when the member leaves.")


@strawberry.input(description="The team member to delete.")
class TeamMemberDeleteInput:
    id: strawberry.ID = strawberry.field(description="The team member to delete.")


@strawberry.type(description="Result of a team-member mutation.")
class TeamMemberPayload:
    team_member: TeamMember | None = strawberry.field(description="The member as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _member_payload(outcome: Outcome[model.TeamMember]) -> TeamMemberPayload:
    return TeamMemberPayload(team_member=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


@strawberry.type
class TeamMutation:
    @strawberry.mutation(description="Add a team member.")
    async def team_member_create(self, info: Info, input: TeamMemberCreateInput) -> TeamMemberPayload:
        data = provided(input)
        return _member_payload(await mutate(info, lambda s: mutations.create_team_member(s, data)))

    @strawberry.mutation(description="Change a team member; deactivate with `active: false`.")
    async def team_member_update(self, info: Info, input: TeamMemberUpdateInput) -> TeamMemberPayload:
        data = provided(input)
        return _member_payload(await mutate(info, lambda s: mutations.update_team_member(s, data)))

    @strawberry.mutation(description="Delete a team member; accounts and plans they owned keep going without an owner.")
    async def team_member_delete(self, info: Info, input: TeamMemberDeleteInput) -> DeletePayload:
        outcome = await mutate(info, lambda s: mutations.delete_team_member(s, input.id))
        return DeletePayload.from_outcome(outcome)
