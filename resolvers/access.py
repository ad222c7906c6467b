"""The caller's access during one request: which accounts they may read and which they may change.

kam/ builds one `Access` per request and keeps it in `session.info["access"]`,
so reads (which have the context) and writes (which have the session) consult
the same object. The rules are domain.access's; this module applies them to the
database:

- account lists get a SQL condition (`account_condition`), so counts and pages
  only ever see readable accounts;
- single objects (by ID, `node`, `nodes`, rows a mutation points at) are checked
  against the caller's readable and writable account sets, loaded together in
  at most one statement per request and only for roles that need them.

An object the caller may not read is reported exactly like a missing one.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.access import (
    READ_SCOPE,
    WRITE_SCOPE,
    Attachment,
    Scope,
    can_read_account,
    can_write_account,
)
from domain.account import Account
from domain.audit import AuditEvent
from domain.growth import GrowthAssessment
from domain.interaction import Interaction
from domain.need import Need
from domain.opportunity import Opportunity, OpportunityContact, StageChange
from domain.revenue import RevenueRecord
from domain.plan import Action, ActionPlan, Objective
from domain.stakeholder import Coverage, InfluenceLink, Stakeholder
from domain.stakeholder_facts import StakeholderFact
from domain.team import AccountTeamMember, Caller, MemberRole, TeamMember
from resolvers.context import RequestContext
from resolvers.errors import Forbidden
from resolvers.loaders import by_id

# Rows that belong to one account through their own `account_id`.
ACCOUNT_ROWS: tuple[type, ...] = (
    Stakeholder, InfluenceLink, Coverage, Need, GrowthAssessment, ActionPlan, Interaction, Opportunity, OpportunityContact,
    StageChange, RevenueRecord, StakeholderFact,
)
# Rows that belong to an account through their plan.
PLAN_ROWS: tuple[type, ...] = (Objective, Action)


@dataclass
class _AccountSets:
    """The accounts a restricted caller may read and write, once loaded."""

    readable: frozenset[int]
    writable: frozenset[int]


@dataclass
class _Memo:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sets: _AccountSets | None = None


def scope_condition(scope: Scope, member_id: int) -> ColumnElement[bool] | None:
    """`scope` as a condition on `Account` rows for `member_id`; None when it covers every account."""
    if scope is Scope.ALL:
        return None
    if scope is Scope.NONE:
        return false()
    if scope is Scope.ATTACHED:
        on_team = select(AccountTeamMember.account_id).where(AccountTeamMember.member_id == member_id)
        return or_(Account.id.in_(on_team), Account.owner_id == member_id)
    managed = select(TeamMember.id).where(or_(TeamMember.id == member_id, TeamMember.manager_id == member_id))
    on_team = select(AccountTeamMember.account_id).where(AccountTeamMember.member_id.in_(managed))
    return or_(Account.id.in_(on_team), Account.owner_id.in_(managed))


class Access:
    """What the request's member may see and change; a request without a member may do nothing."""

    def __init__(self, ctx: RequestContext, member: Caller | None) -> None:
        self.ctx = ctx
        self.member = member

    @property
    def member_id(self) -> int:
        return self.member.id if self.member is not None else 0

    @property
    def role(self) -> MemberRole | None:
        return self.member.role if self.member is not None else None

    @property
    def read_scope(self) -> Scope:
        return READ_SCOPE[self.member.role] if self.member is not None else Scope.NONE

    @property
    def write_scope(self) -> Scope:
        return WRITE_SCOPE[self.member.role] if self.member is not None else Scope.NONE

    # Lists

    def account_condition(self) -> ColumnElement[bool] | None:
        """The condition that keeps an account query to readable accounts; None when all are."""
        return scope_condition(self.read_scope, self.member_id)

    def rows_condition(self, account_column: Any) -> list[ColumnElement[bool]]:
        """The conditions that keep rows of an account (by their `account_column`) to readable accounts: none
        when all are, so a list across accounts (interactions, deals) counts only what the caller may see."""
        condition = self.account_condition()
        return [] if condition is None else [account_column.in_(select(Account.id).where(condition))]

    # Single accounts

    async def _sets(self) -> _AccountSets:
        """Readable and writable accounts of a restricted caller, from one statement per request.

        Cached on the context's loaders, so a mutation (which clears them) makes the
        next check see team changes it made.
        """
        memo: _Memo = self.ctx.loader(("access", "account sets"), _Memo)
        async with memo.lock:
            if memo.sets is None:
                memo.sets = await self._load_sets()
            return memo.sets

    async def _load_sets(self) -> _AccountSets:
        if self.member is None:
            return _AccountSets(frozenset(), frozenset())
        me = self.member_id
        involves_reports = Scope.MANAGED in (self.read_scope, self.write_scope)

        def concerning(member_column: Any) -> ColumnElement[bool]:
            return or_(member_column == me, TeamMember.manager_id == me) if involves_reports else member_column == me

        team = (
            select(AccountTeamMember.account_id, AccountTeamMember.member_id, TeamMember.manager_id)
            .join(TeamMember, TeamMember.id == AccountTeamMember.member_id)
            .where(concerning(AccountTeamMember.member_id))
        )
        owners = (
            select(Account.id, Account.owner_id, TeamMember.manager_id)
            .join(TeamMember, TeamMember.id == Account.owner_id)
            .where(concerning(Account.owner_id))
        )
        stmt = union_all(team, owners)
        rows = (await self.ctx.run(lambda s: s.execute(stmt))).all()
        attached: dict[int, list[Attachment]] = defaultdict(list)
        for account_id, member_id, manager_id in rows:
            attached[account_id].append(Attachment(member_id, manager_id))
        role = self.member.role
        readable = frozenset(a for a, people in attached.items() if can_read_account(role, me, people))
        writable = frozenset(a for a, people in attached.items() if can_write_account(role, me, people))
        return _AccountSets(readable, writable)

    async def can_read(self, account_id: int) -> bool:
        scope = self.read_scope
        if scope is Scope.ALL:
            return True
        if scope is Scope.NONE:
            return False
        return account_id in (await self._sets()).readable

    async def can_write(self, account_id: int) -> bool:
        scope = self.write_scope
        if scope is Scope.ALL:
            return True
        if scope is Scope.NONE:
            return False
        return account_id in (await self._sets()).writable

    async def require_write(self, account_id: int) -> None:
        """For an account the caller can read: refuse with FORBIDDEN unless they may change it."""
        if not await self.can_write(account_id):
            raise Forbidden("You may read this account but not change it.")

    def require(self, rule: Callable[[MemberRole], bool], message: str) -> None:
        """Refuse with FORBIDDEN unless the caller's role passes `rule` (one of domain.access's)."""
        if self.member is None or not rule(self.member.role):
            raise Forbidden(message)

    # Any row

    async def account_id_of(self, row: Any) -> int | None:
        """The account a row belongs to; None for rows outside any account."""
        if isinstance(row, Account):
            return row.id
        if isinstance(row, ACCOUNT_ROWS):
            return row.account_id  # type: ignore[attr-defined]
        if isinstance(row, PLAN_ROWS):
            plan = await by_id(self.ctx, ActionPlan).load(row.plan_id)  # type: ignore[attr-defined]
            return None if plan is None else plan.account_id
        return None

    async def visible(self, row: Any) -> bool:
        """Whether the caller may see `row`: team members are seen by every member, account rows
        by those who can read their account, audit events of an account by those who can read its
        history, anything else (events outside accounts, for one) by ADMINs only."""
        if row is None or self.member is None:
            return False
        if isinstance(row, TeamMember):
            return True
        if isinstance(row, (Account, *ACCOUNT_ROWS, *PLAN_ROWS)):
            account_id = await self.account_id_of(row)
            return account_id is not None and await self.can_read(account_id)
        if isinstance(row, AuditEvent):
            # The account is asked about either way, so events in and outside accounts take the same work.
            readable = await self.can_read(row.account_id or 0)
            return readable if row.account_id is not None else self.member.role is MemberRole.ADMIN
        return self.member.role is MemberRole.ADMIN

    async def check_as_hidden(self, model: type[Any]) -> None:
        """Do what `visible` does for a row of `model` the caller may not see, for a row that does not exist:
        otherwise a hidden object would answer measurably later than a missing one, and tell that it exists."""
        if model in PLAN_ROWS:
            await by_id(self.ctx, ActionPlan).load(0)
        if model is Account or model in ACCOUNT_ROWS or model in PLAN_ROWS or model is AuditEvent:
            await self.can_read(0)

    async def only_visible(self, rows: Sequence[Any]) -> list[Any]:
        """`rows` with every row the caller may not see replaced by None (plans load in one batch)."""
        flags = await asyncio.gather(*(self.visible(row) for row in rows))
        return [row if ok else None for row, ok in zip(rows, flags, strict=True)]


def bind_access(ctx: RequestContext) -> Access:
    """Create the request's Access for `ctx.member` and make it reachable from the session."""
    access = ctx.access = Access(ctx, ctx.member)
    if ctx.opened is not None:
        ctx.introduce(ctx.opened)
    return access


def access_of(source: RequestContext | AsyncSession) -> Access:
    """The request's Access; a session without one belongs to no caller and may read nothing."""
    if isinstance(source, RequestContext) and source.access is not None:
        return source.access  # type: ignore[no-any-return]
    session = source.session if isinstance(source, RequestContext) else source
    access = session.info.get("access")
    if access is None:
        raise Forbidden("No authenticated member.")
    return access


async def load_visible(ctx: RequestContext, model: type[Any], row_id: int) -> Any | None:
    """One row by primary key through the request's batched loader; None when it does not exist
    or the caller may not see it. The two are indistinguishable, in the answer and in the time it
    takes: a missing row is checked as a hidden one of its kind would be (the same statements)."""
    row = await by_id(ctx, model).load(row_id)
    access = access_of(ctx)
    if row is None:
        await access.check_as_hidden(model)
        return None
    return row if await access.visible(row) else None
