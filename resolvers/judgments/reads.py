"""Reading judgments: the explanation of each account's judged grade, for all accounts of a request at once."""

from __future__ import annotations

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from domain.judgment import AccountJudgment
from resolvers.context import RequestContext


async def judgment_of(ctx: RequestContext, account_id: int) -> AccountJudgment | None:
    async def load(ids: list[int]) -> list[AccountJudgment | None]:
        stmt = select(AccountJudgment).where(AccountJudgment.account_id.in_(ids))
        found = {j.account_id: j for j in (await ctx.run(lambda s: s.scalars(stmt))).all()}
        return [found.get(i) for i in ids]

    return await ctx.loader("account judgment", lambda: DataLoader(load_fn=load)).load(account_id)
