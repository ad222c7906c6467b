"""Listing team members."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from domain.team import AccountTeamMember, MemberRole, TeamMember
from resolvers.context import RequestContext
from resolvers.loaders import children
from resolvers.pagination import Order, Page, PageRequest, paginate, text_key

BY_NAME = Order(text_key("name", TeamMember.name))


@dataclass(frozen=True)
class TeamMemberFilter:
    roles: tuple[MemberRole, ...] = ()
    active: bool | None = None
    search: str | None = None


async def list_team_members(ctx: RequestContext, flt: TeamMemberFilter, page: PageRequest) -> Page[TeamMember]:
    stmt = select(TeamMember)
    if flt.roles:
        stmt = stmt.where(TeamMember.role.in_(flt.roles))
    if flt.active is not None:
        stmt = stmt.where(TeamMember.active == flt.active)
    if flt.search:
        term = flt.search.strip()
        stmt = stmt.where(
            TeamMember.name.icontains(term, autoescape=True) | TeamMember.email.icontains(term, autoescape=True)
        )
    return await paginate(ctx, stmt, TeamMember.id, BY_NAME, page)


async def account_team(ctx: RequestContext, account_id: int) -> list[AccountTeamMember]:
    loader = children(ctx, AccountTeamMember.account_id, order_by=[AccountTeamMember.team_role, AccountTeamMember.member_id])
    return await loader.load(account_id)
