"""Reading the scoring policy: the version in force, one version, and all of them newest first."""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.policy_version import ScoringPolicyVersion
from resolvers.context import RequestContext
from resolvers.pagination import Order, Page, PageRequest, int_key, paginate


class PolicySort(enum.Enum):
    VERSION = int_key("version", ScoringPolicyVersion.id)


NEWEST_FIRST = Order(PolicySort.VERSION.value, descending=True)


async def policy_in_force(session: AsyncSession) -> ScoringPolicyVersion:
    """The highest version: the policy every judgment is computed with now (migration 0009 writes version 1)."""
    found = await session.scalar(select(ScoringPolicyVersion).order_by(ScoringPolicyVersion.id.desc()).limit(1))
    if found is None:
        raise LookupError("No scoring policy is stored; run `kam migrate`.")
    return found


async def policy_version(ctx: RequestContext, version: int | None) -> ScoringPolicyVersion | None:
    """The given version (None: not stored), or the one in force when `version` is None."""
    if version is None:
        return await ctx.run(policy_in_force)
    return await ctx.run(lambda s: s.get(ScoringPolicyVersion, version))


async def list_versions(ctx: RequestContext, page: PageRequest) -> Page[ScoringPolicyVersion]:
    return await paginate(ctx, select(ScoringPolicyVersion), ScoringPolicyVersion.id, NEWEST_FIRST, page)
