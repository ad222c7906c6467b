"""Reading judgments: the explanation of each account's judged grade, its transitions, and what it was on a
past day, each for all accounts of a request at once."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import func, select
from strawberry.dataloader import DataLoader

from domain.judgment import AccountJudgment, JudgmentKind, JudgmentTransition
from domain.judgment_override import JudgmentOverride, OverrideKind
from resolvers.context import RequestContext
from resolvers.loaders import child_connection
from resolvers.pagination import Order, Page, PageRequest, date_key


async def judgment_of(ctx: RequestContext, account_id: int) -> AccountJudgment | None:
    async def load(ids: list[int]) -> list[AccountJudgment | None]:
        stmt = select(AccountJudgment).where(AccountJudgment.account_id.in_(ids))
        found = {j.account_id: j for j in (await ctx.run(lambda s: s.scalars(stmt))).all()}
        return [found.get(i) for i in ids]

    return await ctx.loader("account judgment", lambda: DataLoader(load_fn=load)).load(account_id)


class TransitionSort(enum.Enum):
    CHANGED_ON = date_key("changedOn", JudgmentTransition.changed_on)


NEWEST_FIRST = Order(TransitionSort.CHANGED_ON.value, descending=True)


async def account_transitions(
    ctx: RequestContext, account_id: int, page: PageRequest, kinds: frozenset[JudgmentKind] | None = None
) -> Page[JudgmentTransition]:
    """An account's transitions, of some kinds only if `kinds` is given."""
    where = () if kinds is None else (JudgmentTransition.kind.in_(sorted(kinds, key=lambda k: k.name)),)
    key = ("transitions", None if kinds is None else tuple(sorted(k.name for k in kinds)))
    return await child_connection(ctx, JudgmentTransition.account_id, account_id, NEWEST_FIRST, page, where=where, where_key=key)


async def judged_on_day(ctx: RequestContext, account_id: int, kind: JudgmentKind, day: date) -> str | None:
    """The value a judgment of `kind` had at the end of `day`: the last transition up to it (None: not judged yet)."""

    async def load(ids: list[int]) -> list[str | None]:
        ranked = (
            select(
                JudgmentTransition.account_id,
                JudgmentTransition.to_value,
                func.row_number()
                .over(
                    partition_by=JudgmentTransition.account_id,
                    order_by=(JudgmentTransition.changed_on.desc(), JudgmentTransition.id.desc()),
                )
                .label("n"),
            )
            .where(
                JudgmentTransition.account_id.in_(ids),
                JudgmentTransition.kind == kind,
                JudgmentTransition.changed_on <= day,
            )
            .subquery()
        )
        stmt = select(ranked.c.account_id, ranked.c.to_value).where(ranked.c.n == 1)
        found = dict((await ctx.run(lambda s: s.execute(stmt))).all())
        return [found.get(i) for i in ids]

    return await ctx.loader(("judged on day", kind, day), lambda: DataLoader(load_fn=load)).load(account_id)


async def overrides_of(ctx: RequestContext, account_id: int) -> dict[OverrideKind, JudgmentOverride]:
    """An account's overrides by kind, those that ended included (a read tells them apart by the day)."""

    async def load(ids: list[int]) -> list[dict[OverrideKind, JudgmentOverride]]:
        stmt = select(JudgmentOverride).where(JudgmentOverride.account_id.in_(ids)).order_by(JudgmentOverride.id)
        found: dict[int, dict[OverrideKind, JudgmentOverride]] = {i: {} for i in ids}
        for override in (await ctx.run(lambda s: s.scalars(stmt))).all():
            found[override.account_id][override.kind] = override
        return [found[i] for i in ids]

    return await ctx.loader("judgment overrides", lambda: DataLoader(load_fn=load)).load(account_id)


async def judgments_on_day(ctx: RequestContext, account_id: int, day: date) -> dict[JudgmentKind, str]:
    """Every kind of judgment as it stood at the end of `day`: the last transition of each up to it (a kind
    missing: not judged yet), for all accounts of the request in one statement."""

    async def load(ids: list[int]) -> list[dict[JudgmentKind, str]]:
        ranked = (
            select(
                JudgmentTransition.account_id,
                JudgmentTransition.kind,
                JudgmentTransition.to_value,
                func.row_number()
                .over(
                    partition_by=(JudgmentTransition.account_id, JudgmentTransition.kind),
                    order_by=(JudgmentTransition.changed_on.desc(), JudgmentTransition.id.desc()),
                )
                .label("n"),
            )
            .where(JudgmentTransition.account_id.in_(ids), JudgmentTransition.changed_on <= day)
            .subquery()
        )
        stmt = select(ranked.c.account_id, ranked.c.kind, ranked.c.to_value).where(ranked.c.n == 1)
        found: dict[int, dict[JudgmentKind, str]] = {i: {} for i in ids}
        for account_id, kind, value in (await ctx.run(lambda s: s.execute(stmt))).all():
            found[account_id][kind] = value
        return [found[i] for i in ids]

    return await ctx.loader(("judgments on day", day), lambda: DataLoader(load_fn=load)).load(account_id)
