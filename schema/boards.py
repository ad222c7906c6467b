"""Boards across accounts: needs, plans and actions of every account the caller may read, in one list each."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.needs import reads as need_reads
from resolvers.pagination import page_request
from resolvers.plans import reads as plan_reads
from schema.account import AccountsOf, accounts_criteria
from schema.common import FILTER, After, Before, Connection, First, Last, context
from schema.need import Need, NeedFilter
from schema.plan import Action, ActionFilter, ActionPlan, ActionPlanFilter, action_list_request, plan_list_request


@strawberry.type
class BoardQuery:
    @strawberry.field(description="Needs across the accounts you may read, the newest first: the four-seasons board of a portfolio.")
    async def needs(
        self,
        info: Info,
        filter: Annotated[NeedFilter | None, FILTER] = None,
        accounts: AccountsOf = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Need]:
        ctx = context(info)
        page = page_request(ctx, need_reads.NEWEST_FIRST, first, after, last, before)
        criteria = (filter or NeedFilter()).to_criteria()
        return Connection(page=await need_reads.list_needs(ctx, criteria, accounts_criteria(accounts), page))

    @strawberry.field(description="Account plans across the accounts you may read, the latest start first.")
    async def plans(
        self,
        info: Info,
        filter: Annotated[ActionPlanFilter | None, FILTER] = None,
        accounts: AccountsOf = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ActionPlan]:
        ctx = context(info)
        criteria, page = plan_list_request(ctx, filter, first, after, last, before)
        return Connection(page=await plan_reads.list_plans(ctx, criteria, accounts_criteria(accounts), page))

    @strawberry.field(
        description="Actions across the accounts you may read, due soonest first (undated last): `filter: {overdueOn:, ownerIds:}` is a team's overdue board."
    )
    async def actions(
        self,
        info: Info,
        filter: Annotated[ActionFilter | None, FILTER] = None,
        accounts: AccountsOf = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Action]:
        ctx = context(info)
        criteria, page = action_list_request(ctx, filter, first, after, last, before)
        return Connection(page=await plan_reads.list_actions(ctx, criteria, accounts_criteria(accounts), page))
