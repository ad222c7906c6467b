"""Top-level fields of a plan that look one object up by its ID."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from domain.account import Account
from resolvers.access import access_of
from kam.compiled.objects import FieldPlan, ObjectPlan, WithArguments
from kam.compiled.run import Binder, Getter, Layout, Row, Run


async def visible_account(run: Run, account_id: int, plan: ObjectPlan | None = None) -> bool:
    """Whether the account exists and the caller may read it (the two are indistinguishable to the caller);
    with `plan`, the row it needs is read by the same statement (and kept for the run)."""
    if plan is not None:
        exists = bool(await plan.read(run, [account_id]))
    else:
        exists = bool(await run.rows_among(Account, "exists", (Account.id,), Account.id, [account_id]))
    return exists and await access_of(run.ctx).can_read(account_id)


@dataclass(eq=False)
class AccountById(WithArguments):
    """`account(id)`: one account, archived or not; null when it does not exist or the caller may not read it."""

    binder: Binder
    target: ObjectPlan

    def nested(self) -> Iterator[FieldPlan]:
        return self.target.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        account_id = self.arguments(run)
        found = None
        if await access_of(run.ctx).can_read(account_id):
            found = (await self.target.by_id(run, [account_id], existing=False)).get(account_id)
        return lambda _row: found
