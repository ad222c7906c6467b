"""Judgment transitions across accounts: "which accounts moved from DEVELOP to STRATEGIC this year" in one query."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.errors import BadUserInput
from resolvers.filters import any_of, ids_of
from resolvers.judgments import transitions as reads
from resolvers.judgments.reads import NEWEST_FIRST
from resolvers.context import RequestContext
from resolvers.pagination import PageRequest, page_request
from schema.common import FILTER, After, Before, Connection, First, Last, context
from schema.enums import JudgmentKind
from schema.judgment import JudgmentTransition


@strawberry.input(description="Which judgment transitions to list; every given condition must hold, list values mean any of.")
class JudgmentTransitionFilter:
    kinds: list[JudgmentKind] | None = strawberry.field(default=None, description="Of any of these kinds.")  # type: ignore[valid-type]
    from_: list[str] | None = strawberry.field(
        default=None, name="from",
        description="Moved from any of these values (a grade's letter, a quadrant...); each must be a value of a kind chosen (of any kind when `kinds` is left out).",
    )
    to: list[str] | None = strawberry.field(
        default=None, description="Moved to any of these values; each must be a value of a kind chosen (of any kind when `kinds` is left out)."
    )
    changed_since: date | None = strawberry.field(default=None, description="Changed on or after this day.")
    changed_until: date | None = strawberry.field(default=None, description="Changed on or before this day.")
    account_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Of any of these accounts.")

    def to_criteria(self) -> reads.TransitionFilter:
        since, until = self.changed_since, self.changed_until
        if since is not None and until is not None and since > until:
            raise BadUserInput("`filter.changedSince` is after `filter.changedUntil`.", argument="filter.changedSince")
        kinds = any_of(self.kinds, "filter.kinds")
        return reads.TransitionFilter(
            kinds=kinds,
            from_values=reads.values_of(kinds, any_of(self.from_, "filter.from"), "filter.from"),
            to_values=reads.values_of(kinds, any_of(self.to, "filter.to"), "filter.to"),
            changed_since=since,
            changed_until=until,
            account_ids=ids_of(self.account_ids, "Account", "filter.accountIds"),
        )


def transition_list_request(
    ctx: RequestContext,
    filter: JudgmentTransitionFilter | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> tuple[reads.TransitionFilter, PageRequest]:
    """The list's arguments as the reads take them (BAD_USER_INPUT for a bad filter, page or cursor)."""
    page = page_request(ctx, NEWEST_FIRST, first, after, last, before)
    return (filter or JudgmentTransitionFilter()).to_criteria(), page


@strawberry.type
class JudgmentTransitionQuery:
    @strawberry.field(
        description=(
            "Changes of judgments across the accounts you may read, newest first (by day, then as recorded):"
            " which accounts moved from what to what between two days."
        )
    )
    async def judgment_transitions(
        self,
        info: Info,
        filter: Annotated[JudgmentTransitionFilter | None, FILTER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[JudgmentTransition]:
        ctx = context(info)
        criteria, page = transition_list_request(ctx, filter, first, after, last, before)
        return Connection(page=await reads.list_transitions(ctx, criteria, page))
